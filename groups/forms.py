"""Forms of the groups pages. Every id that arrives is re-scoped: members among
the clients the person may see, facilitators among active clinical staff."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from appointments.forms import RepeatForm
from clients.models import Client
from groups.models import AttendanceStatus, Group, GroupMeeting
from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin
from sessions.formats import NoteFormat, Section
from sessions.models import MAX_NOTE_CHARS, TherapySession
from sessions.services import started_at_problem
from staff.models import Role, User


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "chosen_name", None) or getattr(obj, "name", ""))


def member_choices(user: User) -> QuerySet[Client]:
    """The people `user` may put in a group: open records they may see as
    their care team (never through an emergency-access grant)."""
    return (
        Client.objects.visible_to(user, emergency=False)
        .open()
        .order_by("chosen_name", "id")
    )


class GroupForm(PlainErrorsMixin, forms.ModelForm):  # type: ignore[type-arg]
    form_token = FormTokenField()
    facilitators = PersonChoiceField(
        label="Facilitating with you (optional)",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = PersonChoiceField(
        label="Members",
        queryset=Client.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People on your caseload (or your team's). More can join later.",
    )

    class Meta:
        model = Group
        fields = ["name", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": "Shown on members' notes: name the group, not the people in it.",
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True, role__in=[Role.CLINICIAN, Role.SUPERVISOR]
            )
            .exclude(pk=user.pk)
            .order_by("first_name", "last_name", "pk")
        )
        self.fields["members"].queryset = member_choices(user)  # type: ignore[attr-defined]


class MemberAddForm(PlainErrorsMixin, forms.Form):
    client = forms.ModelChoiceField(label="Who joins", queryset=Client.objects.none())
    joined_on = forms.DateField(
        label="Joined on",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: User, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["client"]
        field.queryset = member_choices(user).exclude(  # type: ignore[attr-defined]
            group_memberships__group=group, group_memberships__left_on__isnull=True
        )
        field.label_from_instance = lambda c: c.chosen_name  # type: ignore[attr-defined]


class MemberLeaveForm(PlainErrorsMixin, forms.Form):
    left_on = forms.DateField(
        label="Left on",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MeetingForm(PlainErrorsMixin, RepeatForm, forms.ModelForm):  # type: ignore[type-arg]
    """A meeting, or a series of them at the same local time (every week, two
    weeks or month, until a date or a number of times), as appointments
    repeat. RepeatForm comes before ModelForm: its clean() calls on to the
    model form's."""

    form_token = FormTokenField()

    class Meta:
        model = GroupMeeting
        fields = ["starts_at", "duration_minutes", "place", "note_format"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "duration_minutes": forms.NumberInput(
                attrs={"min": 1, "max": 1440, "inputmode": "numeric"}
            ),
        }
        labels = {"note_format": "Members' notes start in this format"}

    def clean_starts_at(self) -> Any:
        value = self.cleaned_data["starts_at"]
        if value is not None and value.year < 1900:
            raise forms.ValidationError(
                "Check the year: a meeting cannot be dated before 1900."
            )
        return value


ATTENDANCE_CHOICES = [("", "Not recorded yet"), *AttendanceStatus.choices]


def attendance_name(client_id: uuid.UUID) -> str:
    return f"att-{client_id}"


def note_field_name(client_id: uuid.UUID, key: str) -> str:
    return f"note-{client_id}-{key}"


class MeetingRecordForm(PlainErrorsMixin, forms.Form):
    """The meeting page: the shared part, who came, and each member's note,
    in one form that saves as it is typed. Field names carry client ids
    (never names); only the members the page was built for are read, so a
    posted id for anyone else is ignored."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    topic = forms.CharField(
        label="Topic",
        max_length=200,
        required=False,
        help_text="What the group is about today.",
    )
    what_we_did = forms.CharField(
        label="What the group did",
        required=False,
        strip=False,
        max_length=MAX_NOTE_CHARS,
        help_text='About the group as a whole ("the group talked about…"): every '
        "member's record shows it. No names.",
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "data-language-check": "",
                "data-language-target": "hints-what_we_did",
            }
        ),
    )

    def __init__(
        self,
        *args: Any,
        meeting: GroupMeeting,
        members: list[Client],
        notes: dict[uuid.UUID, TherapySession],
        sections_of: dict[uuid.UUID, tuple[Section, ...]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.members = members
        self.notes = notes
        self.sections_of = sections_of
        for person in members:
            self.fields[attendance_name(person.pk)] = forms.ChoiceField(
                label=f"Did {person.chosen_name} come?",
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )
            note = notes.get(person.pk)
            self.fields[note_field_name(person.pk, "version")] = forms.IntegerField(
                widget=forms.HiddenInput,
                required=False,
                initial=note.version if note else None,
            )
            texts = (note.sections or {}) if note else {}
            for section in sections_of[person.pk]:
                self.fields[note_field_name(person.pk, section.key)] = forms.CharField(
                    label=section.label,
                    required=False,
                    strip=False,
                    max_length=MAX_NOTE_CHARS,
                    initial=texts.get(section.key, ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problem = started_at_problem(self.meeting.starts_at)
        if problem and any(
            str(self.cleaned_data.get(name) or "").strip()
            for name in self.fields
            if name.startswith("note-") and not name.endswith("-version")
        ):
            self.add_error(None, "Notes can be written once the meeting has started.")
        return data

    def _submitted(self, name: str) -> bool:
        widget = self.fields[name].widget
        return not widget.value_omitted_from_data(
            self.data, self.files, self.add_prefix(name)
        )

    def valid_shared(self) -> dict[str, str]:
        """The shared part's boxes the request carried and that are valid."""
        return {
            name: self.cleaned_data.get(name) or ""
            for name in ("topic", "what_we_did")
            if name in self.cleaned_data
            and name not in self.errors
            and self._submitted(name)
        }

    def valid_attendance(self) -> dict[uuid.UUID, str]:
        """Who came, for each member the request carried an answer for."""
        found: dict[uuid.UUID, str] = {}
        for person in self.members:
            name = attendance_name(person.pk)
            if name in self.errors or not self._submitted(name):
                continue
            found[person.pk] = self.cleaned_data.get(name) or ""
        return found

    def valid_notes(self) -> list[tuple[Client, int | None, dict[str, str]]]:
        """Each member's note as sent: (client, the version the page showed,
        the sections the request carried)."""
        rows = []
        for person in self.members:
            sections = {
                s.key: self.cleaned_data.get(note_field_name(person.pk, s.key)) or ""
                for s in self.sections_of[person.pk]
                if note_field_name(person.pk, s.key) in self.cleaned_data
                and note_field_name(person.pk, s.key) not in self.errors
                and self._submitted(note_field_name(person.pk, s.key))
            }
            version = self.cleaned_data.get(note_field_name(person.pk, "version"))
            rows.append((person, version, sections))
        return rows


class SignAllForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="I have read each note. Sign them all: once signed they cannot be "
        "changed; corrections are added as addenda.",
        error_messages={"required": "Tick the box to confirm before signing."},
    )

    def __init__(self, *args: Any, notes: list[TherapySession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes = notes
        for note in notes:
            self.fields[f"note-{note.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=note.version
            )

    def note_versions(self) -> dict[uuid.UUID, int]:
        return {
            note.pk: self.cleaned_data[f"note-{note.pk}"]
            for note in self.notes
            if self.cleaned_data.get(f"note-{note.pk}") is not None
        }


def default_format(user: User) -> str:
    from sessions.services import default_note_format

    return default_note_format(user) or NoteFormat.HARM_REDUCTION
