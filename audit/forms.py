from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from audit.models import Action
from staff.models import User

# The report's columns, each sortable both ways (a header link, or the Order
# list): the event's own field it sorts on. Time sorts by seq: the database
# dates each event as it numbers it, under the chain's lock (migration 0008),
# so the two orders agree. Staff sorts by the name as shown, which is not a
# column of the trail (audit.selectors.staff_sorted_page).
SORT_FIELDS = {
    "time": "seq",
    "staff": "actor",
    "role": "actor_role",
    "action": "action",
    "object": "object_type",
    "client": "client_id",
    "outcome": "outcome",
    "address": "source_ip",
}
SORT_LABELS = {
    "time": ("Oldest first", "Newest first"),
    "staff": ("Staff member, A to Z", "Staff member, Z to A"),
    "role": ("Role, A to Z", "Role, Z to A"),
    "action": ("Action, A to Z", "Action, Z to A"),
    "object": ("Record type, A to Z", "Record type, Z to A"),
    "client": ("Client id, ascending", "Client id, descending"),
    "outcome": ("Outcome, A to Z", "Outcome, Z to A"),
    "address": ("Address, ascending", "Address, descending"),
}
# Older links' names for two of the orders.
SORT_ALIASES = {"newest": "-time", "oldest": "time"}
DEFAULT_SORT = "-time"


def sort_key(value: str | None) -> tuple[str, bool]:
    """(column, descending) of a valid `sort` value (`column` or `-column`),
    else the default: newest first."""
    value = SORT_ALIASES.get(value or "", value or DEFAULT_SORT)
    column = value.removeprefix("-")
    if column not in SORT_FIELDS:
        return sort_key(DEFAULT_SORT)
    return column, value.startswith("-")


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
            (f"{sign}{column}", labels[descending])
            for column, labels in SORT_LABELS.items()
            for descending, sign in ((True, "-"), (False, ""))
        ],
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None and data.get("sort") in SORT_ALIASES:
            data = data.copy()
            data["sort"] = SORT_ALIASES[data["sort"]]
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data
