"""Writes to groups (issue #24): groups and their members, meetings, who came,
the shared part, each member's note, and signing a meeting's notes together.

Every write checks that the person facilitates the group (the views open it
through clients.access, so this is the service's own check, as notes keep
theirs) and records an audit event with ids only: a group's events name the
members' client ids in `detail`, never a name or a word of the notes.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from appointments.services import (
    Plan,
    appointment_record_missed_group,
    planned_starts,
)
from audit import services as audit
from audit.models import Action
from clients.models import Client
from groups.models import (
    WAS_THERE,
    Attendance,
    AttendanceStatus,
    Group,
    GroupMeeting,
    GroupMembership,
    MeetingStatus,
)
from hr_clinic.lib.form_tokens import create_once, same_values
from sessions import services as notes
from sessions.models import Modality, SessionStatus, TherapySession
from sessions.services import VersionConflict, started_at_problem
from staff.models import Role, User

GROUP = "group"
MEETING = "group_meeting"
MEMBERSHIP = "group_membership"
# A member's note of a meeting is made with a form token of its own, the same
# on every save of that member's boxes in that meeting: the notes' own
# double-submit rule (one record per token, racing saves land on it) then
# makes one note per member and meeting, however often the page is sent.
_NOTE_TOKENS = uuid.UUID("6d1c3e7e-6f4b-4c51-9a55-2b9a6c0e2a24")


def note_token(meeting: GroupMeeting, client_id: uuid.UUID) -> uuid.UUID:
    """The form token of `client_id`'s note of `meeting`."""
    return uuid.uuid5(_NOTE_TOKENS, f"{meeting.pk}:{client_id}")


def _audit(
    by: User, action: str, kind: str, pk: object, clients: Iterable[Any] = ()
) -> None:
    audit.record(
        actor=by,
        action=action,
        object_type=kind,
        object_id=str(pk),
        detail={"clients": [str(c) for c in dict.fromkeys(clients)]},
    )


def facilitates(user: User, group: Group) -> bool:
    return group.facilitators.filter(pk=user.pk).exists()


def _check_facilitator(user: User, group: Group) -> None:
    if not facilitates(user, group):
        raise ValidationError("Only the group's facilitators can do this.")


def _check_caseload_role(user: User) -> None:
    if user.role not in (Role.CLINICIAN, Role.SUPERVISOR) or not user.is_active:
        raise ValidationError("Groups are run by clinicians and supervisors.")


@transaction.atomic
def group_create(
    *,
    by: User,
    name: str,
    purpose: str,
    facilitators: Iterable[User],
    members: Iterable[Client],
    joined_on: datetime.date | None = None,
    form_token: uuid.UUID | None = None,
) -> Group:
    """A new group run by `by` and any other `facilitators` (active clinicians
    or supervisors), with `members` joining on `joined_on` (today). `members`
    must already be scoped by the caller to clients `by` may see. A re-sent
    form (same token, same name) returns the group it made; the same token
    with another name raises FormAlreadyUsed. Raises ValidationError for an
    empty name or a facilitator who cannot run a group."""
    _check_caseload_role(by)
    people = {by.pk: by, **{p.pk: p for p in facilitators}}
    for person in people.values():
        if person.role not in (Role.CLINICIAN, Role.SUPERVISOR) or not person.is_active:
            raise ValidationError("Facilitators are active clinicians or supervisors.")
    typed = {"name": name.strip(), "purpose": purpose.strip()}
    members = list(members)
    joined_on = joined_on or timezone.localdate()

    def create() -> Group:
        group = Group(created_by=by, form_token=form_token, **typed)
        group.full_clean(exclude=["form_token"])
        group.save()
        group.facilitators.set(people.values())
        GroupMembership.objects.bulk_create(
            GroupMembership(group=group, client=c, joined_on=joined_on, added_by=by)
            for c in members
        )
        _audit(by, Action.CREATE, GROUP, group.pk, (c.pk for c in members))
        return group

    group, _ = create_once(
        earlier=Group.objects.filter(created_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already made a group. To make another one, check "
        "it and press Create again.",
    )
    return group


@transaction.atomic
def membership_add(
    *, group: Group, by: User, client: Client, joined_on: datetime.date
) -> GroupMembership:
    """`client` (scoped by the caller to those `by` may see) joins `group` on
    `joined_on`. Joining again while already a member returns the open
    membership (a repeated submit). Raises ValidationError unless `by`
    facilitates the group."""
    _check_facilitator(by, group)
    existing = GroupMembership.objects.filter(
        group=group, client=client, left_on__isnull=True
    ).first()
    if existing is not None:
        return existing
    membership = GroupMembership(
        group=group, client=client, joined_on=joined_on, added_by=by
    )
    membership.full_clean()
    membership.save()
    _audit(by, Action.CREATE, MEMBERSHIP, membership.pk, [client.pk])
    return membership


@transaction.atomic
def membership_end(
    *, membership: GroupMembership, by: User, left_on: datetime.date
) -> GroupMembership:
    """The member leaves the group on `left_on`: a date, never a deletion
    (their attendance and notes stay). Ending an ended membership again
    changes nothing. Raises ValidationError unless `by` facilitates the group,
    or for a date before they joined."""
    membership = GroupMembership.objects.select_for_update().get(pk=membership.pk)
    _check_facilitator(by, membership.group)
    if membership.left_on is not None:
        return membership
    if left_on < membership.joined_on:
        raise ValidationError("They can only leave on or after the day they joined.")
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    _audit(by, Action.UPDATE, MEMBERSHIP, membership.pk, [membership.client_id])
    return membership


def members_on(group: Group, day: datetime.date) -> QuerySet[GroupMembership]:
    """The memberships of `group` that cover `day`, with their clients."""
    return (
        GroupMembership.objects.filter(group=group, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("client")
        .order_by("client__chosen_name", "client_id")
    )


@transaction.atomic
def meeting_create(
    *,
    group: Group,
    by: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str,
    note_format: str,
    form_token: uuid.UUID | None = None,
    plan: Plan | None = None,
) -> GroupMeeting:
    """A meeting of `group`, to record now or later; with `plan`, a series of
    them at `starts_at`'s local time on each date of the plan (10:00 stays
    10:00 across a daylight-saving change, as for appointments), each a
    meeting of its own, recorded and signed on its own. Returns the first. A
    re-sent form (same token, same time) returns the meeting it made and
    makes nothing more. Raises ValidationError unless `by` facilitates the
    group, for a date before 1900, or for a plan without an end (as
    appointments.services.series_dates)."""
    _check_facilitator(by, group)
    typed = {
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "place": place.strip(),
        "note_format": note_format,
    }
    starts = planned_starts(starts_at, plan)

    def create() -> GroupMeeting:
        # The form's token goes on the first only: it is what a re-sent form
        # finds (meeting_one_per_form), and the rest came from the same send.
        meetings = []
        for index, start in enumerate(starts):
            meeting = GroupMeeting(
                group=group,
                created_by=by,
                form_token=form_token if index == 0 else None,
                **{**typed, "starts_at": start},
            )
            meeting.full_clean(exclude=["form_token"])
            meeting.save()
            _audit(by, Action.CREATE, MEETING, meeting.pk)
            meetings.append(meeting)
        return meetings[0]

    meeting, _ = create_once(
        earlier=GroupMeeting.objects.filter(group=group, created_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already added a meeting. To add another one, check "
        "it and press Add again.",
    )
    return meeting


class MeetingConflict(Exception):
    """The meeting's shared part or attendance changed since the page opened
    (another tab, another facilitator). Carries the meeting as it is now."""

    def __init__(self, current: GroupMeeting) -> None:
        super().__init__(f"meeting {current.pk} is at version {current.version}")
        self.current = current


def _check_open(meeting: GroupMeeting) -> None:
    if meeting.is_signed:
        raise ValidationError(
            "This meeting's notes are signed. Add an addendum to a note instead."
        )


@transaction.atomic
def meeting_save(
    *,
    meeting: GroupMeeting,
    by: User,
    expected_version: int | None,
    shared: Mapping[str, str],
    attendance: Mapping[uuid.UUID, str],
) -> GroupMeeting:
    """Save the shared part (`shared`: "topic" and "what_we_did", only those
    given) and who came (`attendance`: client id -> an AttendanceStatus, or ""
    for not recorded yet, which leaves a recorded answer as it is: nothing is
    blanked by a partial save). Only the meeting's members on its day are
    recorded; any other id is left alone. Raises MeetingConflict when the
    meeting changed since `expected_version` (unless this save carries what is
    stored, as a repeated submit does), ValidationError when it is signed,
    `by` does not facilitate the group or the text is too long."""
    meeting = (
        GroupMeeting.objects.select_for_update()
        .select_related("group")
        .get(pk=meeting.pk)
    )
    _check_facilitator(by, meeting.group)
    _check_open(meeting)
    shared = {k: v for k, v in shared.items() if k in ("topic", "what_we_did")}
    members = set(
        members_on(meeting.group, timezone.localdate(meeting.starts_at)).values_list(
            "client_id", flat=True
        )
    )
    wanted = {
        pk: status
        for pk, status in attendance.items()
        if pk in members and status in AttendanceStatus.values
    }
    stored = {a.client_id: a for a in Attendance.objects.filter(meeting=meeting)}
    changed_attendance = {
        pk: status
        for pk, status in wanted.items()
        if pk not in stored or stored[pk].status != status
    }
    changed_shared = {k: v for k, v in shared.items() if getattr(meeting, k) != v}
    if expected_version != meeting.version:
        if not changed_shared and not changed_attendance:
            return meeting  # a repeated save of what is already stored
        raise MeetingConflict(meeting)
    if not changed_shared and not changed_attendance:
        return meeting
    for name, value in changed_shared.items():
        setattr(meeting, name, value)
    meeting.full_clean(exclude=["form_token"], validate_unique=False)
    for pk, status in changed_attendance.items():
        if pk in stored:
            stored[pk].status = status
            stored[pk].recorded_by = by
            stored[pk].save(update_fields=["status", "recorded_by", "updated_at"])
        else:
            Attendance.objects.create(
                meeting=meeting, client_id=pk, status=status, recorded_by=by
            )
    meeting.version += 1
    meeting.save()
    _audit(by, Action.UPDATE, MEETING, meeting.pk, changed_attendance)
    return meeting


def member_note_save(
    *,
    meeting: GroupMeeting,
    by: User,
    client: Client,
    expected_version: int | None,
    sections: dict[str, str],
) -> TherapySession:
    """Save `client`'s note of `meeting` as a draft (made on its first save,
    with the meeting's time, length and place and the group modality), through
    the notes' own draft service: the same version conflict
    (sessions.services.VersionConflict) and double-submit rules, and the same
    refusals (someone else's draft, a signed note, a meeting in the future).
    Raises ValidationError unless `by` facilitates the group and the member
    came (attended or left early)."""
    _check_facilitator(by, meeting.group)
    _check_open(meeting)
    came = Attendance.objects.filter(
        meeting=meeting, client=client, status__in=WAS_THERE
    ).exists()
    if not came:
        raise ValidationError(
            "Mark them as came or left early to keep a note for them."
        )
    token = note_token(meeting, client.pk)
    session = TherapySession.objects.filter(form_token=token, client=client).first()
    fields: dict[str, Any] = {}
    if session is None:
        fields = {
            "started_at": meeting.starts_at,
            "duration_minutes": meeting.duration_minutes,
            "modality": Modality.GROUP,
            "location": meeting.place,
        }
    return notes.therapy_session_save_draft(
        client=client,
        by=by,
        session=session,
        expected_version=expected_version,
        form_token=token,
        note_format=session.note_format if session else meeting.note_format,
        fields=fields,
        sections=sections,
        ratings={},
        group_meeting=meeting,
    )


@dataclass
class NoteEntry:
    """What the meeting page sends for one member's note."""

    client: Client
    expected_version: int | None
    sections: dict[str, str]

    def has_content(self) -> bool:
        return any(text.strip() for text in self.sections.values())


@dataclass
class RecordResult:
    """What a save of the meeting page did: the meeting as saved (or as it
    is, on a conflict), each member's note as saved, and what was refused,
    part by part (a conflict or a problem in one note saves the others)."""

    meeting: GroupMeeting
    notes: dict[uuid.UUID, TherapySession] = field(default_factory=dict)
    meeting_conflict: GroupMeeting | None = None
    note_conflicts: dict[uuid.UUID, TherapySession] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_conflict(self) -> bool:
        return self.meeting_conflict is not None or bool(self.note_conflicts)


def meeting_record(
    *,
    meeting: GroupMeeting,
    by: User,
    expected_version: int | None,
    shared: Mapping[str, str],
    attendance: Mapping[uuid.UUID, str],
    entries: Iterable[NoteEntry],
) -> RecordResult:
    """One save of the meeting page: the shared part and who came first, then
    each member's note that has text or already exists. Each part is its own
    transaction, so one part's conflict or problem never loses another's
    text: the result says what was refused (errors keyed "meeting" or by the
    client's id)."""
    result = RecordResult(meeting=meeting)
    try:
        result.meeting = meeting_save(
            meeting=meeting,
            by=by,
            expected_version=expected_version,
            shared=shared,
            attendance=attendance,
        )
    except MeetingConflict as exc:
        result.meeting = exc.current
        result.meeting_conflict = exc.current
    except ValidationError as exc:
        result.errors["meeting"] = exc.messages
        return result
    for entry in entries:
        if entry.expected_version is None and not entry.has_content():
            continue
        try:
            result.notes[entry.client.pk] = member_note_save(
                meeting=result.meeting,
                by=by,
                client=entry.client,
                expected_version=entry.expected_version,
                sections=entry.sections,
            )
        except VersionConflict as exc:
            result.note_conflicts[entry.client.pk] = exc.current
        except ValidationError as exc:
            result.errors[str(entry.client.pk)] = exc.messages
    return result


def sign_all_problems(
    meeting: GroupMeeting,
    by: User,
    members: list[GroupMembership],
    attendance: dict[uuid.UUID, Attendance],
    meeting_notes: dict[uuid.UUID, TherapySession],
) -> list[str]:
    """What stops `by` signing the meeting's notes together now, in plain
    words (a member's chosen name is shown to the facilitator, who knows the
    group). Never anything about anyone's use."""
    problems = []
    if meeting.is_signed:
        return ["This meeting's notes are already signed."]
    problem = started_at_problem(meeting.starts_at)
    if problem or meeting.starts_at > timezone.now():
        problems.append("This meeting has not happened yet.")
    for membership in members:
        person = membership.client
        came = attendance.get(person.pk)
        note = meeting_notes.get(person.pk)
        if came is None:
            problems.append(f"Record whether {person.chosen_name} came.")
        elif came.was_there and note is None:
            problems.append(f"Write {person.chosen_name}'s note.")
        elif not came.was_there and note is not None and note.is_draft:
            problems.append(
                f"{person.chosen_name} is marked as didn't make it but has a draft "
                "note: mark them as came, or discard that draft from its page."
            )
        if note is None or not note.is_draft:
            continue
        if note.clinician_id != by.pk:
            problems.append(
                f"{person.chosen_name}'s note was written by someone else: its "
                "author signs it first."
            )
            continue
        problems.extend(
            f"{person.chosen_name}: {p.message}" for p in notes.sign_problems(note)
        )
    return problems


def _mirror_didnt_make_it(
    meeting: GroupMeeting, by: User, attendance: Iterable[Attendance]
) -> None:
    """Each member who didn't make it gets an appointment of their own at the
    meeting's time with that outcome (modality group), in their own clinician's
    diary: the reach-out rule, Today and the team week then see it exactly as
    they see any appointment someone didn't make it to. Made once, when the
    meeting is signed and who came is final."""
    for row in attendance:
        if row.status != AttendanceStatus.DIDNT_MAKE_IT or row.appointment_id:
            continue
        appointment = appointment_record_missed_group(
            client=row.client,
            by=by,
            starts_at=meeting.starts_at,
            duration_minutes=meeting.duration_minutes,
            place=meeting.place,
        )
        row.appointment = appointment
        row.save(update_fields=["appointment", "updated_at"])


@transaction.atomic
def meeting_sign_all(
    *,
    meeting: GroupMeeting,
    by: User,
    expected_version: int,
    note_versions: Mapping[uuid.UUID, int],
) -> list[TherapySession]:
    """Sign every draft note of the meeting and lock its shared part and
    attendance, in one transaction: all of it or none. `expected_version` and
    `note_versions` (note id -> version) are what the review page showed;
    anything changed since raises MeetingConflict (the meeting) or
    VersionConflict (a note), so nobody signs what they did not review.
    Raises ValidationError listing sign_all_problems. Each note is signed by
    the notes' own service (PostgreSQL locks it); those who didn't make it
    get their appointment with that outcome (_mirror_didnt_make_it)."""
    meeting = (
        GroupMeeting.objects.select_for_update()
        .select_related("group")
        .get(pk=meeting.pk)
    )
    _check_facilitator(by, meeting.group)
    if meeting.version != expected_version and not meeting.is_signed:
        raise MeetingConflict(meeting)
    members = list(members_on(meeting.group, timezone.localdate(meeting.starts_at)))
    attendance = {
        a.client_id: a
        for a in Attendance.objects.filter(meeting=meeting).select_related("client")
    }
    meeting_notes = {
        n.client_id: n
        for n in TherapySession.objects.select_for_update().filter(
            group_meeting=meeting,
            status__in=[SessionStatus.DRAFT, SessionStatus.SIGNED],
            handed_over_at__isnull=True,
        )
    }
    problems = sign_all_problems(meeting, by, members, attendance, meeting_notes)
    if problems:
        raise ValidationError(problems)
    signed = []
    for note in meeting_notes.values():
        if not note.is_draft:
            continue
        if note_versions.get(note.pk) != note.version:
            raise VersionConflict(note)
        signed.append(
            notes.therapy_session_sign(
                session=note, by=by, expected_version=note.version
            )
        )
    _mirror_didnt_make_it(meeting, by, attendance.values())
    meeting.status = MeetingStatus.SIGNED
    meeting.signed_at = timezone.now()
    meeting.signed_by = by
    meeting.version += 1
    meeting.save()
    _audit(by, Action.SIGN, MEETING, meeting.pk, attendance)
    return signed
