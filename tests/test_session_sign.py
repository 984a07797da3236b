from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from clients.models import Client
from goals.models import GoalRating
from sessions.models import Addendum, TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from tests.factories import GoalFactory, TherapySessionFactory
from tests.querycount import queries_for_get


@pytest.fixture
def draft(client_record: Client) -> TherapySession:
    return TherapySessionFactory.create(client=client_record)


@pytest.fixture
def signed(draft: TherapySession, clinician: User) -> TherapySession:
    return therapy_session_sign(session=draft, by=clinician, expected_version=1)


def _sign_url(session: TherapySession) -> str:
    return reverse("sessions:sign", args=[session.pk])


def test_signing_needs_confirmation(
    as_clinician: HttpClient, draft: TherapySession
) -> None:
    response = as_clinician.post(_sign_url(draft), {"version": draft.version})
    assertContains(response, "Tick the box to confirm before signing.")
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_sign_locks_the_note_and_shows_the_signature(
    as_clinician: HttpClient, draft: TherapySession, clinician: User
) -> None:
    response = as_clinician.post(
        _sign_url(draft), {"version": draft.version, "confirm": "on"}
    )
    assertRedirects(response, draft.get_absolute_url())
    draft.refresh_from_db()
    assert draft.status == "signed" and draft.signed_at is not None
    page = as_clinician.get(draft.get_absolute_url())
    assertContains(page, f"Signed by <strong>{clinician.name}, LPCC</strong>")
    assertContains(page, draft.signed_at.strftime("%Y"))


def test_an_empty_note_cannot_be_signed(
    as_clinician: HttpClient, client_record: Client
) -> None:
    empty = TherapySessionFactory.create(client=client_record, sections={})
    response = as_clinician.post(_sign_url(empty), {"version": 1, "confirm": "on"})
    assertContains(response, "Write at least one section of the note.")
    empty.refresh_from_db()
    assert empty.status == "draft"


def test_signing_twice_is_harmless(
    as_clinician: HttpClient, draft: TherapySession
) -> None:
    data = {"version": draft.version, "confirm": "on"}
    as_clinician.post(_sign_url(draft), data)
    second = as_clinician.post(_sign_url(draft), data)
    assert second.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "signed"


def test_a_signed_note_cannot_be_edited_through_the_app(
    as_clinician: HttpClient, signed: TherapySession
) -> None:
    url = reverse("sessions:update", args=[signed.pk])
    assert as_clinician.get(url).status_code == 302
    as_clinician.post(url, {"section_brought": "changed", "version": signed.version})
    signed.refresh_from_db()
    assert signed.sections["brought"] != "changed"


def _sql_fails(sql: str, params: list[Any]) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_the_database_refuses_to_change_a_signed_note(signed: TherapySession) -> None:
    table = TherapySession._meta.db_table
    assert _sql_fails(
        f'UPDATE {table} SET sections = \'{{"brought": "rewritten"}}\' WHERE id = %s',
        [signed.pk],
    )
    assert _sql_fails(
        f"UPDATE {table} SET duration_minutes = 5 WHERE id = %s", [signed.pk]
    )
    assert _sql_fails(
        f"UPDATE {table} SET status = 'draft', signed_at = NULL WHERE id = %s",
        [signed.pk],
    )
    assert _sql_fails(f"DELETE FROM {table} WHERE id = %s", [signed.pk])
    signed.refresh_from_db()
    assert signed.sections["brought"].startswith("Test note text")


def test_the_database_refuses_to_delete_even_a_draft(draft: TherapySession) -> None:
    table = TherapySession._meta.db_table
    assert _sql_fails(f"DELETE FROM {table} WHERE id = %s", [draft.pk])
    assert not _sql_fails(
        f"UPDATE {table} SET location = 'Van' WHERE id = %s", [draft.pk]
    )


def test_addenda_are_append_only_in_the_database(
    signed: TherapySession, clinician: User
) -> None:
    addendum = Addendum.objects.create(
        session=signed, author=clinician, reason="Late entry", text="Also gave strips"
    )
    table = Addendum._meta.db_table
    assert _sql_fails(f"UPDATE {table} SET text = 'x' WHERE id = %s", [addendum.pk])
    assert _sql_fails(f"DELETE FROM {table} WHERE id = %s", [addendum.pk])


def test_a_rating_given_in_a_signed_session_is_locked(
    draft: TherapySession, clinician: User
) -> None:
    goal = GoalFactory.create(client=draft.client)
    rating = GoalRating.objects.create(
        goal=goal, session=draft, score=4, recorded_by=clinician
    )
    therapy_session_sign(session=draft, by=clinician, expected_version=1)
    table = GoalRating._meta.db_table
    assert _sql_fails(f"UPDATE {table} SET score = 9 WHERE id = %s", [rating.pk])
    assert _sql_fails(f"DELETE FROM {table} WHERE id = %s", [rating.pk])


def test_addenda_show_under_the_note_in_order(
    as_clinician: HttpClient, signed: TherapySession
) -> None:
    url = reverse("sessions:addendum", args=[signed.pk])
    for reason, text in (
        ("Correction", "It was Tuesday"),
        ("Late entry", "Gave strips"),
    ):
        response = as_clinician.post(
            url, {"reason": reason, "text": text, "form_token": str(uuid.uuid4())}
        )
        assertRedirects(response, signed.get_absolute_url())
    page = as_clinician.get(signed.get_absolute_url()).content.decode()
    assert page.index("It was Tuesday") < page.index("Gave strips")
    assert Addendum.objects.filter(session=signed).count() == 2


def test_the_author_reaches_the_addendum_form_from_a_signed_note(
    as_clinician: HttpClient, as_supervisor: HttpClient, signed: TherapySession
) -> None:
    add_url = reverse("sessions:addendum", args=[signed.pk])
    note = as_clinician.get(signed.get_absolute_url())
    assertContains(note, f'href="{add_url}"')
    form = as_clinician.get(add_url)
    assertContains(form, 'name="reason"')
    empty = as_clinician.post(add_url, {"form_token": str(uuid.uuid4())})
    assertContains(empty, "Please fill this in.", count=2)
    # The supervisor reads the note but does not write its addenda.
    assert add_url not in as_supervisor.get(signed.get_absolute_url()).content.decode()


def test_the_note_page_reads_addenda_and_ratings_only_when_there_are_some(
    as_clinician: HttpClient, draft: TherapySession, clinician: User
) -> None:
    other = TherapySessionFactory.create(client=draft.client)
    plain = therapy_session_sign(session=other, by=clinician, expected_version=1)
    goal = GoalFactory.create(client=draft.client, wording="Keep my room")
    GoalRating.objects.create(
        goal=goal, session=draft, score=7, rated_on=draft.started_at.date(),
        recorded_by=clinician,
    )  # fmt: skip
    rich = therapy_session_sign(session=draft, by=clinician, expected_version=1)
    Addendum.objects.create(session=rich, author=clinician, reason="r", text="Later")

    without = queries_for_get(as_clinician, plain.get_absolute_url())
    with_both = queries_for_get(as_clinician, rich.get_absolute_url())
    assert with_both == without + 2
    page = as_clinician.get(rich.get_absolute_url())
    assertContains(page, "Keep my room")
    assertContains(page, "Later")
    assertNotContains(as_clinician.get(plain.get_absolute_url()), "Addenda")


def test_a_double_submitted_addendum_is_one(
    as_clinician: HttpClient, signed: TherapySession
) -> None:
    url = reverse("sessions:addendum", args=[signed.pk])
    data = {"reason": "Correction", "text": "Once", "form_token": str(uuid.uuid4())}
    as_clinician.post(url, data)
    as_clinician.post(url, data)
    assert Addendum.objects.count() == 1


def test_no_addendum_on_a_draft(
    as_clinician: HttpClient, draft: TherapySession
) -> None:
    url = reverse("sessions:addendum", args=[draft.pk])
    response = as_clinician.post(url, {"reason": "x", "text": "y"})
    assertContains(response, "addenda are for signed notes")
    assert not Addendum.objects.exists()


def test_print_view_has_the_signature_line(
    as_clinician: HttpClient, signed: TherapySession
) -> None:
    page = as_clinician.get(reverse("sessions:print", args=[signed.pk]))
    assertContains(page, "Signed by")
    assertContains(page, "print.css")
    assertContains(page, "Test note text")
