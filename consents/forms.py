from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from consents.models import (
    ConsentKind,
    ConsentRecipient,
    Discloser,
    Item,
    NoticeHow,
    Purpose,
    RevokedHow,
    SignedHow,
)
from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin


def _date(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


def _not_future(value: dt.date | None) -> dt.date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError("This date cannot be in the future.")
    return value


class NoticeForm(PlainErrorsMixin, forms.Form):
    given_on = _date("Date given")
    how = forms.ChoiceField(
        label="How it was given", choices=NoticeHow.choices, widget=forms.RadioSelect
    )
    how_other = forms.CharField(label="If another way, how", required=False)
    form_token = FormTokenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()

    def clean_given_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data["given_on"])

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("how") == NoticeHow.OTHER and not data.get("how_other", "").strip():
            self.add_error("how_other", "Say how the notice was given.")
        return data


class ConsentForm(PlainErrorsMixin, forms.Form):
    """Every element of 42 CFR 2.31, in words the client can read."""

    kind = forms.ChoiceField(
        label="What kind of consent",
        choices=ConsentKind.choices,
        widget=forms.RadioSelect,
    )
    discloser = forms.ChoiceField(
        label="Who may share",
        choices=Discloser.choices,
        initial=Discloser.PROGRAM,
        widget=forms.RadioSelect,
    )
    discloser_part = forms.CharField(
        label="Which part of the program", required=False, max_length=200
    )
    items = forms.MultipleChoiceField(
        label="What may be shared",
        required=False,
        choices=[
            (i.value, i.label)
            for i in (Item.ATTENDANCE, Item.GOALS, Item.SESSION_NOTES, Item.EVERYTHING)
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text="Not for a counseling-notes consent, which covers those notes only.",
    )
    items_detail = forms.CharField(
        label="More about what may be shared, in the client's words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    purpose = forms.ChoiceField(
        label="Why",
        choices=Purpose.choices,
        initial=Purpose.AT_MY_REQUEST,
        widget=forms.RadioSelect,
    )
    purpose_other = forms.CharField(
        label="The purpose, in the client's words", required=False, max_length=300
    )
    expires_on = _date("Ends on", required=False)
    expiry_event = forms.CharField(
        label="Or ends when (an event or condition)", required=False, max_length=300
    )
    signed_how = forms.ChoiceField(
        label="Signature", choices=SignedHow.choices, widget=forms.RadioSelect
    )
    paper_signed_on = _date("Date signed on paper", required=False)
    form_token = FormTokenField()

    def clean_paper_signed_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data["paper_signed_on"])

    def clean_expires_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data["expires_on"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("The end date has already passed.")
        return value

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ConsentKind.COUNSELING_NOTES and data.get("items"):
            self.add_error(
                "items",
                "A counseling-notes consent covers those notes only: it cannot be "
                "combined with other records. Take a second consent for those.",
            )
        elif kind and kind != ConsentKind.COUNSELING_NOTES and not data.get("items"):
            self.add_error("items", "Choose what may be shared.")
        if (
            data.get("discloser") == Discloser.PART
            and not data.get("discloser_part", "").strip()
        ):
            self.add_error(
                "discloser_part", "Name the part of the program that may share."
            )
        if (
            data.get("purpose") == Purpose.OTHER
            and not data.get("purpose_other", "").strip()
        ):
            self.add_error("purpose_other", "Say what the purpose is.")
        if (
            not data.get("expires_on")
            and not data.get("expiry_event", "").strip()
            and "expires_on" not in self.errors
        ):
            self.add_error(
                "expires_on",
                "Say when this consent ends: a date, or an event or condition.",
            )
        if (
            data.get("signed_how") == SignedHow.PAPER
            and not data.get("paper_signed_on")
            and "paper_signed_on" not in self.errors
        ):
            self.add_error(
                "paper_signed_on", "Give the date the client signed the paper form."
            )
        return data


class RecipientForm(PlainErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=200)
    organisation = forms.CharField(label="Organisation", required=False, max_length=200)
    contact = forms.CharField(
        label="Address, phone or email", required=False, max_length=300
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if (data.get("organisation") or data.get("contact")) and not data.get("name"):
            self.add_error("name", "Give the name of the person or organisation.")
        return data


RecipientFormSet = forms.formset_factory(RecipientForm, extra=3, max_num=10)


class SignForm(PlainErrorsMixin, forms.Form):
    typed_name = forms.CharField(label="Type your name to sign", max_length=200)
    agree = forms.BooleanField(
        label="I have read this consent and I agree to it",
        error_messages={"required": "Tick the box if you agree."},
    )


class RevokeForm(PlainErrorsMixin, forms.Form):
    recipient = forms.ModelChoiceField(
        label="Revoke",
        queryset=ConsentRecipient.objects.none(),
        required=False,
        empty_label="The whole consent",
    )
    revoked_on = _date("Date the client told us")
    how = forms.ChoiceField(
        label="How", choices=RevokedHow.choices, widget=forms.RadioSelect
    )

    def __init__(
        self, *args: Any, recipients: Any, named: Any = None, **kwargs: Any
    ) -> None:
        """`recipients`: those still open, the ones offered. `named`: every
        recipient of the consent (default: the open ones), the ones accepted,
        so that the same revocation sent twice reaches the service, which
        answers it with the first (consents.services.consent_revoke)."""
        super().__init__(*args, **kwargs)
        field = self.fields["recipient"]
        field.queryset = recipients if named is None else named  # type: ignore[attr-defined]
        field.choices = [  # type: ignore[attr-defined]
            ("", field.empty_label),  # type: ignore[attr-defined]
            *((r.pk, r.name) for r in recipients),
        ]
        self.fields["revoked_on"].initial = timezone.localdate()
        if not recipients.exists():
            self.fields["recipient"].widget = forms.HiddenInput()

    def clean_revoked_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data["revoked_on"])
