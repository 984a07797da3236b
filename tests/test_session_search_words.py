"""When a note's words reach the search (issue #25, item 3).

An autosave leaves a draft's search words as PostgreSQL last indexed them, so
that it changes no indexed column and the row can be updated in place (a HOT
update; bench/autosave_hot.py measures it). A draft's search sees its words as
of its last explicit save (Save draft, switching format), or at most two
minutes of typing behind its latest autosave; signing indexes everything. A
signed note is found by its words and its addenda, whatever a statement writes
into its vector, and its lock is unchanged.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from clients.models import Client
from sessions.models import SessionStatus, TherapySession
from sessions.selectors import note_search
from sessions.services import addendum_add
from staff.models import User
from tests.db_roles import become_app_role
from tests.factories import TherapySessionFactory

Web = Callable[[User | None], DjangoTestApp]
TABLE = "therapy_sessions_therapysession"
TRIGGER = "therapy_sessions_sync_search_vector"
BEFORE = ("therapy_sessions", "0025_notes_of_group_meetings")
AFTER = ("therapy_sessions", "0026_index_draft_words_between_autosaves")


@pytest.fixture
def draft(client_record: Client) -> TherapySession:
    return TherapySessionFactory.create(
        client=client_record, sections={"brought": "Talked about the allotment"}
    )


def _found(user: User, terms: str) -> set[uuid.UUID]:
    return {hit.pk for hit in note_search(user=user, terms=terms)}


def _signed_with_addendum(client: Client, author: User) -> TherapySession:
    """A signed note with "allotment" in its sections, "walrus" in an addendum."""
    note = TherapySessionFactory.create(
        client=client,
        sections={"did": "Talked about the allotment"},
        status=SessionStatus.SIGNED,
        signed_at=timezone.now(),
    )
    addendum_add(session=note, by=author, reason="Late entry", text="walrus")
    return note


def _vector(session: TherapySession) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT search_vector::text FROM {TABLE} WHERE id = %s", [session.pk]
        )
        return str(cursor.fetchone()[0])


def _form(app: DjangoTestApp, session: TherapySession) -> Any:
    return app.get(reverse("sessions:update", args=[session.pk])).forms["session-form"]


def _autosave(app: DjangoTestApp, session: TherapySession, words: str) -> None:
    form = _form(app, session)
    fields = dict(form.submit_fields())
    fields["section_brought"] = words
    response = app.post(
        form.action,
        {**fields, "action": "autosave"},
        headers={"X-Autosave": "1", "X-CSRFToken": fields["csrfmiddlewaretoken"]},
    )
    assert response.json["status"] == "saved"


def test_an_autosave_leaves_a_drafts_search_words_as_last_indexed(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    indexed = _vector(draft)
    _autosave(web(clinician), draft, "Talked about the kestrel")

    draft.refresh_from_db()
    assert draft.sections["brought"] == "Talked about the kestrel"
    # Not one indexed column changed: the row can be updated in place.
    assert _vector(draft) == indexed
    assert _found(clinician, "kestrel") == set()
    assert _found(clinician, "allotment") == {draft.pk}


def _updates_in_this_transaction() -> tuple[int, int]:
    """(updates, HOT updates) of the notes table in this test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
            " WHERE relid = %s::regclass",
            [TABLE],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


def test_autosaves_are_updates_in_place_that_write_no_index(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    app = web(clinician)
    # The form's start time is to the minute: the first save stores the
    # factory's seconds as the form shows them (started_at is indexed).
    _autosave(app, draft, "Talked about the")
    before = _updates_in_this_transaction()
    for words in ("Talked about the kestrel", "Talked about the kestrel's nest"):
        _autosave(app, draft, words)
    after = _updates_in_this_transaction()
    updates, hot = after[0] - before[0], after[1] - before[1]

    # Each autosave updated the row, in place on its page (a HOT update: no
    # index written). An index on a column autosaves change, or a vector
    # recomputed on each, would make these ordinary updates.
    assert (updates, hot) == (2, 2)
    draft.refresh_from_db()
    assert draft.sections["brought"] == "Talked about the kestrel's nest"


def test_saving_a_draft_indexes_the_words_typed_since(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    app = web(clinician)
    _autosave(app, draft, "Talked about the kestrel")
    form = _form(app, draft)
    form.submit("action", value="save").follow()

    assert _found(clinician, "kestrel") == {draft.pk}
    assert _found(clinician, "allotment") == set()


def test_an_autosave_two_minutes_after_the_last_indexing_indexes_the_words(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    with connection.cursor() as cursor:
        # As the table's owner, the words' indexing time moved back (nothing
        # else can write it: the trigger keeps it).
        cursor.execute("RESET ROLE")
        # ALTER TABLE waits for no deferred foreign-key check.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(
            f"UPDATE {TABLE} SET search_indexed_at = now() - interval '3 minutes'"
            " WHERE id = %s",
            [draft.pk],
        )
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER {TRIGGER}")
    become_app_role()
    _autosave(web(clinician), draft, "Talked about the kestrel")

    assert _found(clinician, "kestrel") == {draft.pk}
    draft.refresh_from_db()
    assert draft.search_indexed_at is not None
    assert draft.search_indexed_at > timezone.now() - datetime.timedelta(minutes=1)


def test_signing_indexes_the_words_of_the_last_autosave(
    web: Web, clinician: User, draft: TherapySession
) -> None:
    app = web(clinician)
    _autosave(app, draft, "Talked about the kestrel")
    draft.refresh_from_db()
    sign = app.get(reverse("sessions:sign", args=[draft.pk])).forms["sign-form"]
    sign["confirm"] = True
    sign.submit().follow()

    draft.refresh_from_db()
    assert draft.status == SessionStatus.SIGNED
    assert _found(clinician, "kestrel") == {draft.pk}


def test_a_signed_note_is_found_by_its_words_and_its_addenda_whatever_is_written(
    clinician: User, outsider: User, client_record: Client
) -> None:
    note = _signed_with_addendum(client_record, clinician)
    TherapySession.objects.filter(pk=note.pk).update(search_vector="bogus")

    assert _found(clinician, "allotment") == _found(clinician, "walrus") == {note.pk}
    assert _found(clinician, "bogus") == set()
    assert _found(outsider, "walrus") == set()


def test_the_lock_still_refuses_a_change_to_a_signed_note_in_sql(
    client_record: Client,
) -> None:
    note = TherapySessionFactory.create(
        client=client_record, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    for change in (
        'sections = \'{"did": "changed"}\'::jsonb',
        "search_indexed_at = now()",
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {TABLE} SET {change} WHERE id = %s", [note.pk])


@pytest.mark.slow
def test_the_migration_keeps_every_notes_words(
    committed_db: None, clinician: User, client_record: Client
) -> None:
    note = _signed_with_addendum(client_record, clinician)
    draft = TherapySessionFactory.create(
        client=client_record, sections={"did": "The kestrel"}
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        executor.loader.build_graph()
        before = {pk: _vector(TherapySession(pk=pk)) for pk in (note.pk, draft.pk)}
        executor.migrate([AFTER])
        after = {pk: _vector(TherapySession(pk=pk)) for pk in (note.pk, draft.pk)}
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert after == before
    assert _found(clinician, "walrus") == {note.pk}
    assert _found(clinician, "kestrel") == {draft.pk}
