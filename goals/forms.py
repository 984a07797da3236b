from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from goals.models import Goal, GoalArea
from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin
from sessions.language import hint_attrs

SCORE_CHOICES = [(n, str(n)) for n in range(11)]
AREA_CHOICES = [("", "Not chosen"), *GoalArea.choices]
SCORE_HELP = (
    "0 is as far from the goal as it could be; 10 is reached. The person's own sense."
)


class ScoreField(forms.TypedChoiceField):
    """A 0–10 score as a row of radio buttons; anything else gets a clear message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "How close do they feel to it? (0–10)")
        kwargs.setdefault("help_text", SCORE_HELP)
        super().__init__(
            choices=SCORE_CHOICES,
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "score-choice"}),
            error_messages={
                "invalid_choice": "Choose a whole number from 0 to 10.",
                "required": "Choose a number from 0 to 10.",
            },
            **kwargs,
        )


class RewordForm(PlainErrorsMixin, forms.ModelForm):  # type: ignore[type-arg]
    """A goal's words, why it matters, and its area."""

    class Meta:
        model = Goal
        fields = ["wording", "why_it_matters", "area"]
        widgets = {
            "wording": forms.Textarea(attrs={"rows": 2, **hint_attrs("wording-hints")}),
            "why_it_matters": forms.Textarea(
                attrs={"rows": 2, **hint_attrs("why-it-matters-hints")}
            ),
        }
        error_messages = {
            "wording": {"required": "Write the goal the way the person says it."}
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = AREA_CHOICES  # type: ignore[attr-defined]


def rating_comment() -> forms.CharField:
    """What the client said about a rating, in their words."""
    return forms.CharField(
        label="Anything they said about it (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GoalForm(RewordForm):
    """A new goal, in the client's words, with an optional first rating."""

    form_token = FormTokenField()
    score = ScoreField(required=False, empty_value=None)
    comment = rating_comment()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].help_text = "Optional. Any area of life counts."


class RatingForm(PlainErrorsMixin, forms.Form):
    form_token = FormTokenField()
    score = ScoreField()
    rated_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = rating_comment()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rated_on"].initial = timezone.localdate()

    def clean_rated_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["rated_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("A rating cannot be dated in the future.")
        return value


class StatusForm(forms.Form):
    note = forms.CharField(
        label="A few words about it (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ChangeForm(RewordForm):
    """Change a goal into a new one: the new goal's words."""

    note = forms.CharField(
        label="Why it changed (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, **hint_attrs("change-note-hints")}),
    )
