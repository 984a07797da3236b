"""The rules PostgreSQL keeps for consents and the disclosure ledger (issue
#19), tried with raw SQL as the app's own role (tests/db_roles.py): nothing
is updated, deleted or emptied, and a consented disclosure must name a
consent that covers it at that moment by the database clock."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import Action, AuditEvent
from clients.models import Client
from consents.models import Consent, ConsentKind, Disclosure, Item, SignedHow
from consents.services import (
    RecipientIn,
    consent_revoke,
    consent_sign_on_device,
    disclosure_record,
    notice_record,
)
from staff.models import User
from tests.consent_data import consent_for, expired_consent
from tests.db_roles import become_app_role, refusal
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

TABLES = import_module("consents.migrations.0002_append_only_and_ledger_rule").TABLES

INSERT = (
    "INSERT INTO consents_disclosure (id, client_id, kind, consent_id, recipient_id,"
    " recipient_name, recipient_facility, scope, item_ids, disclosed_by_id,"
    " disclosed_at, emergency_nature, court_order_reference, report_basis)"
    " VALUES (gen_random_uuid(), %(client)s, %(kind)s, %(consent)s, %(recipient)s,"
    " 'Test Recipient', %(facility)s, %(scope)s, '[]', %(by)s, now(),"
    " %(nature)s, %(order)s, %(basis)s)"
)


def _row(consent: Consent | None, client: Client, by: User, **kw: object) -> dict:
    recipient = consent.recipients.first() if consent is not None else None
    row = {
        "client": client.pk,
        "kind": "consented",
        "consent": consent.pk if consent else None,
        "recipient": recipient.pk if recipient else None,
        "facility": "",
        "scope": ["goals"],
        "by": by.pk,
        "nature": "",
        "order": "",
        "basis": "",
    }
    row.update(kw)
    return row


@pytest.fixture
def everything(clinician: User, client_record: Client) -> Consent:
    """One row in every consents table."""
    consent = consent_for(client_record, clinician, signed_how=SignedHow.DEVICE)
    consent_sign_on_device(consent=consent, by=clinician, typed_name="Test Client")
    notice_record(
        client=client_record, by=clinician, given_on=timezone.localdate(), how="phone"
    )
    disclosure_record(
        client=client_record,
        by=clinician,
        kind="consented",
        consent=consent,
        recipient=consent.recipients.get(),
        recipient_name="Test Recipient",
        scope=[Item.GOALS],
    )
    consent_revoke(
        consent=consent, by=clinician, revoked_on=timezone.localdate(), how="phone"
    )
    return consent


@pytest.mark.parametrize("table", TABLES)
def test_consent_tables_are_append_only_for_the_app_role(
    everything: Consent, table: str
) -> None:
    become_app_role()
    assert "permission denied" in refusal(f"UPDATE {table} SET id = id")
    assert "permission denied" in refusal(f"DELETE FROM {table}")
    assert "permission denied" in refusal(f"TRUNCATE {table}")


@pytest.mark.owner_role
@pytest.mark.parametrize("table", TABLES)
def test_consent_tables_are_append_only_even_for_the_owner(
    everything: Consent, table: str
) -> None:
    assert "is append-only (UPDATE refused)" in refusal(f"UPDATE {table} SET id = id")
    assert "is append-only (DELETE refused)" in refusal(f"DELETE FROM {table}")


@pytest.mark.owner_role
@pytest.mark.parametrize("table", TABLES)
def test_consent_tables_are_never_truncated(table: str) -> None:
    # Empty tables: rows just written would leave trigger events pending,
    # which PostgreSQL names before any guard runs.
    assert "is never emptied (TRUNCATE refused)" in refusal(f"TRUNCATE {table} CASCADE")


def test_the_app_role_discloses_under_an_active_consent(
    clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    become_app_role()
    row = disclosure_record(
        client=client_record,
        by=clinician,
        kind="consented",
        consent=consent,
        recipient=consent.recipients.get(),
        recipient_name="Test Recipient",
        scope=[Item.GOALS],
        item_ids=["a-goal-id"],
    )
    assert row.disclosed_at is not None and row.item_ids == ["a-goal-id"]
    event = AuditEvent.objects.get(action=Action.DISCLOSE)
    assert (event.client_id, event.object_id) == (client_record.pk, str(row.pk))


def test_a_revoked_consent_cannot_be_used(
    clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    consent_revoke(
        consent=consent, by=clinician, revoked_on=timezone.localdate(), how="phone"
    )
    become_app_role()
    assert "this consent was revoked" in refusal(
        INSERT, _row(consent, client_record, clinician)
    )


def test_a_recipient_withdrawn_cannot_receive(
    clinician: User, client_record: Client
) -> None:
    consent = consent_for(
        client_record,
        clinician,
        recipients=[RecipientIn(name="Test One"), RecipientIn(name="Test Two")],
    )
    one, two = consent.recipients.all()
    consent_revoke(
        consent=consent,
        by=clinician,
        revoked_on=timezone.localdate(),
        how="phone",
        recipient=one,
    )
    become_app_role()
    assert "revoked for that recipient" in refusal(
        INSERT, _row(consent, client_record, clinician, recipient=one.pk)
    )
    assert (
        refusal(INSERT, _row(consent, client_record, clinician, recipient=two.pk)) == ""
    )


def test_an_expired_consent_cannot_be_used_by_the_database_clock(
    clinician: User, client_record: Client
) -> None:
    become_app_role()
    expired = expired_consent(client_record, clinician)
    row = _row(expired, client_record, clinician)
    assert "this consent has expired" in refusal(INSERT, row)


def test_an_unsigned_consent_cannot_be_used(
    clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician, signed_how=SignedHow.DEVICE)
    become_app_role()
    assert "not signed yet" in refusal(INSERT, _row(consent, client_record, clinician))


def test_nothing_outside_the_consent_may_be_disclosed(
    clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    other_client = ClientFactory.create(clinician=clinician)
    become_app_role()
    assert "does not cover everything" in refusal(
        INSERT,
        _row(consent, client_record, clinician, scope=["goals", "session_notes"]),
    )
    assert "of its own client" in refusal(
        INSERT, _row(consent, other_client, clinician)
    )


def test_a_tpo_consent_names_no_recipient_and_a_named_one_must(
    clinician: User, client_record: Client
) -> None:
    tpo = consent_for(client_record, clinician, kind=ConsentKind.TPO, recipients=[])
    named = consent_for(client_record, clinician)
    become_app_role()
    assert refusal(INSERT, _row(tpo, client_record, clinician)) == ""
    assert "one the consent names" in refusal(
        INSERT, _row(named, client_record, clinician, recipient=None)
    )


def test_a_consented_disclosure_needs_a_consent_and_the_others_none(
    clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    become_app_role()
    check = "disclosure_consent_only_when_consented"
    assert "a consent of its own client" in refusal(
        INSERT, _row(None, client_record, clinician)
    )
    assert check in refusal(
        INSERT,
        _row(
            consent,
            client_record,
            clinician,
            kind="medical_emergency",
            facility="Test Hospital",
            nature="Test emergency",
        ),
    )


@pytest.mark.parametrize(
    ("kind", "facts", "check"),
    [
        (
            "medical_emergency",
            {"facility": "Test Hospital"},
            "disclosure_emergency_facts",
        ),
        (
            "medical_emergency",
            {"nature": "Test emergency"},
            "disclosure_emergency_facts",
        ),
        ("court_order", {}, "disclosure_court_order_named"),
        ("required_report", {}, "disclosure_report_basis"),
    ],
)
def test_disclosures_without_consent_carry_their_own_facts(
    clinician: User, client_record: Client, kind: str, facts: dict, check: str
) -> None:
    become_app_role()
    assert check in refusal(
        INSERT, _row(None, client_record, clinician, kind=kind, recipient=None, **facts)
    )


def test_a_medical_emergency_is_recorded_without_consent(
    clinician: User, client_record: Client
) -> None:
    become_app_role()
    row = disclosure_record(
        client=client_record,
        by=clinician,
        kind="medical_emergency",
        recipient_name="Test Doctor",
        recipient_facility="Test Hospital",
        emergency_nature="Test: unresponsive, suspected overdose",
        scope=[Item.SESSION_NOTES],
    )
    assert Disclosure.objects.get(pk=row.pk).consent is None


@pytest.mark.parametrize(
    ("sql", "check"),
    [
        (
            "expires_on = NULL, expires_at = NULL, expiry_event = ''",
            "consent_has_expiry",
        ),
        ("items = '{}'", "consent_items_fit_kind"),
        ("items = '{goals,counseling_notes}'", "consent_items_fit_kind"),
        ("kind = 'counseling_notes'", "consent_items_fit_kind"),
        ("discloser = 'part'", "consent_discloser_named"),
        ("purpose = 'proceedings'", "consent_purpose_known"),
        ("purpose = 'other'", "consent_other_purpose_said"),
        ("paper_signed_on = NULL", "consent_signature_recorded"),
    ],
)
def test_a_consent_missing_an_element_is_refused_by_the_database(
    clinician: User, client_record: Client, sql: str, check: str
) -> None:
    consent = consent_for(client_record, clinician)
    become_app_role()
    # A copy of a good consent with one element taken out, inserted as the
    # app would insert it.
    columns = (
        "client_id, kind, discloser, discloser_part, items, items_detail, purpose,"
        " purpose_other, expires_on, expires_at, expiry_event, signed_how,"
        " paper_signed_on, part2, recorded_by_id, created_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE scratch AS SELECT * FROM consents_consent WHERE id = %s",
            [consent.pk],
        )
        cursor.execute(f"UPDATE scratch SET {sql}")
    statement = (
        f"INSERT INTO consents_consent (id, {columns})"
        f" SELECT gen_random_uuid(), {columns} FROM scratch"
    )
    assert check in refusal(statement)
