"""The note search's two plans (issue #25): words in many notes are found by
walking the scope's notes newest first, rare ones through the GIN index. The
choice is the database's (its statistics of the words, the scope's size); the
notes found are the same either way: the newest matches, in the same scope,
best first then newest, and "more than" only for notes the user may see."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from clients.models import Client
from sessions.models import SessionStatus, TherapySession
from sessions.selectors import (
    SEARCH_CAP,
    SEARCH_PLANS,
    NoteSearchNarrowing,
    note_search,
)
from staff.models import User
from tests import note_search_page as search_page
from tests.factories import ClientFactory

PLANS = (None, *SEARCH_PLANS)


def _notes(
    client: Client, text: str, count: int, newest: datetime.datetime, hours: int = 24
) -> list[TherapySession]:
    """`count` signed notes of `client` saying `text`, one every `hours` back
    from `newest`, in one INSERT (search_vector is kept by PostgreSQL)."""
    return TherapySession.objects.bulk_create(
        TherapySession(
            client=client,
            clinician=client.clinician,
            status=SessionStatus.SIGNED,
            started_at=newest - datetime.timedelta(hours=hours * n),
            signed_at=newest - datetime.timedelta(hours=hours * n),
            sections={"did": text},
        )
        for n in range(count)
    )


def _analyze() -> None:
    """Statistics as autovacuum would keep them, for the plan's choice."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TherapySession._meta.db_table}")
        cursor.execute(f"ANALYZE {Client._meta.db_table}")


def _found(
    user: User,
    terms: str,
    plan: str | None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[object]:
    narrowing = NoteSearchNarrowing(since=since, until=until)
    results = note_search(user=user, terms=terms, plan=plan, narrowing=narrowing)
    return [hit.pk for hit in results]


def test_a_common_word_gives_the_newest_matches_whichever_plan(
    clinician: User, client_record: Client, outsider: User
) -> None:
    now = timezone.now()
    mine = _notes(client_record, "kettle on the stove", SEARCH_CAP + 5, now)
    # Newer matches nobody here may see: never found, never counted.
    _notes(ClientFactory.create(clinician=outsider), "kettle", 5, now, hours=1)
    _analyze()

    newest = [note.pk for note in mine[:SEARCH_CAP]]
    for plan in PLANS:
        results = note_search(user=clinician, terms="kettle", plan=plan)
        assert results.more_than_cap, plan
        assert results.count() == SEARCH_CAP
        # Every note ranks alike: newest first, the oldest 5 past the cap.
        assert [hit.pk for hit in results] == newest, plan


def test_a_rare_word_gives_the_same_notes_whichever_plan(
    clinician: User, client_record: Client
) -> None:
    now = timezone.now()
    _notes(client_record, "kettle", 300, now)
    rare = _notes(client_record, "kettle and a lantern", 4, now, hours=100)
    # More of the word in one note ranks it first.
    best = _notes(
        client_record, "lantern lantern lantern", 1, now - datetime.timedelta(days=400)
    )
    _analyze()

    expected = [best[0].pk, *(note.pk for note in rare)]
    for plan in PLANS:
        assert _found(clinician, "lantern", plan) == expected, plan
        results = note_search(user=clinician, terms="lantern", plan=plan)
        assert results.count() == 5 and not results.more_than_cap


def test_a_teams_notes_come_newest_first_across_its_caseloads_whichever_plan(
    supervisor: User, clinician: User, client_record: Client, outsider: User
) -> None:
    now = timezone.now()
    own = ClientFactory.create(clinician=supervisor)
    # Two caseloads' notes interleaved in time, and another team's.
    theirs = _notes(client_record, "kettle", 30, now, hours=2)
    ours = _notes(own, "kettle", 30, now - datetime.timedelta(hours=1), hours=2)
    _notes(ClientFactory.create(clinician=outsider), "kettle", 30, now, hours=1)
    _analyze()

    expected = [
        note.pk
        for note in sorted(theirs + ours, key=lambda n: n.started_at, reverse=True)
    ]
    for plan in PLANS:
        assert _found(supervisor, "kettle", plan) == expected, plan
        assert _found(clinician, "kettle", plan) == [n.pk for n in theirs], plan


def test_dates_narrow_either_plan_alike(
    supervisor: User, client_record: Client
) -> None:
    now = timezone.now()
    notes = _notes(client_record, "kettle", 40, now)
    _analyze()
    since = timezone.localdate(now) - datetime.timedelta(days=20)
    until = timezone.localdate(now) - datetime.timedelta(days=10)

    within = [
        note.pk
        for note in notes
        if since <= timezone.localdate(note.started_at) <= until
    ]
    assert len(within) == 11
    for plan in PLANS:
        assert _found(supervisor, "kettle", plan, since=since, until=until) == within


def test_the_page_shows_a_common_word_newest_first_past_the_cap(
    as_supervisor: HttpClient, client_record: Client
) -> None:
    now = timezone.now()
    _notes(client_record, "kettle", SEARCH_CAP + 5, now, hours=6)
    _analyze()

    as_supervisor.post(reverse("sessions:search"), {"q": "kettle"})
    page = as_supervisor.get(reverse("sessions:search_results"))
    assertContains(page, "More than 1,000 notes match")
    shown = search_page.started(page)
    assert shown == [now - datetime.timedelta(hours=6 * n) for n in range(20)]
