from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from clients.templatetags.clients_tags import short_datetime
from consents.models import (
    NON_CONSENT_KINDS,
    ConsentKind,
    ConsentRecipient,
    Discloser,
    DisclosureKind,
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


class _Picked(forms.ModelMultipleChoiceField):
    """Records to put in the package, one checkbox each; labelled by
    `label_from`. A POST naming one that was not offered is refused by the
    field ("Select a valid choice")."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset: Any, *, label: str, label_from: Any) -> None:
        super().__init__(queryset=queryset, label=label, required=False)
        self._label_from = label_from

    def label_from_instance(self, obj: Any) -> str:
        return str(self._label_from(obj))


def _note_label(session: Any) -> str:
    return (
        f"{short_datetime(timezone.localtime(session.started_at))} · "
        f"{session.get_modality_display()} · {session.clinician.name}"
    )


def _goal_label(goal: Any) -> str:
    return f"“{goal.wording}” ({goal.get_status_display().lower()})"


def _counseling_label(note: Any) -> str:
    return f"{short_datetime(timezone.localtime(note.created_at))} · {note.author.name}"


class PackageForm(PlainErrorsMixin, forms.Form):
    """What goes in a package: only the kinds of record in `scope` are
    offered (a consent's scope, or, without consent, the ordinary record),
    each as the records themselves to tick."""

    form_token = FormTokenField()
    attendance = forms.BooleanField(
        label="Attendance and dates (every session, with its date, how and length)",
        required=False,
    )
    attendance_from = _date("Attendance from (optional)", required=False)

    def __init__(
        self, *args: Any, scope: set[str], shareable: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        # What the scope allows but the record does not hold yet, said on
        # the page instead of an empty list of boxes.
        self.none_yet: list[str] = []
        if Item.ATTENDANCE not in scope:
            del self.fields["attendance"], self.fields["attendance_from"]
        for item, name, records, label, label_from, none_yet in (
            (
                Item.GOALS,
                "goals",
                shareable.goals,
                "Goals and their ratings",
                _goal_label,
                "No goals yet.",
            ),
            (
                Item.SESSION_NOTES,
                "notes",
                shareable.notes,
                "Session notes (signed notes, with their addenda)",
                _note_label,
                "No signed session notes yet.",
            ),
            (
                Item.COUNSELING_NOTES,
                "counseling_notes",
                shareable.counseling_notes,
                "SUD counseling notes",
                _counseling_label,
                "No SUD counseling notes you can share.",
            ),
        ):
            if item not in scope:
                continue
            if records.exists():
                self.fields[name] = _Picked(records, label=label, label_from=label_from)
            else:
                self.none_yet.append(none_yet)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        picked = (
            data.get("attendance")
            or data.get("goals")
            or data.get("notes")
            or data.get("counseling_notes")
        )
        if not picked and not self.errors:
            raise forms.ValidationError("Choose at least one thing to share.")
        return data


class ShareForm(PackageForm):
    """Sharing under a consent. For a TPO consent the recipient is named
    here (the consent names them only by designation)."""

    recipient_name = forms.CharField(
        label="Who is receiving it (a provider, plan or person)",
        required=False,
        max_length=200,
    )
    recipient_facility = forms.CharField(
        label="Their organisation", required=False, max_length=200
    )

    field_order = ["recipient_name", "recipient_facility"]

    def __init__(self, *args: Any, tpo: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tpo = tpo
        if not tpo:
            del self.fields["recipient_name"], self.fields["recipient_facility"]
        else:
            self.fields["recipient_name"].required = True


class ShareWithoutConsentForm(PackageForm):
    """A disclosure Part 2 allows without consent (§2.51, §2.64, a report
    the law requires), with the facts each must record. Nothing else is
    offered."""

    kind = forms.ChoiceField(
        label="What allows it",
        choices=[(k.value, k.label) for k in NON_CONSENT_KINDS],
        widget=forms.RadioSelect,
    )
    recipient_name = forms.CharField(
        label="Who received it (for an emergency: the medical staff member)",
        max_length=200,
    )
    recipient_facility = forms.CharField(
        label="Their facility or agency", required=False, max_length=200
    )
    occurred_at = forms.DateTimeField(
        label="When it was shared",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    emergency_nature = forms.CharField(
        label="For a medical emergency: what the emergency was",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    court_order_reference = forms.CharField(
        label="For a court order: the court, case and date of the order",
        required=False,
        max_length=300,
    )
    report_basis = forms.CharField(
        label="For a required report: the law and the agency reported to",
        required=False,
        max_length=300,
    )
    what_detail = forms.CharField(
        label="Anything said as well (by phone or in person), in a few words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = [
        "kind",
        "recipient_name",
        "recipient_facility",
        "occurred_at",
        "emergency_nature",
        "court_order_reference",
        "report_basis",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.localtime().replace(
            second=0, microsecond=0
        )

    def clean_occurred_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["occurred_at"]
        if value > timezone.now():
            raise forms.ValidationError("This cannot be in the future.")
        return value

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        facts = {
            DisclosureKind.MEDICAL_EMERGENCY: (
                ("emergency_nature", "Say what the emergency was."),
                ("recipient_facility", "Name their facility."),
            ),
            DisclosureKind.COURT_ORDER: (
                ("court_order_reference", "Name the court order."),
            ),
            DisclosureKind.REQUIRED_REPORT: (
                ("report_basis", "Say which law requires the report."),
            ),
        }
        for field, message in facts.get(data.get("kind", ""), ()):
            if not str(data.get(field, "")).strip():
                self.add_error(field, message)
        return data
