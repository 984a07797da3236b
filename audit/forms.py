from __future__ import annotations

from typing import Any

from django import forms

from audit.models import Action
from staff.models import User

SORTS = {
    "newest": ("-seq",),
    "oldest": ("seq",),
    "staff": ("actor__display_name", "actor__username", "-seq"),
    "action": ("action", "-seq"),
}


class AuditFilterForm(forms.Form):
    """Filters for the audit report (ids only, so they can live in the URL)."""

    actor = forms.ModelChoiceField(
        queryset=User.objects.order_by("display_name", "username"),
        required=False,
        label="Staff member",
        empty_label="Anyone",
    )
    client_id = forms.UUIDField(
        required=False,
        label="Client id",
        error_messages={"invalid": "A client id looks like 3f2c…-…; copy it whole."},
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *Action.choices]
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        required=False,
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
