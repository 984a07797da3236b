"""Fictional demo consents and one share, for `manage.py seed_demo`: enough
that a newcomer sees the consent tab, the ledger and a package filled in."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from consents.models import Consent, ConsentKind, Item, NoticeHow, SignedHow
from consents.selectors import shareable
from consents.services import (
    Picked,
    RecipientIn,
    consent_create,
    consent_revoke,
    notice_record,
    share_records,
)

DEMO_RECIPIENT = RecipientIn(
    name="Dr Demo Example",
    organisation="Example Community Health (demo)",
    contact="A fictional address, 1 Demo Street",
)


@transaction.atomic
def seed_consents() -> tuple[int, int]:
    """For the first three open demo clients of each clinician: the notice
    given, a treatment/payment/operations consent, and a named consent for
    goals and attendance; the first of each clinician's also shares its goals
    once and has an older consent, revoked. Returns (clients given consents,
    clients that already had some)."""
    today = timezone.localdate()
    created = existing = 0
    clients = (
        Client.objects.open()
        .filter(chosen_name__endswith="(demo)")
        .select_related("clinician")
        .order_by("clinician_id", "chosen_name")
    )
    seen: dict[int, int] = {}
    for client in clients:
        count = seen.get(client.clinician_id, 0)
        if count >= 3:
            continue
        seen[client.clinician_id] = count + 1
        if Consent.objects.filter(client=client).exists():
            existing += 1
            continue
        by = client.clinician
        notice_record(
            client=client, by=by, given_on=client.intake_date, how=NoticeHow.IN_PERSON
        )
        consent_create(
            client=client,
            by=by,
            kind=ConsentKind.TPO,
            items=[Item.EVERYTHING],
            expiry_event="when I stop coming here",
            signed_how=SignedHow.PAPER,
            paper_signed_on=client.intake_date,
        )
        named = consent_create(
            client=client,
            by=by,
            kind=ConsentKind.NAMED,
            items=[Item.GOALS, Item.ATTENDANCE],
            items_detail="So my doctor knows how I am getting on",
            recipients=[DEMO_RECIPIENT],
            expires_on=today + datetime.timedelta(days=180),
            signed_how=SignedHow.PAPER,
            paper_signed_on=today,
        )
        if count == 0:
            old = consent_create(
                client=client,
                by=by,
                kind=ConsentKind.NAMED,
                items=[Item.SESSION_NOTES],
                recipients=[RecipientIn(name="Demo Housing Worker (demo)")],
                expiry_event="when my housing application is decided",
                signed_how=SignedHow.PAPER,
                paper_signed_on=client.intake_date,
            )
            consent_revoke(consent=old, by=by, revoked_on=today, how="in_person")
            goals = list(shareable(client=client, user=by).goals)
            if goals:
                share_records(
                    client=client,
                    by=by,
                    picked=Picked(goals=goals),
                    consent=named,
                    recipient=named.recipients.get(),
                )
        created += 1
    return created, existing
