"""A fictional demo group for `manage.py seed_demo` (issue #24): the demo
clinician's skills group of four of their demo clients, with a meeting last
week whose attendance, shared part and notes are recorded and signed."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from groups import services
from groups.models import Attendance, AttendanceStatus, Group
from sessions.models import TherapySession
from staff.models import User

NAME = "Tuesday skills group (demo)"
SHARED = {
    "topic": "Safer use when plans change",
    "what_we_did": "The group talked about what helps when a usual plan falls "
    "through, practised the naloxone steps in pairs, and shared places to get "
    "supplies after hours.",
}
NOTES = [
    {
        "brought": "“I want to know what to do if my friend isn’t around.”",
        "did": "Practised the naloxone steps; talked through a buddy plan.",
        "next": "Bring the kit next week to check the date on it.",
    },
    {
        "brought": "Came for the supplies list; stayed for the whole group.",
        "did": "Shared what helps at night; took the after-hours list.",
        "next": "Try the drop-in on Thursday.",
    },
    {
        "brought": "“Quiet today, but I liked listening.”",
        "did": "Joined the pairs practice for the naloxone steps.",
        "next": "Check in by text on Friday (texts are fine).",
    },
]


@transaction.atomic
def seed_groups() -> tuple[int, int]:
    """Returns (groups created, groups already there)."""
    if Group.objects.filter(name=NAME).exists():
        return 0, 1
    clinician = User.objects.filter(username="clinician").first()
    if clinician is None:
        return 0, 0
    members = list(
        Client.objects.open()
        .active()
        .filter(clinician=clinician, chosen_name__endswith="(demo)")
        .order_by("chosen_name")[:4]
    )
    if len(members) < 4:
        return 0, 0
    group = services.group_create(
        by=clinician,
        name=NAME,
        purpose="A weekly skills group: safer use, naloxone, looking after each "
        "other. Drop in any week.",
        facilitators=[],
        members=members,
        joined_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    starts = timezone.localtime().replace(
        hour=14, minute=0, second=0, microsecond=0
    ) - datetime.timedelta(days=7)
    meeting = services.meeting_create(
        group=group,
        by=clinician,
        starts_at=starts,
        duration_minutes=90,
        place="Drop-in room",
        note_format="hr",
    )
    meeting = services.meeting_save(
        meeting=meeting,
        by=clinician,
        expected_version=meeting.version,
        shared=SHARED,
        attendance={
            **{c.pk: AttendanceStatus.ATTENDED for c in members[:3]},
            members[3].pk: AttendanceStatus.DIDNT_MAKE_IT,
        },
    )
    for person, sections in zip(members[:3], NOTES, strict=True):
        services.member_note_save(
            meeting=meeting,
            by=clinician,
            client=person,
            expected_version=None,
            sections=sections,
        )
    notes = TherapySession.objects.filter(group_meeting=meeting)
    services.meeting_sign_all(
        meeting=meeting,
        by=clinician,
        expected_version=meeting.version,
        note_versions={n.pk: n.version for n in notes},
    )
    assert Attendance.objects.filter(meeting=meeting).count() == 4
    return 1, 0
