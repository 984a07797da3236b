from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from appointments.models import CANCELLED, SERIES_MAX_COUNT, Outcome, Repeat
from appointments.services import Details, Plan
from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin
from sessions.models import Modality

REPEAT_CHOICES = [("", "Does not repeat"), *Repeat.choices]
SCOPE_THIS = "this"
SCOPE_REST = "rest"


class WhenForm(PlainErrorsMixin, forms.Form):
    """When, how long, how and where: the service's local date and time."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        initial=50,
        min_value=5,
        max_value=480,
        widget=forms.NumberInput(attrs={"min": 5, "max": 480, "inputmode": "numeric"}),
    )
    modality = forms.ChoiceField(
        label="How", choices=Modality.choices, initial=Modality.IN_PERSON
    )
    place = forms.CharField(
        label="Where (optional)",
        max_length=200,
        required=False,
        help_text="A room, a drop-in site, a phone line. Shown to the care team only.",
    )

    def starts_at(self) -> datetime.datetime:
        """The local date and time, in the service's time zone."""
        local = datetime.datetime.combine(
            self.cleaned_data["date"], self.cleaned_data["time"]
        )
        return timezone.make_aware(local)

    def details(self) -> Details:
        data = self.cleaned_data
        return Details(
            duration_minutes=data["duration_minutes"],
            modality=data["modality"],
            place=data["place"].strip(),
        )


class RepeatForm(forms.Form):
    """How a booking repeats: not at all, or every week, two weeks or month,
    until a date or a number of times. Mixed into the appointment booking
    form and a group's meeting form (groups.forms.MeetingForm)."""

    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, required=False)
    until = forms.DateField(
        label="Until (a date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    count = forms.IntegerField(
        label="Or this many times",
        required=False,
        min_value=1,
        max_value=SERIES_MAX_COUNT,
        help_text=f"At most {SERIES_MAX_COUNT}, and at most two years ahead.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("repeat"):
            if data.get("until") is None and data.get("count") is None:
                self.add_error("until", "Say until when it repeats, or how many times.")
            elif data.get("until") is not None and data.get("count") is not None:
                self.add_error(
                    "count", "Choose one: until a date, or a number of times."
                )
        return data

    def plan(self) -> Plan | None:
        data = self.cleaned_data
        if not data.get("repeat"):
            return None
        return Plan(repeat=data["repeat"], until=data["until"], count=data["count"])


class BookForm(WhenForm, RepeatForm):
    """A new appointment, optionally repeating until a date or a count."""

    form_token = FormTokenField()

    field_order = ["date", "time", "duration_minutes", "modality", "place", "repeat"]


class EditForm(WhenForm):
    """Change one appointment, or it and the rest of its series."""

    scope = forms.ChoiceField(
        label="Change",
        choices=[
            (SCOPE_THIS, "This one only"),
            (SCOPE_REST, "This one and the rest of the series still to come"),
        ],
        initial=SCOPE_THIS,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, in_series: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not in_series:
            del self.fields["scope"]


class OutcomeForm(PlainErrorsMixin, forms.Form):
    """What happened. Before its time only a cancellation or a move."""

    outcome = forms.ChoiceField(
        label="What happened?", choices=Outcome.choices, widget=forms.RadioSelect
    )
    new_date = forms.DateField(
        label="New date (if it was rescheduled)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    new_time = forms.TimeField(
        label="New time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )

    def __init__(self, *args: Any, after_the_time: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not after_the_time:
            self.fields["outcome"].label = "Cancel or move it"
            self.fields["outcome"].choices = [  # type: ignore[attr-defined]
                (value, label)
                for value, label in Outcome.choices
                if value in (Outcome.RESCHEDULED, *CANCELLED)
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("new_date") is None) != (data.get("new_time") is None):
            self.add_error("new_time", "Give both the new date and the new time.")
        return data

    def new_starts_at(self) -> datetime.datetime | None:
        data = self.cleaned_data
        if data.get("new_date") is None or data.get("new_time") is None:
            return None
        return timezone.make_aware(
            datetime.datetime.combine(data["new_date"], data["new_time"])
        )


class CancelRestForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Who cancelled",
        choices=[(v, label) for v, label in Outcome.choices if v in CANCELLED],
        widget=forms.RadioSelect,
    )
