from __future__ import annotations

import uuid
from typing import Any

from django import forms

from goals.forms import ScoreField
from goals.models import Goal
from hr_clinic.lib.forms import PlainErrorsMixin, TriStateSelect
from sessions.formats import NoteFormat, Section
from sessions.models import TherapySession
from sessions.services import DRAFT_FIELDS, Rating

COUNT_ATTRS = {"min": 0, "max": 1000, "inputmode": "numeric"}


def _count_field(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=1000,
        help_text=help_text,
        widget=forms.NumberInput(attrs=COUNT_ATTRS),
    )


class SessionForm(PlainErrorsMixin, forms.ModelForm):  # type: ignore[type-arg]
    """A session note: details, the format's sections, ratings for the client's
    goals, and the harm-reduction check-in. Every field may stay empty in a
    draft; nothing here asks about abstinence."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    make_default_format = forms.BooleanField(
        label="Use this format for my new notes", required=False
    )

    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        required=False,
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"min": 1, "max": 1440, "inputmode": "numeric"}),
    )
    naloxone_doses_given = _count_field(
        "Naloxone doses given", "A two-dose kit counts as two."
    )
    test_strips_given = _count_field("Fentanyl test strips given")
    overdoses_experienced = _count_field("Overdoses they experienced")
    overdoses_witnessed = _count_field("Overdoses they witnessed")

    class Meta:
        model = TherapySession
        fields = list(DRAFT_FIELDS)
        widgets = {
            "started_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "naloxone_on_hand": TriStateSelect,
            "naloxone_used": TriStateSelect,
            "referrals": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "naloxone_on_hand": "Do they have naloxone on hand?",
            "naloxone_used": "Was naloxone used in an overdose?",
        }

    def __init__(
        self,
        *args: Any,
        sections: tuple[Section, ...],
        goals: list[Goal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sections = sections
        self.goals = goals
        self.fields["started_at"].required = False
        self.fields["modality"].required = False
        texts = (self.instance.sections or {}) if self.instance.pk else {}
        for section in sections:
            self.fields[f"section_{section.key}"] = forms.CharField(
                label=section.label,
                help_text=section.prompt,
                required=False,
                strip=False,
                initial=texts.get(section.key, ""),
                widget=forms.Textarea(
                    attrs={
                        "rows": 4,
                        "data-language-check": "",
                        "data-language-target": f"hints-{section.key}",
                    }
                ),
            )
        # Ratings already given in this session come with the goals
        # (session_score/session_comment, see views.notes._goals_for).
        for goal in goals:
            self.fields[f"score_{goal.pk}"] = ScoreField(
                required=False,
                empty_value=None,
                label="Their rating today (0–10)",
                initial=getattr(goal, "session_score", None),
            )
            self.fields[f"comment_{goal.pk}"] = forms.CharField(
                label="In their words (optional)",
                required=False,
                initial=getattr(goal, "session_comment", None) or "",
                widget=forms.TextInput,
            )

    def section_fields(self) -> list[tuple[Section, forms.BoundField]]:
        return [(s, self[f"section_{s.key}"]) for s in self.sections]

    def goal_fields(self) -> list[tuple[Goal, forms.BoundField, forms.BoundField]]:
        return [(g, self[f"score_{g.pk}"], self[f"comment_{g.pk}"]) for g in self.goals]

    def clean_modality(self) -> str:
        return self.cleaned_data.get("modality") or self.instance.modality

    def clean_started_at(self) -> Any:
        return self.cleaned_data.get("started_at") or self.instance.started_at

    # What a save keeps, even when another field has an error: valid parts only.
    def valid_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in DRAFT_FIELDS
            if name in self.cleaned_data and name not in self.errors
        }

    def valid_sections(self) -> dict[str, str]:
        return {
            s.key: self.cleaned_data.get(f"section_{s.key}", "") or ""
            for s in self.sections
            if f"section_{s.key}" in self.cleaned_data
        }

    def valid_ratings(self) -> dict[uuid.UUID, Rating]:
        ratings = {}
        for goal in self.goals:
            score = self.cleaned_data.get(f"score_{goal.pk}")
            if score is not None and f"score_{goal.pk}" not in self.errors:
                comment = self.cleaned_data.get(f"comment_{goal.pk}", "")
                ratings[goal.pk] = Rating(score, comment.strip())
        return ratings


class FormatChoiceForm(forms.Form):
    note_format = forms.ChoiceField(label="Note format", choices=NoteFormat.choices)


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="I confirm this note is accurate. Once signed it cannot be changed; "
        "corrections are added as addenda.",
        error_messages={"required": "Tick the box to confirm before signing."},
    )


class AddendumForm(PlainErrorsMixin, forms.Form):
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="For example: a correction, a late entry.",
    )
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 4}))


class NoteSearchForm(forms.Form):
    q = forms.CharField(label="Search notes", max_length=200)


class ReturnForm(PlainErrorsMixin, forms.Form):
    comment = forms.CharField(
        label="Comments for the clinician",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="They answer with an addendum, which sends the note back to you.",
        error_messages={"required": "Write a comment for the clinician."},
    )
