"""Reads for the groups pages. Each starts from a scoped queryset
(Group.objects.visible_to, TherapySession.objects.visible_to) and costs a fixed
number of queries whatever the number of members."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import Client
from groups import privacy
from groups.models import Attendance, Group, GroupMeeting, GroupMembership
from groups.services import members_on
from sessions.formats import Section, sections_for
from sessions.models import SessionStatus, TherapySession
from staff.models import User


def group_list(*, user: User) -> QuerySet[Group]:
    """The groups `user` facilitates, each with its number of current members
    (`member_count`) and its latest meeting's time (`last_meeting_at`). One
    query."""
    members = (
        GroupMembership.objects.filter(group=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("group")
        .annotate(n=Count("*"))
        .values("n")
    )
    last = (
        GroupMeeting.objects.filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(at=Max("starts_at"))
        .values("at")
    )
    return (
        Group.objects.visible_to(user)
        .annotate(
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
            last_meeting_at=Subquery(last),
        )
        .order_by("name", "created_at")
    )


def group_memberships(*, group: Group) -> list[GroupMembership]:
    """Everyone who has been in `group`, current members first, with their
    clients. One query."""
    return list(
        GroupMembership.objects.filter(group=group)
        .select_related("client")
        .order_by(
            F("left_on").asc(nulls_first=True),
            "client__chosen_name",
            "client_id",
            "joined_on",
        )
    )


def group_meetings(*, group: Group) -> QuerySet[GroupMeeting]:
    """The group's meetings, newest first, with how many came to each."""
    return group.meetings.annotate(
        came=Count(
            "attendance",
            filter=Q(attendance__status__in=["attended", "left_early"]),
        )
    ).order_by("-starts_at")


def meeting_notes(
    *, user: User, meeting: GroupMeeting
) -> dict[uuid.UUID, TherapySession]:
    """The meeting's notes that count (drafts and signed notes, not discarded
    or handed over), by client id, within what `user` may see. One query."""
    return {
        n.client_id: n
        for n in TherapySession.objects.visible_to(user)
        .filter(
            group_meeting=meeting,
            status__in=[SessionStatus.DRAFT, SessionStatus.SIGNED],
            handed_over_at__isnull=True,
        )
        .order_by("created_at")
    }


@dataclass
class MeetingPage:
    """Everything the meeting page and the sign-all review show: the members
    of the meeting's day (and anyone recorded at it since), who came, each
    member's note, each note's sections, and the name-leak warnings."""

    meeting: GroupMeeting
    members: list[Client]
    memberships: list[GroupMembership]
    attendance: dict[uuid.UUID, Attendance]
    notes: dict[uuid.UUID, TherapySession]
    sections_of: dict[uuid.UUID, tuple[Section, ...]]
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def names_other_than(self, client_id: uuid.UUID | None) -> list[str]:
        return [c.chosen_name for c in self.members if c.pk != client_id]


def meeting_page(*, user: User, meeting: GroupMeeting) -> MeetingPage:
    """The meeting page's data for `user` (who opened `meeting` as its
    facilitator). Four queries whatever the number of members, five when
    someone recorded at the meeting has left the group since."""
    day = timezone.localdate(meeting.starts_at)
    memberships = list(members_on(meeting.group, day))
    attendance = {a.client_id: a for a in Attendance.objects.filter(meeting=meeting)}
    notes = meeting_notes(user=user, meeting=meeting)
    members = [m.client for m in memberships]
    known = {c.pk for c in members}
    extra = (set(attendance) | set(notes)) - known
    if extra:
        members += list(
            Client.objects.filter(pk__in=extra).order_by("chosen_name", "id")
        )
    sections_of = {
        c.pk: sections_for(
            notes[c.pk].note_format if c.pk in notes else meeting.note_format
        )
        for c in members
    }
    return MeetingPage(
        meeting=meeting,
        members=members,
        memberships=memberships,
        attendance=attendance,
        notes=notes,
        sections_of=sections_of,
    )


def leak_warnings(
    page: MeetingPage,
    shared_text: str,
    note_texts: dict[uuid.UUID, str],
) -> dict[str, list[str]]:
    """Where another member's name appears (groups.privacy): in the shared
    part (any member's name: every member's record shows it) or in a member's
    note (anyone's but theirs). Keyed "shared" or by client id; only boxes
    that name someone."""
    warnings: dict[str, list[str]] = {}
    found = privacy.names_in(shared_text, page.names_other_than(None))
    if found:
        warnings["shared"] = found
    for person in page.members:
        text = note_texts.get(person.pk, "")
        found = privacy.names_in(text, page.names_other_than(person.pk))
        if found:
            warnings[str(person.pk)] = found
    return warnings


def meetings_between(
    *, user: User, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[GroupMeeting]:
    """The meetings of groups `user` facilitates starting in [start, end), in
    time order, with their group: for Today (which reads them as values, naming
    no member), one query."""
    return (
        GroupMeeting.objects.visible_to(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "id")
    )
