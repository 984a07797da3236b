from __future__ import annotations

import datetime
from typing import Any

from django import forms

from hr_clinic.lib.forms import PlainErrorsMixin
from reports.periods import Period, last_full_quarter, period_of

PERIODS = [
    ("month", "A month"),
    ("quarter", "A quarter"),
    ("year", "A year"),
    ("custom", "Months from … to …"),
]
MONTH_INPUT = {"type": "month", "placeholder": "2026-09", "pattern": r"\d{4}-\d{2}"}


MONTH_INVALID = "That is not a month we can read: write it like 2026-09."


class MonthField(forms.DateField):
    """A month as a browser's month input sends it ("2026-09"); a browser
    without one shows a text box that takes the same."""

    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs=MONTH_INPUT, format="%Y-%m")


class PeriodForm(PlainErrorsMixin, forms.Form):
    """The figures' period (a GET form: it changes nothing and works
    without JavaScript), and for a supervisor whose work: the whole team or
    one person on it (`people`, from clients.access.figure_scope)."""

    period = forms.ChoiceField(label="Period", choices=PERIODS, required=False)
    start = MonthField(
        label="Month", required=False, help_text="The month, or the first month."
    )
    end = MonthField(
        label="To (for months from … to …)",
        required=False,
        help_text="The last month, included.",
    )
    clinician = forms.ChoiceField(label="Whose work", required=False)

    def __init__(
        self,
        *args: Any,
        today: datetime.date,
        people: tuple[Any, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        # Unsent, the form shows the default period, ready to change.
        default = last_full_quarter(today)
        self.initial = {
            "period": default.kind,
            "start": default.start,
            "end": default.last_month,
            **self.initial,
        }
        if people:
            whose = self.fields["clinician"]
            assert isinstance(whose, forms.ChoiceField)
            whose.choices = [("", "The whole team")] + [
                (str(person.pk), person.name) for person in people
            ]
        else:
            del self.fields["clinician"]
        for field in self.fields.values():
            if isinstance(field, MonthField):  # after PlainErrorsMixin's words
                field.error_messages["invalid"] = MONTH_INVALID
            field.widget.attrs["class"] = (
                "form-select"
                if isinstance(field, forms.ChoiceField)
                else "form-control"
            )

    def chosen_period(self) -> Period:
        """The period asked for; the last full quarter when none was, or
        when what was sent cannot be read (the form then says why)."""
        default = last_full_quarter(self.today)
        if not self.is_bound or not self.is_valid():
            return default
        start = self.cleaned_data.get("start")
        if start is None:
            return default
        kind = self.cleaned_data.get("period") or "month"
        return period_of(kind, start, self.cleaned_data.get("end") or start)
