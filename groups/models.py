"""Groups (issue #24): a group, its members over time, its meetings, and who
came to each. Each member's note of a meeting is an ordinary TherapySession
of that member (`TherapySession.group_meeting`): it signs, locks, takes
addenda and co-signature like any other note and sits on their timeline.

Nothing here is ever deleted (PostgreSQL refuses it, migration
`groups_kept`): a member leaving is a date, a signed meeting never changes.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from clients.access import group_visibility
from clients.models import Client
from hr_clinic.lib.urls import record_url
from sessions.formats import NoteFormat

if TYPE_CHECKING:
    from staff.models import User

# The most text the shared part holds, as for one note (sessions.models).
MAX_SHARED_CHARS = 50_000
EARLIEST_START = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


class GroupQuerySet(models.QuerySet["Group"]):
    def visible_to(self, user: User) -> GroupQuerySet:
        """Groups `user` facilitates (clients.access.group_visibility).
        Everyone else, admins included, sees none: a group's page lists its
        members, and a member's own clinician reads their group notes through
        the member's record instead."""
        rule = group_visibility(user)
        return self.none() if rule is None else self.filter(rule)


class Group(models.Model):
    """A skills group, a drop-in circle, a peer group: run by one or more
    facilitators (staff), with members who join and leave on dates."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    purpose = models.TextField(blank=True, max_length=2000)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_groups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The token of the form that created it (hr_clinic.lib.form_tokens).
    form_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="group_has_name"),
            models.UniqueConstraint(
                fields=["created_by", "form_token"], name="group_one_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"group {self.pk}"

    def get_absolute_url(self) -> str:
        return record_url("groups:detail", self.pk)


class GroupMembership(models.Model):
    """One person's time in a group: from `joined_on` until `left_on` (open
    while empty). Never deleted; leaving is a date (PostgreSQL lets only an
    open membership's `left_on` be set)."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="members")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="group_memberships"
    )
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["joined_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="group_membership_left_after_joined",
            ),
            # One open membership per person and group: joining again after
            # leaving is a new row, the old one kept.
            models.UniqueConstraint(
                fields=["group", "client"],
                condition=Q(left_on__isnull=True),
                name="group_membership_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"membership {self.pk} of group {self.group_id}"

    def member_on(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class GroupMeetingQuerySet(models.QuerySet["GroupMeeting"]):
    def visible_to(self, user: User) -> GroupMeetingQuerySet:
        """Meetings of the groups `user` facilitates (as GroupQuerySet)."""
        rule = group_visibility(user, field="group")
        return self.none() if rule is None else self.filter(rule)


class GroupMeeting(models.Model):
    """One meeting of a group and its shared part: the topic and what the group
    did, written once, about the group ("the group talked about…"), shown on
    every attending member's note. Saved as the facilitator types (`version`,
    as for notes), locked when its notes are signed together (PostgreSQL
    refuses any change to a signed meeting, migration `groups_kept`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField("date and time")
    duration_minutes = models.PositiveSmallIntegerField("duration (minutes)")
    place = models.CharField(max_length=200, blank=True)
    # The format new members' notes start in; each note can switch on its own
    # form, as any note can.
    note_format = models.CharField(
        max_length=10, choices=NoteFormat.choices, default=NoteFormat.HARM_REDUCTION
    )
    topic = models.CharField(max_length=200, blank=True)
    what_we_did = models.TextField("what the group did", blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    form_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GroupMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["group", "-starts_at"], name="meeting_group_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values),
                name="meeting_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=MeetingStatus.DRAFT, signed_at__isnull=True)
                | Q(
                    status=MeetingStatus.SIGNED,
                    signed_at__isnull=False,
                    signed_by__isnull=False,
                ),
                name="meeting_signed_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__gte=EARLIEST_START),
                name="meeting_started_after_1900",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
                name="meeting_duration_sensible",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("what_we_did"), MAX_SHARED_CHARS),
                name="meeting_shared_part_not_too_long",
            ),
            models.UniqueConstraint(
                fields=["group", "created_by", "form_token"],
                name="meeting_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"meeting {self.pk} of group {self.group_id}"

    def get_absolute_url(self) -> str:
        return record_url("groups:meeting", self.pk)

    @property
    def is_signed(self) -> bool:
        return self.status == MeetingStatus.SIGNED


class AttendanceStatus(models.TextChoices):
    """Who came. Neutral words: "didn't make it" is a prompt to reach out,
    never a strike (docs/design.md, product rule 2)."""

    ATTENDED = "attended", "Came"
    LEFT_EARLY = "left_early", "Left early"
    DIDNT_MAKE_IT = "didnt_make_it", "Didn't make it"


# Those who were there, for all or part of it: each has their own note.
WAS_THERE = (AttendanceStatus.ATTENDED, AttendanceStatus.LEFT_EARLY)


class Attendance(models.Model):
    """Whether one member came to one meeting. Changes while the meeting is a
    draft; locked with it (PostgreSQL). A "didn't make it" becomes, when the
    meeting is signed, an appointment of the member's own with that outcome
    (`appointment`), which the reach-out rule reads as it reads any other."""

    meeting = models.ForeignKey(
        GroupMeeting, on_delete=models.PROTECT, related_name="attendance"
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="group_attendance"
    )
    status = models.CharField(max_length=16, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointment = models.OneToOneField(
        "appointments.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="group_attendance",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AttendanceStatus.values),
                name="attendance_status_valid",
            ),
            models.UniqueConstraint(
                fields=["meeting", "client"], name="attendance_one_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"attendance {self.pk} at meeting {self.meeting_id}"

    @property
    def was_there(self) -> bool:
        return self.status in WAS_THERE
