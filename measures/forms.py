"""Forms for standard measures: one form for every measure, its item fields
made from the definition (measures.definitions), so a new measure needs no
new form."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin
from measures.definitions import Measure
from sessions.models import TherapySession

ITEM_PREFIX = "item_"


class ResponseForm(PlainErrorsMixin, forms.Form):
    """The answers to one measure, an item per row of radio buttons (works
    without script), the day it was taken, and the note it belongs to."""

    taken_on = forms.DateField(
        label="Taken on", widget=forms.DateInput(attrs={"type": "date"})
    )
    session = forms.ModelChoiceField(
        queryset=TherapySession.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    form_token = FormTokenField()

    def __init__(
        self,
        *args: Any,
        measure: Measure,
        sessions: QuerySet[TherapySession],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["taken_on"].initial = timezone.localdate
        # Ids from the request are re-scoped: only this client's notes that the
        # person may see (STYLE rule 14).
        self.fields["session"].queryset = sessions  # type: ignore[attr-defined]
        for number, item in enumerate(measure.items, start=1):
            self.fields[ITEM_PREFIX + item.key] = forms.TypedChoiceField(
                label=item.text,
                choices=[(a.points, a.label) for a in measure.answers_for(item)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose an answer for question {number}.",
                    "invalid_choice": f"Choose one of the answers to question "
                    f"{number}.",
                },
            )

    @property
    def item_fields(self) -> list[forms.BoundField]:
        """The items' bound fields, in the measure's order (for _items.html)."""
        return [self[ITEM_PREFIX + item.key] for item in self.measure.items]

    def clean_taken_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["taken_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The day it was taken cannot be in the future.")
        if day.year < 1900:
            raise forms.ValidationError("The day it was taken must be after 1900.")
        return day

    def answers(self) -> dict[str, int]:
        return {
            item.key: self.cleaned_data[ITEM_PREFIX + item.key]
            for item in self.measure.items
        }


class SafetyCheckForm(PlainErrorsMixin, forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A short note: for example, talked it through together and "
        "agreed a safety plan.",
        error_messages={"required": "Say briefly what was done."},
    )
