"""Groups for tests (issue #24): made through the services, as the pages make
them. Names are obviously fictional and distinct as words."""

from __future__ import annotations

import datetime

from django.utils import timezone

from clients.models import Client
from groups import services
from groups.models import Group, GroupMeeting
from staff.models import User
from tests.factories import ClientFactory

# Distinct as words, so that a page naming one is never a page naming another.
MEMBER_NAMES = [
    "Quillon",
    "Brisket",
    "Marrowby",
    "Tansyfeld",
    "Orlasque",
    "Pellimore",
    "Vesquith",
    "Dunnerly",
    "Hobbleton",
    "Cressida-Joy",
    "O'Faolan",
    "Yarrowmere",
]


def group_of(
    facilitator: User,
    n: int,
    *,
    clinician: User | None = None,
    name: str = "Tuesday skills group",
) -> tuple[Group, list[Client]]:
    """A group `facilitator` runs, of `n` members on `clinician`'s caseload
    (the facilitator's by default), who joined a week ago."""
    members = [
        ClientFactory.create(
            clinician=clinician or facilitator, chosen_name=MEMBER_NAMES[i]
        )
        for i in range(n)
    ]
    group = services.group_create(
        by=facilitator,
        name=name,
        purpose="Skills for safer use",
        facilitators=[],
        members=members,
        joined_on=timezone.localdate() - datetime.timedelta(days=7),
    )
    return group, members


def meeting_of(group: Group, by: User, *, hours_ago: int = 2) -> GroupMeeting:
    return services.meeting_create(
        group=group,
        by=by,
        starts_at=timezone.now().replace(microsecond=0)
        - datetime.timedelta(hours=hours_ago),
        duration_minutes=90,
        place="Room 2",
        note_format="hr",
    )
