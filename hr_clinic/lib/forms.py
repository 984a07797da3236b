from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from hr_clinic.lib.form_tokens import FormAlreadyUsed, renew_token


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, above the fields.

    Services may raise errors keyed by model field; the form may not have those
    fields, so every message becomes a form-level error (never a 500). A form
    sent again with other content (FormAlreadyUsed) gets a new token, so the
    next send makes a new record."""
    for message in exc.messages:
        form.add_error(None, message)
    if isinstance(exc, FormAlreadyUsed):
        renew_token(form)


class TriStateSelect(forms.NullBooleanSelect):
    """Yes / No / Not asked yet: an unanswered question is not a "no"."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", "Not asked yet"), ("true", "Yes"), ("false", "No")]


# Django's own wording ("Ensure this value is greater than or equal to 1.",
# "This field is required.") in the app's plain voice, by error code. The
# model's validators raise the same codes, so a ModelForm shows these too.
PLAIN_MESSAGES: dict[str, str] = {
    "required": "Please fill this in.",
    "min_value": "Enter %(limit_value)s or more.",
    "max_value": "Enter %(limit_value)s or less.",
    "max_length": "Keep this to %(limit_value)d characters or fewer "
    "(it has %(show_value)d).",
    "min_length": "Write at least %(limit_value)d characters (it has %(show_value)d).",
    "invalid_choice": "Choose one of the options.",
}
# What "invalid" means depends on the field; most specific class first.
PLAIN_INVALID: list[tuple[type[forms.Field], str]] = [
    (
        forms.DateTimeField,
        "That is not a date and time we can read: use the picker, or write it "
        "like 2026-03-12 14:30.",
    ),
    (
        forms.DateField,
        "That is not a date we can read: use the picker, or write it like 2026-03-12.",
    ),
    (forms.TimeField, "That is not a time we can read: write it like 14:30."),
    (forms.IntegerField, "Enter a whole number, like 30."),
    (forms.DecimalField, "Enter a number, like 2.5."),
    (forms.FloatField, "Enter a number, like 2.5."),
    (forms.EmailField, "That does not look like an email address (name@example.org)."),
]


def _django_default_messages(field: forms.Field) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def plain_error_messages(fields: dict[str, forms.Field]) -> None:
    """Give every field the plain-voice message for each code whose message is
    still Django's default (or unset, for validator codes); a message a form or
    field chose itself stays."""
    for field in fields.values():
        defaults = _django_default_messages(field)
        plain = dict(PLAIN_MESSAGES)
        for cls, message in PLAIN_INVALID:
            if isinstance(field, cls):
                plain["invalid"] = message
                break
        for code, message in plain.items():
            if field.error_messages.get(code) in (None, defaults.get(code)):
                field.error_messages[code] = message


class PlainErrorsMixin(forms.BaseForm):
    """A form whose error messages speak plainly (PLAIN_MESSAGES). Applied at
    validation, so fields a form adds in its own __init__ (a note's goal
    ratings) get them too."""

    def full_clean(self) -> None:
        plain_error_messages(self.fields)
        super().full_clean()
