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
