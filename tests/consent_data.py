"""Consents for tests of the consents app (issue #19): one taken through the
service, and one already expired by the database clock."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from clients.models import Client
from consents.models import Consent, ConsentKind, ConsentRecipient, Item, SignedHow
from consents.services import RecipientIn, consent_create
from staff.models import User


def consent_for(client: Client, by: User, **kw: object) -> Consent:
    """A named-recipient consent to share goals, signed on paper today and
    running 90 days, unless `kw` says otherwise."""
    args: dict[str, object] = {
        "kind": ConsentKind.NAMED,
        "items": [Item.GOALS],
        "recipients": [RecipientIn(name="Test Recipient", organisation="Test Clinic")],
        "expires_on": timezone.localdate() + dt.timedelta(days=90),
        "signed_how": SignedHow.PAPER,
        "paper_signed_on": timezone.localdate(),
    }
    args.update(kw)
    return consent_create(client=client, by=by, **args)  # type: ignore[arg-type]


def expired_consent(client: Client, by: User) -> Consent:
    """A paper consent to share goals with "Test Recipient" whose end
    PostgreSQL's clock has just passed, inserted as the app may insert one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO consents_consent (id, client_id, kind, discloser,"
            " discloser_part, items, items_detail, purpose, purpose_other,"
            " expires_on, expires_at, expiry_event, signed_how, paper_signed_on,"
            " part2, recorded_by_id, created_at)"
            " VALUES (gen_random_uuid(), %s, 'named', 'program', '', '{goals}', '',"
            " 'at_my_request', '', current_date - 1, now() - interval '1 second',"
            " '', 'paper', current_date - 2, true, %s, now() - interval '2 days')"
            " RETURNING id",
            [client.pk, by.pk],
        )
        row = cursor.fetchone()
    consent = Consent.objects.get(pk=row[0])
    ConsentRecipient.objects.create(consent=consent, name="Test Recipient")
    return consent
