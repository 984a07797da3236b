from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from audit.models import Action
from staff.models import User

SORTS = {
    "newest": ("-seq",),
    "oldest": ("seq",),
    "staff": ("actor__display_name", "actor__username", "-seq"),
    "action": ("action", "-seq"),
}


# The dates the report's filters accept. A typo such as 9999-12-31 is a message
# on the form rather than a date the database (or the day after it) cannot hold.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)
DATE_ERRORS = {
    "invalid": "Enter a date as year-month-day, for example 2024-03-31.",
    "min_value": "Choose a date in 1900 or later.",
    "max_value": "Choose a date before the year 3000.",
}


def _date_field(label: str) -> forms.DateField:
    attrs = {"type": "date", "min": EARLIEST_DATE, "max": LATEST_DATE}
    return forms.DateField(
        required=False,
        label=label,
        widget=forms.DateInput(attrs=attrs),
        validators=[
            MinValueValidator(EARLIEST_DATE),
            MaxValueValidator(LATEST_DATE),
        ],
        error_messages=DATE_ERRORS,
    )


class AuditFilterForm(forms.Form):
    """Filters for the audit report (ids only, so they can live in the URL)."""

    actor = forms.ModelChoiceField(
        queryset=User.objects.order_by("display_name", "username"),
        required=False,
        label="Staff member",
        empty_label="Anyone",
        error_messages={"invalid_choice": "Choose a staff member from the list."},
    )
    client_id = forms.UUIDField(
        required=False,
        label="Client id",
        error_messages={"invalid": "A client id looks like 3f2c…-…; copy it whole."},
    )
    action = forms.ChoiceField(
        required=False,
        choices=[("", "Any action"), *Action.choices],
        error_messages={"invalid_choice": "Choose an action from the list."},
    )
    date_from = _date_field("From")
    date_to = _date_field("To")
    sort = forms.ChoiceField(
        required=False,
        label="Order",
        error_messages={"invalid_choice": "Choose an order from the list."},
        choices=[
            ("newest", "Newest first"),
            ("oldest", "Oldest first"),
            ("staff", "By staff member"),
            ("action", "By action"),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data
