"""Forms for the records app (issue #20): the client's copy, and their
requests to change the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from clients.templatetags.clients_tags import short_date, short_datetime
from goals.models import Goal
from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin
from records.models import AmendmentOutcome, AmendmentPart, CopyFormat, HandedHow
from sessions.models import TherapySession


def _date(label: str, *, required: bool = True, **kw: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
        **kw,
    )


class _Range(PlainErrorsMixin, forms.Form):
    date_from = _date("Sessions from (optional)", required=False)
    date_to = _date("Sessions to (optional)", required=False)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "This is before the start of the range.")
        return data


class CopyRequestForm(_Range):
    """A request for a copy of the record, as the client made it."""

    form_token = FormTokenField()
    asked_on = _date("Asked on")
    asked_by = forms.CharField(
        label="Asked by someone for them (leave empty when the client asked)",
        required=False,
        max_length=200,
    )
    format = forms.ChoiceField(
        label="What they would like",
        choices=CopyFormat.choices,
        initial=CopyFormat.PDF,
        widget=forms.RadioSelect,
    )

    field_order = [
        "form_token",
        "asked_on",
        "asked_by",
        "format",
        "date_from",
        "date_to",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asked_on"].initial = timezone.localdate()
        self.fields[
            "date_from"
        ].help_text = "Leave both dates empty for everything in the record."

    def clean_asked_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["asked_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("This date cannot be in the future.")
        return value


class ExportForm(_Range):
    form_token = FormTokenField()


class FulfilForm(PlainErrorsMixin, forms.Form):
    fulfilled_on = _date("Given on")
    how = forms.ChoiceField(
        label="How it was given", choices=HandedHow.choices, widget=forms.RadioSelect
    )
    export: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="The PDF it was made from",
        queryset=None,
        required=False,
        empty_label="None: it was made another way",
    )

    def __init__(self, *args: Any, exports: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fulfilled_on"].initial = timezone.localdate()
        self.fields["export"].queryset = exports  # type: ignore[attr-defined]
        self.fields["export"].label_from_instance = (  # type: ignore[attr-defined]
            lambda e: (
                f"Made {timezone.localtime(e.created_at):%d %b %Y, %H:%M}"
                f" by {e.requested_by.name}"
            )
        )

    def clean_fulfilled_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["fulfilled_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("This date cannot be in the future.")
        return value


# --- Amendment requests (HIPAA §164.526) -----------------------------------


class _NoteChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"Session note, {short_datetime(timezone.localtime(obj.started_at))}"


class _GoalChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"“{obj.wording}” (set on {short_date(obj.set_on)})"


class AmendmentRequestForm(PlainErrorsMixin, forms.Form):
    """What the client asks to change, in their words, and which part."""

    what = forms.CharField(
        label="What they would like changed",
        help_text="In their words.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    why = forms.CharField(
        label="Why",
        help_text="In their words.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    part = forms.ChoiceField(
        label="Which part of the record",
        choices=AmendmentPart.choices,
        widget=forms.RadioSelect,
    )
    session = _NoteChoice(
        label="If a session note, which one",
        queryset=TherapySession.objects.none(),
        required=False,
    )
    goal = _GoalChoice(
        label="If a goal, which one", queryset=Goal.objects.none(), required=False
    )
    other_part = forms.CharField(
        label="If another part, which",
        help_text="For example “my date of birth”.",
        max_length=200,
        required=False,
    )
    asked_on = forms.DateField(
        label="Asked on", widget=forms.DateInput(attrs={"type": "date"})
    )
    form_token = FormTokenField()

    def __init__(
        self,
        *args: Any,
        notes: QuerySet[TherapySession],
        goals: QuerySet[Goal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Ids from the POST are looked up among this client's records only.
        self.fields["session"].queryset = notes  # type: ignore[attr-defined]
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        self.fields["asked_on"].initial = timezone.localdate()

    def clean_asked_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["asked_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("This date cannot be in the future.")
        return value

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        part = data.get("part")
        if part == AmendmentPart.NOTE and not data.get("session"):
            self.add_error("session", "Choose the note.")
        if part == AmendmentPart.GOAL and not data.get("goal"):
            self.add_error("goal", "Choose the goal.")
        if part == AmendmentPart.OTHER and not data.get("other_part", "").strip():
            self.add_error("other_part", "Name the part of the record.")
        return data


class AmendmentDecisionForm(PlainErrorsMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="What was decided",
        choices=AmendmentOutcome.choices,
        widget=forms.RadioSelect,
    )
    correction = forms.CharField(
        label="If changed: the correction, as it should now read",
        help_text="On a note it is added as an addendum, linked to this request.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    to_tell = forms.CharField(
        label="If changed: who the client would like told",
        help_text="One person or organisation per line.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    reason = forms.CharField(
        label="If kept as it is: the reason, in plain words",
        help_text="The client reads this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    form_token = FormTokenField()

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if (
            outcome == AmendmentOutcome.ACCEPTED
            and not data.get("correction", "").strip()
        ):
            self.add_error("correction", "Write the correction.")
        if outcome == AmendmentOutcome.DENIED and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason, in plain words.")
        return data


class AmendmentStatementForm(PlainErrorsMixin, forms.Form):
    text = forms.CharField(
        label="The client's statement of disagreement",
        help_text="In their words. It goes with this part of the record from now on.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    form_token = FormTokenField()


# --- End of amendment requests ---------------------------------------------
