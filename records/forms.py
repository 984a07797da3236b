from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin
from records.models import CopyFormat, HandedHow


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
