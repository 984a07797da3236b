from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from goals.forms import ScoreField
from goals.models import Goal
from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin, TriStateSelect
from sessions.checkin_items import ITEMS as CHECKIN_ITEMS
from sessions.checkin_items import WORDS_PROMPT
from sessions.formats import NoteFormat, Section
from sessions.language import hint_attrs
from sessions.models import (
    MAX_NOTE_CHARS,
    EnteredHow,
    FollowUp,
    FollowUpOutcome,
    ReferralKind,
    TherapySession,
)
from sessions.services import (
    DRAFT_FIELDS,
    Closings,
    FollowUpRow,
    FollowUpRows,
    Rating,
    Ratings,
    note_length,
    started_at_problem,
    too_long_message,
)

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


class ReferralKindsWidget(forms.CheckboxSelectMultiple):
    """The kinds of referral as checkboxes. A browser sends nothing for a
    group with no box ticked, so the form also carries REFERRAL_KINDS_SENT
    (a hidden input): with it, nothing ticked means none; without it (a
    truncated or hand-made autosave) the note's kinds are left alone, as for
    any field a request does not carry."""

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}{REFERRAL_KINDS_SENT}" not in data and name not in data


REFERRAL_KINDS_SENT = "_sent"


# New "Follow-up" lines a note form offers, below those already written.
FOLLOW_UP_BLANK_ROWS = 3
FOLLOW_UP_PREFIX = "follow_up"
# The field of a follow-up agreed earlier: its outcome as this note records it.
EARLIER_PREFIX = "agreed_"

# A note's own follow-ups, and those agreed earlier with the client that this
# note may tick (views.notes._follow_ups_for). Loaded only when the form is
# shown: a save reads its ids from the request, and the service re-scopes them.
FollowUpLists = tuple[list[FollowUp], list[FollowUp]]


class FollowUpRowForm(PlainErrorsMixin, forms.Form):
    """One "Follow-up" line: what was agreed, in plain words, and by when. The
    hidden key is the row's own (services.FollowUpRow)."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="Follow-up",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300}),
    )
    due_on = forms.DateField(
        label="By when (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


# Rows are added by the page (blank ones with new keys), never by the
# formset's own "extra" forms, whose empty rows would carry no key.
FollowUpFormSet = forms.formset_factory(
    FollowUpRowForm, extra=0, max_num=50, absolute_max=50
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
    # Read only by the "Switch format" button (action=switch_format); the note's
    # current format travels in the hidden note_format input.
    switch_to = forms.ChoiceField(
        label="Note format", choices=NoteFormat.choices, required=False
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
    referral_kinds = forms.MultipleChoiceField(
        label="Kinds of referral made",
        choices=ReferralKind.choices,
        required=False,
        widget=ReferralKindsWidget,
        help_text="Tick what applies: the program figures count these, never "
        "the words above.",
    )

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
        self._follow_ups_loader: Callable[[], FollowUpLists] | None = None
        self._follow_up_lists: FollowUpLists | None = None
        self._follow_up_rows: Any = None
        self.too_long = False  # set by clean()
        self.fields["started_at"].required = False
        # The model's callable default would add a hidden "initial-started_at"
        # input that nothing reads (no has_changed() here), carrying the field's
        # aria-describedby: invalid HTML on a hidden input (as in clients.forms).
        self.fields["started_at"].show_hidden_initial = False
        self.fields["modality"].required = False
        texts = (self.instance.sections or {}) if self.instance.pk else {}
        self.fields["switch_to"].initial = self.instance.note_format
        for section in sections:
            self.fields[f"section_{section.key}"] = self._section_field(
                section.key, section.label, section.prompt, texts.get(section.key, "")
            )
        # Text from an earlier format with no section in this one: an editable
        # box above the note, so it can be moved into the note and then cleared.
        self.leftovers = self.instance.leftover_texts() if self.instance.pk else []
        for key, label, text in self.leftovers:
            self.fields[f"section_{key}"] = self._section_field(
                key,
                f"Left over from an earlier format: {label}",
                "This format has no section for it. Move what you want to keep "
                "into the note below, then clear this box.",
                text,
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

    @staticmethod
    def _section_field(key: str, label: str, prompt: str, text: str) -> forms.Field:
        return forms.CharField(
            label=label,
            help_text=prompt,
            required=False,
            strip=False,
            initial=text,
            widget=forms.Textarea(
                attrs={
                    "rows": 4,
                    "data-language-check": "",
                    "data-language-target": f"hints-{key}",
                }
            ),
        )

    def section_fields(self) -> list[tuple[Section, forms.BoundField]]:
        return [(s, self[f"section_{s.key}"]) for s in self.sections]

    def leftover_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(key, self[f"section_{key}"]) for key, _, _ in self.leftovers]

    def _section_keys(self) -> list[str]:
        return [s.key for s in self.sections] + [key for key, _, _ in self.leftovers]

    def _submitted(self, name: str) -> bool:
        """Whether the request carried field `name` at all. A browser always
        sends every text box and select of the form; a request without one (a
        truncated or hand-made autosave) leaves that part of the note alone."""
        widget = self.fields[name].widget
        return not widget.value_omitted_from_data(
            self.data, self.files, self.add_prefix(name)
        )

    def goal_fields(self) -> list[tuple[Goal, forms.BoundField, forms.BoundField]]:
        return [(g, self[f"score_{g.pk}"], self[f"comment_{g.pk}"]) for g in self.goals]

    def show_follow_ups(self, loader: Callable[[], FollowUpLists]) -> None:
        """Where the page's follow-ups come from (read when the form is shown,
        never for a save: views.notes._follow_ups_for)."""
        self._follow_ups_loader = loader
        self._follow_up_lists = None

    def _lists(self) -> FollowUpLists:
        if self._follow_up_lists is None:
            loader = self._follow_ups_loader
            self._follow_up_lists = loader() if loader else ([], [])
        return self._follow_up_lists

    @property
    def follow_up_rows(self) -> Any:
        """The note's "Follow-up" lines: as sent, or (unbound) those it holds
        and FOLLOW_UP_BLANK_ROWS blank ones, each with a new key."""
        if self._follow_up_rows is None:
            if self.is_bound:
                self._follow_up_rows = FollowUpFormSet(
                    self.data, prefix=FOLLOW_UP_PREFIX
                )
            else:
                own, _ = self._lists()
                self._follow_up_rows = FollowUpFormSet(
                    prefix=FOLLOW_UP_PREFIX,
                    initial=[
                        {"key": f.row_key, "text": f.text, "due_on": f.due_on}
                        for f in own
                    ]
                    + [{"key": uuid.uuid4()} for _ in range(FOLLOW_UP_BLANK_ROWS)],
                )
        return self._follow_up_rows

    def earlier_follow_ups(self) -> list[tuple[FollowUp, str]]:
        """Follow-ups agreed earlier with the client, each with the outcome the
        form shows: as typed, else as this note recorded it, else still open."""
        _, earlier = self._lists()
        shown = []
        for follow_up in earlier:
            name = f"{EARLIER_PREFIX}{follow_up.pk}"
            if self.is_bound and name in self.data:
                value = str(self.data[name])
            elif self.instance.pk and follow_up.done_in_id == self.instance.pk:
                value = follow_up.outcome
            else:
                value = FollowUpOutcome.OPEN
            shown.append((follow_up, value))
        return shown

    def valid_follow_ups(self) -> FollowUpRows | None:
        """The follow-up lines the request carried (each valid one; a line with
        an error keeps what is stored), or None when it carried none of them
        (a partial autosave)."""
        rows = self.follow_up_rows
        if not self.is_bound or not rows.management_form.is_valid():
            return None
        return [
            FollowUpRow(
                key=row.cleaned_data["key"],
                text=row.cleaned_data.get("text") or "",
                due_on=row.cleaned_data.get("due_on"),
            )
            for row in rows.forms
            if row.is_valid() and "key" in row.cleaned_data
        ]

    def valid_closings(self) -> Closings:
        """What the request says about follow-ups agreed earlier: id -> outcome,
        for each well-formed field it carried (the service re-scopes the ids
        to the note's client)."""
        closings: Closings = {}
        for name in self.data if self.is_bound else ():
            if not name.startswith(EARLIER_PREFIX):
                continue
            value = self.data.get(name)
            try:
                pk = uuid.UUID(name.removeprefix(EARLIER_PREFIX))
            except ValueError:
                continue
            if value in FollowUpOutcome.values:
                closings[pk] = str(value)
        return closings

    def clean_modality(self) -> str:
        return self.cleaned_data.get("modality") or self.instance.modality

    def clean_started_at(self) -> Any:
        value = self.cleaned_data.get("started_at")
        if value is None:
            return self.instance.started_at
        problem = started_at_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The note as it would be stored: what was sent over what is there.
        sections = {**(self.instance.sections or {}), **self._typed_sections()}
        referrals = data.get("referrals") if self._submitted("referrals") else None
        if referrals is None:
            referrals = self.instance.referrals
        length = note_length(sections, referrals)
        stored = note_length(self.instance.sections or {}, self.instance.referrals)
        # A save may always shorten a note, even one still over the limit.
        self.too_long = length > MAX_NOTE_CHARS and length > stored
        if self.too_long:
            self.add_error(None, too_long_message(length))
        rows = self.follow_up_rows
        if rows.management_form.is_valid() and any(r.errors for r in rows.forms):
            self.add_error(None, "Check the follow-up lines marked below.")
        return data

    def _typed_sections(self) -> dict[str, str]:
        return {
            key: self.cleaned_data.get(f"section_{key}", "") or ""
            for key in self._section_keys()
            if f"section_{key}" in self.cleaned_data
            and self._submitted(f"section_{key}")
        }

    # What a save keeps, even when another field has an error: valid parts only,
    # and only the parts the request carried.
    def valid_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in DRAFT_FIELDS
            if name in self.cleaned_data
            and name not in self.errors
            and self._submitted(name)
            and not (name == "referrals" and self.too_long)
        }

    def valid_sections(self) -> dict[str, str]:
        # A note over the size limit keeps its stored text: the typed text stays
        # in the boxes, with the error, to be shortened.
        return {} if self.too_long else self._typed_sections()

    def has_content(self) -> bool:
        """Whether anything was typed beyond the defaults (time and modality)."""
        typed = [
            value
            for name, value in self.valid_fields().items()
            if name not in ("started_at", "modality")
        ]
        return (
            any(str(text).strip() for text in self.valid_sections().values())
            or any(r is not None for r in self.valid_ratings().values())
            or any(row.text.strip() for row in self.valid_follow_ups() or [])
            or any(self.valid_closings().values())
            or any(value not in (None, "", []) for value in typed)
        )

    def valid_ratings(self) -> Ratings:
        """Each goal the request carried: its rating, or None when cleared (no
        score chosen). A goal the request did not carry is left out."""
        ratings: Ratings = {}
        for goal in self.goals:
            score_name, comment_name = f"score_{goal.pk}", f"comment_{goal.pk}"
            if score_name in self.errors or not (
                self._submitted(score_name) or self._submitted(comment_name)
            ):
                continue
            score = self.cleaned_data.get(score_name)
            comment = self.cleaned_data.get(comment_name) or ""
            ratings[goal.pk] = None if score is None else Rating(score, comment.strip())
        return ratings


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="I confirm this note is accurate. Once signed it cannot be changed; "
        "corrections are added as addenda.",
        error_messages={"required": "Tick the box to confirm before signing."},
    )


class AddendumForm(PlainErrorsMixin, forms.Form):
    form_token = FormTokenField()
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="For example: a correction, a late entry.",
    )
    text = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 4, **hint_attrs("addendum-hints")}),
    )


class NoteSearchForm(forms.Form):
    q = forms.CharField(label="Search notes", max_length=200)
    # Narrowing, for searches that match more notes than are shown
    # (selectors.SEARCH_CAP): part of a client's name, and dates.
    client = forms.CharField(label="Client", max_length=100, required=False)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data


class ReturnForm(PlainErrorsMixin, forms.Form):
    comment = forms.CharField(
        label="Comments for the clinician",
        widget=forms.Textarea(attrs={"rows": 4, **hint_attrs("comment-hints")}),
        help_text="They answer with an addendum, which sends the note back to you.",
        error_messages={"required": "Write a comment for the clinician."},
    )


COUNSELING_TEXT_HELP = (
    "For you alone (and your supervisor while you are in supervised training): "
    "kept apart from the session note, never shared, never needed for care or "
    "billing. Every version is kept."
)


def _counseling_text_field() -> forms.CharField:
    return forms.CharField(
        label="Counseling note",
        max_length=MAX_NOTE_CHARS,
        help_text=COUNSELING_TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": 10, **hint_attrs("counseling-hints")}),
        error_messages={"required": "Write the counseling note before saving it."},
    )


class SessionChoiceField(forms.ModelChoiceField):
    """A session by its date and status (never its text)."""

    def label_from_instance(self, obj: Any) -> str:
        when = timezone.localtime(obj.started_at)
        return f"{when:%d %b %Y %H:%M} ({obj.get_status_display().lower()})"


class CounselingNoteForm(PlainErrorsMixin, forms.Form):
    """A new counseling note; `sessions` are the author's own sessions with
    this client (the only ones it may be tied to)."""

    form_token = FormTokenField()
    session = SessionChoiceField(
        label="Tied to a session (optional)",
        queryset=TherapySession.objects.none(),
        required=False,
        empty_label="Not tied to a session",
    )
    text = _counseling_text_field()

    def __init__(
        self, *args: Any, sessions: QuerySet[TherapySession], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, SessionChoiceField)
        field.queryset = sessions


class CounselingNoteEditForm(PlainErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = _counseling_text_field()


class CheckInForm(PlainErrorsMixin, forms.Form):
    """The relationship check-in (sessions.checkin_items), every part
    optional: an item not chosen is left unanswered."""

    form_token = FormTokenField()
    entered_how = forms.ChoiceField(
        label="Who is typing",
        choices=EnteredHow.choices,
        initial=EnteredHow.WITH_CLINICIAN,
        widget=forms.RadioSelect,
    )
    words = forms.CharField(
        label=WORDS_PROMPT,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In their words. Optional.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in CHECKIN_ITEMS:
            self.fields[item.key] = ScoreField(
                label=item.wording,
                required=False,
                empty_value=None,
                help_text="0 is not at all, 10 is completely. Leave it if they "
                "would rather not say.",
            )

    def score_fields(self) -> list[forms.BoundField]:
        return [self[item.key] for item in CHECKIN_ITEMS]

    def answers(self) -> dict[str, int | None]:
        return {item.key: self.cleaned_data.get(item.key) for item in CHECKIN_ITEMS}
