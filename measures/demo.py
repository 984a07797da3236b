"""Fictional demo entries of the client's own voice (issue #22) for
`manage.py seed_demo`: for each clinician's first three open demo clients,
"What I want from coming here", relationship check-ins on their latest signed
notes and a few PHQ-9 and GAD-7 answers over the past months, so the record,
the note, the charts and Today show them."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from clients.demo import first_open_demo_clients
from clients.models import Wants
from clients.services import wants_record
from measures.models import EnteredHow
from measures.services import measure_record
from sessions.models import EnteredHow as CheckInEnteredHow
from sessions.models import RelationshipCheckIn, SessionStatus, TherapySession
from sessions.services import checkin_record

WANTS = [
    "Somewhere to talk without being judged, and help with my housing forms.",
    "To use more safely and keep my job.",
    "Someone on my side when things get loud at home.",
]
# Each person's PHQ-9 and GAD-7 answers, oldest first: four takings a month
# apart, easing over time (points per item).
PHQ9 = [[2, 2, 2, 1, 1, 1, 1, 1, 0], [2, 1, 1, 1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 0, 1, 0, 0, 0], [1, 1, 0, 1, 0, 0, 0, 0, 0]]  # fmt: skip
GAD7 = [[2, 2, 1, 2, 1, 1, 1], [2, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0, 1, 1], [1, 1, 0, 1, 0, 0, 1]]  # fmt: skip
CHECKINS = [
    ({"heard": 8, "wanted": 7, "honest": 6, "helped": 7}, "Thanks for not rushing."),
    ({"heard": 9, "wanted": 8, "honest": 8, "helped": 8}, ""),
    ({"heard": 9, "wanted": 6, "honest": 3, "helped": 7}, "Hard to say it all today."),
]


@transaction.atomic
def seed_voice() -> tuple[int, int]:
    """Returns (clients given entries, clients that already had them)."""
    created = existing = 0
    today = timezone.localdate()
    for n, client in first_open_demo_clients(len(WANTS)):
        if Wants.objects.filter(client=client).exists():
            existing += 1
            continue
        by = client.clinician
        wants_record(client=client, by=by, words=WANTS[n])
        for months_ago, (phq, gad) in enumerate(zip(PHQ9, GAD7, strict=True)):
            taken_on = today - datetime.timedelta(days=30 * (len(PHQ9) - months_ago))
            for code, points in (("phq9", phq), ("gad7", gad)):
                measure_record(
                    client=client,
                    by=by,
                    code=code,
                    answers={str(i + 1): p for i, p in enumerate(points)},
                    entered_how=EnteredHow.WITH_CLINICIAN,
                    taken_on=taken_on,
                )
        notes = TherapySession.objects.filter(
            client=client, status=SessionStatus.SIGNED
        ).order_by("-started_at")[: len(CHECKINS)]
        for note, (answers, words) in zip(notes, CHECKINS, strict=False):
            if not RelationshipCheckIn.objects.filter(session=note).exists():
                checkin_record(
                    session=note,
                    by=by,
                    answers=answers,
                    words=words,
                    entered_how=CheckInEnteredHow.BY_CLIENT,
                )
        created += 1
    return created, existing
