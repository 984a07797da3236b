"""What the note search reads (issue #16, item 14): besides the sections, the
addenda, the check-in's other supplies and the referrals; always within who may
see the note. Addenda reach the search through each note's copy of them
(`addenda_text`, kept by PostgreSQL: therapy sessions migration
search_addenda_checkin_referrals)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from sessions.models import SessionStatus, TherapySession
from sessions.selectors import note_search
from sessions.services import addendum_add
from staff.models import User
from tests.factories import TherapySessionFactory

BEFORE = ("therapy_sessions", "0010_one_record_per_form")
AFTER = ("therapy_sessions", "0011_search_addenda_checkin_referrals")


def _signed(client: Client, **fields: Any) -> TherapySession:
    fields.setdefault("sections", {"did": "Talked about the week"})
    return TherapySessionFactory.create(
        client=client, status=SessionStatus.SIGNED, signed_at=timezone.now(), **fields
    )


def _found(user: User, terms: str) -> set[uuid.UUID]:
    return {hit.pk for hit in note_search(user=user, terms=terms)}


def _headline(http: HttpClient, terms: str) -> str:
    http.post(reverse("sessions:search"), {"q": terms})
    return http.get(reverse("sessions:search_results")).content.decode()


def test_a_word_only_in_an_addendum_is_found_by_who_may_see_the_note(
    clinician: User,
    supervisor: User,
    outsider: User,
    other_supervisor: User,
    client_record: Client,
    as_clinician: HttpClient,
) -> None:
    note = _signed(client_record)
    assert _found(clinician, "lighthouse") == set()
    addendum_add(
        session=note, by=clinician, reason="Late entry", text="Met at the lighthouse."
    )

    assert _found(clinician, "lighthouse") == {note.pk}
    assert _found(supervisor, "lighthouse") == {note.pk}
    assert _found(outsider, "lighthouse") == set()
    assert _found(other_supervisor, "lighthouse") == set()
    assert "<mark>lighthouse</mark>" in _headline(as_clinician, "lighthouse")


def test_a_word_only_in_other_supplies_is_found_in_drafts_and_signed_notes(
    clinician: User, outsider: User, client_record: Client
) -> None:
    draft = TherapySessionFactory.create(
        client=client_record, other_supplies="cookers and cottons"
    )
    signed = _signed(client_record, other_supplies="two cookers")
    assert _found(clinician, "cookers") == {draft.pk, signed.pk}
    assert _found(outsider, "cookers") == set()


def test_a_word_only_in_the_referrals_is_found(
    clinician: User, outsider: User, client_record: Client, as_clinician: HttpClient
) -> None:
    note = _signed(client_record, referrals="Dental clinic on Harbour Street")
    assert _found(clinician, "dental") == {note.pk}
    assert _found(outsider, "dental") == set()
    assert "<mark>Dental</mark>" in _headline(as_clinician, "dental")


def test_an_addendum_added_through_the_form_is_found(
    web: Any, clinician: User, client_record: Client
) -> None:
    note = _signed(client_record)
    page = web(clinician).get(reverse("sessions:addendum", args=[note.pk]))
    form = next(f for f in page.forms.values() if "text" in f.fields)
    form["reason"] = "Correction"
    form["text"] = "The appointment is at the foodbank, not the library."
    form.submit().follow()
    assert _found(clinician, "foodbank") == {note.pk}


def test_every_addendum_of_a_note_stays_found_through_later_changes(
    clinician: User, outsider: User, client_record: Client, as_admin: HttpClient
) -> None:
    note = _signed(client_record)
    addendum_add(session=note, by=clinician, reason="First", text="kayak")
    addendum_add(session=note, by=clinician, reason="Second", text="canoe")
    # Later writes to the note (a reassignment copies the new clinician to it)
    # keep the copy of its addenda.
    url = reverse("clients:reassign", args=[client_record.pk])
    assert as_admin.post(url, {"clinician": outsider.pk}).status_code == 302

    assert _found(outsider, "kayak") == _found(outsider, "canoe") == {note.pk}
    assert _found(clinician, "kayak") == set()
    note.refresh_from_db()
    assert note.addenda_text == "First\nkayak\n\nSecond\ncanoe"


def test_a_signed_notes_copy_of_its_addenda_cannot_be_written(
    client_record: Client,
) -> None:
    note = _signed(client_record)
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapySession.objects.filter(pk=note.pk).update(addenda_text="invented")
    note.refresh_from_db()
    assert note.addenda_text == ""


def test_whatever_django_writes_a_drafts_copy_stays_empty(
    client_record: Client,
) -> None:
    draft = TherapySessionFactory.create(client=client_record, addenda_text="stray")
    draft.refresh_from_db()
    assert draft.addenda_text == ""


@pytest.mark.slow
def test_the_migration_copies_existing_addenda(
    committed_db: None, clinician: User, outsider: User, client_record: Client
) -> None:
    note = _signed(client_record, referrals="allotment society")
    addendum_add(session=note, by=clinician, reason="Late entry", text="walrus")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        executor.loader.build_graph()
        executor.migrate([AFTER])
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert _found(clinician, "walrus") == _found(clinician, "allotment") == {note.pk}
    assert _found(outsider, "walrus") == set()
