"""Fictional demo session notes for `manage.py seed_demo`: signed notes with
check-ins and addenda, a few drafts, and clients overdue a reach-out."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from sessions.formats import NoteFormat
from sessions.models import (
    Addendum,
    Modality,
    ReferralKind,
    Review,
    ReviewDecision,
    ReviewStatus,
    SessionStatus,
    TherapySession,
)

BROUGHT = [
    "“I’ve been carrying the kit you gave me, it’s in my bag.”",
    "Wanted to talk about the shelter rules and feeling watched.",
    "“Things have been rough since my brother left.”",
    "Came in to pick up supplies and stayed to talk about sleep.",
    "“I cut down to weekends, mostly.” Proud of it.",
    "Worried about a friend who overdosed last week; she was there.",
]
DID = [
    "Went through the naloxone steps together; refilled the kit.",
    "Talked through a plan for using with someone around.",
    "Helped fill in the housing application.",
    "Practised a breathing exercise; looked at what helps at night.",
    "Called the clinic together to book the doctor for the leg.",
]
RESPONSE = [
    "Engaged and laughed a few times. Said the plan feels doable.",
    "Quiet at first, opened up later. Wants to come back Thursday.",
    "Tired but keen to finish the form.",
]
SAFETY = [
    "Has naloxone. Knows to test first. No overdoses since last time.",
    "Uses alone sometimes; agreed to try the buddy plan this week.",
    "Witnessed an overdose; naloxone was used and the person survived.",
]
NEXT = [
    "Meet at the drop-in next week. I will chase the housing form.",
    "Phone check-in on Friday, texts are fine.",
    "Bring the leg appointment letter next time.",
]


@transaction.atomic
def seed_sessions() -> tuple[int, int]:
    """Give every open demo client a history of sessions. Returns (sessions
    created, clients that already had sessions)."""
    rng = random.Random(11)
    # The check-in's counted parts (issue #23's figures) from a generator of
    # their own, so the rest of the demo stays as it was.
    checkin_rng = random.Random(23)
    now = timezone.now()
    created = existing = 0
    clients = Client.objects.open().filter(chosen_name__endswith="(demo)")
    for index, client in enumerate(
        clients.select_related("clinician").order_by("chosen_name")
    ):
        if client.sessions.exists():
            existing += 1
            continue
        start = datetime.datetime.combine(
            client.intake_date, datetime.time(10), tzinfo=now.tzinfo
        )
        # Every fourth client has had no contact for a while: a reach-out prompt.
        last = now - datetime.timedelta(
            days=rng.randint(35, 60) if index % 4 == 0 else rng.randint(1, 20)
        )
        count = rng.randint(3, 9)
        step = max((last - start) / max(count - 1, 1), datetime.timedelta(days=1))
        for n in range(count):
            started = min(start + step * n, last)
            is_last = n == count - 1
            draft = is_last and index % 3 == 1
            session = TherapySession.objects.create(
                client=client,
                clinician=client.clinician,
                started_at=started,
                created_at=started,
                duration_minutes=rng.choice([20, 30, 45, 50, 60]),
                modality=rng.choice(Modality.values),
                note_format=NoteFormat.HARM_REDUCTION,
                sections={
                    "brought": rng.choice(BROUGHT),
                    "did": rng.choice(DID),
                    "response": rng.choice(RESPONSE),
                    "safety": rng.choice(SAFETY),
                    "next": rng.choice(NEXT),
                },
                naloxone_on_hand=rng.choice([True, True, None]),
                naloxone_doses_given=rng.choice([None, 0, 2, 4]),
                test_strips_given=rng.choice([None, 5, 10]),
                **_counted_checkin(checkin_rng),
                status=SessionStatus.DRAFT if draft else SessionStatus.SIGNED,
                signed_at=None if draft else started + datetime.timedelta(hours=2),
                # As signing sets it: waiting when the author needs co-signature.
                review_status=ReviewStatus.WAITING
                if not draft and client.clinician.requires_cosign
                else ReviewStatus.NOT_NEEDED,
            )
            review = None
            if not draft and client.clinician.requires_cosign:
                review = _review(session, from_the_end=count - n, rng=rng)
            if not draft and rng.random() < 0.1:
                Addendum.objects.create(
                    session=session,
                    author=client.clinician,
                    reason="Late entry",
                    text="Also gave two fentanyl test strips at the door.",
                    created_at=started + datetime.timedelta(days=1),
                )
            # After the addendum, as their dates have it (an addendum to a
            # returned note would put it back in the queue).
            if review is not None:
                review.save()
            created += 1
    return created, existing


def _counted_checkin(rng: random.Random) -> dict[str, Any]:
    """The rest of a demo note's harm-reduction check-in: now and then other
    supplies, an overdose since last contact (and whether naloxone was used),
    and a referral or two with its kind ticked."""
    overdose = rng.random() < 0.15
    kinds = rng.sample(ReferralKind.values, k=rng.choice([0, 0, 1, 1, 2]))
    return {
        "other_supplies": rng.choice(["", "", "Cookers and cotton", "Sharps bin"]),
        "overdoses_experienced": rng.choice([0, 1]) if overdose else None,
        "overdoses_witnessed": rng.choice([0, 1, 2]) if overdose else None,
        "naloxone_used": rng.choice([True, False]) if overdose else None,
        "referral_kinds": kinds,
        "referrals": "Referred as we discussed." if kinds else "",
    }


RETURN_COMMENTS = [
    "Thanks — could you add what the two of you agreed about the buddy plan?",
    "Clear note. Please add the referral you mentioned in supervision.",
]


def _review(
    session: TherapySession, *, from_the_end: int, rng: random.Random
) -> Review | None:
    """Co-signature state for a note by someone who needs it: older notes
    co-signed; the newest waits; the one before it was returned with comments.
    The review to save (unsaved), or None to leave it waiting: the note waits
    from its signature, and saving the review row moves it on, in PostgreSQL
    (migration `review_status_from_reviews`)."""
    supervisor = session.clinician.supervisor
    if supervisor is None:
        return None
    assert session.signed_at is not None
    reviewed_at = session.signed_at + datetime.timedelta(days=1)
    if from_the_end == 2:
        return Review(
            session=session,
            reviewer=supervisor,
            decision=ReviewDecision.RETURNED,
            comment=rng.choice(RETURN_COMMENTS),
            created_at=reviewed_at,
        )
    if from_the_end <= 3:
        return None
    return Review(
        session=session,
        reviewer=supervisor,
        decision=ReviewDecision.COSIGNED,
        created_at=reviewed_at,
    )
