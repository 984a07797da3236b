from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from goals.forms import ScoreField
from goals.models import Goal
from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin
from measures import definitions
from measures.forms import ResponseForm
from screens.steps import Step
from sessions.checkin_items import ITEMS as CHECKIN_ITEMS
from sessions.forms import CheckInForm
from sessions.models import TherapySession
from staff.forms import password_is_theirs
from staff.models import User


class HandOverForm(PlainErrorsMixin, forms.Form):
    """What to offer on the screen: the steps for this client."""

    steps = forms.MultipleChoiceField(
        label="Offer on the screen",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose what to offer on the screen."},
    )
    note = forms.UUIDField(required=False, widget=forms.HiddenInput)
    measure = forms.ChoiceField(
        label="Which questionnaire",
        required=False,
        choices=[("", "Choose…")]
        + [(m.code, m.full_name) for m in definitions.MEASURES.values()],
    )

    def __init__(self, *args: Any, steps: Sequence[Step], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["steps"]
        field.choices = [(s.key, s.offer) for s in steps]  # type: ignore[attr-defined]
        field.initial = [s.key for s in steps]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "measure" in data.get("steps", []) and not data.get("measure"):
            self.add_error("measure", "Choose which questionnaire to offer.")
        return data


class ScreenCheckInForm(CheckInForm):
    """The check-in as the person answers it on their screen: theirs, so no
    "who is typing"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["entered_how"]
        # Set on the fields themselves, before any bound field is made (a
        # bound field keeps the help text it was made with).
        self.fields[
            "words"
        ].help_text = "Optional. It is kept in your record with this session."
        for item in CHECKIN_ITEMS:
            self.fields[item.key].help_text = (
                "0 is not at all, 10 is completely. Leave it if you would rather "
                "not say."
            )


class ScreenMeasureForm(ResponseForm):
    """A measure's questions as the person answers them on their screen:
    taken today, on the note it was handed from (the service decides both)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, sessions=TherapySession.objects.none(), **kwargs)
        del self.fields["taken_on"]
        del self.fields["session"]


class ScreenRatingForm(PlainErrorsMixin, forms.Form):
    """The person's own 0–10 for each goal they are working on, each with an
    optional comment in their words. A goal left without a number is simply
    not rated."""

    form_token = FormTokenField()

    def __init__(self, *args: Any, goals: Sequence[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"score_{goal.pk}"] = ScoreField(
                label="How close do you feel to it? (0–10)",
                required=False,
                empty_value=None,
            )
            self.fields[
                f"score_{goal.pk}"
            ].help_text = "0 is as far from it as it could be; 10 is there."
            self.fields[f"comment_{goal.pk}"] = forms.CharField(
                label="Anything you want to say about it? (optional)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def goal_fields(self) -> list[tuple[Goal, Any, Any]]:
        return [
            (goal, self[f"score_{goal.pk}"], self[f"comment_{goal.pk}"])
            for goal in self.goals
        ]

    def ratings(self) -> list[tuple[Goal, int, str]]:
        """(goal, score, comment) for each goal given a number."""
        data = self.cleaned_data
        return [
            (goal, data[f"score_{goal.pk}"], data[f"comment_{goal.pk}"])
            for goal in self.goals
            if data.get(f"score_{goal.pk}") is not None
        ]


class GiveBackForm(PlainErrorsMixin, forms.Form):
    """The clinician's password, to take the device back: counted by
    django-axes like a sign-in (staff.forms.password_is_theirs), so the
    person holding the device cannot guess it without limit."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Type your password to take the screen back."},
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any):
        self.request = request
        self.user = user
        super().__init__(*args, **kwargs)

    @sensitive_variables("password")
    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not password_is_theirs(self.request, self.user, password):
            raise forms.ValidationError(
                "That is not the password. The screen stays as it is, and "
                "nothing entered on it is lost."
            )
        return password
