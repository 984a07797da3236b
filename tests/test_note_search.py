"""Note search: what each person finds, in which order, page by page; and the
copy of each note's client clinician that scopes the search index (therapy
sessions migration 0007), through reassignments, caseload moves, saves, the
bulk seed and the migration's own backfill."""

from __future__ import annotations

import datetime
import uuid
from io import StringIO
from typing import Any

import pytest
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import AuditEvent
from clients.models import Client
from clients.services import caseload_reassign
from sessions.models import SessionStatus, TherapySession
from sessions.selectors import note_search
from staff.models import User
from tests import note_search_page as search_page
from tests.factories import ClientFactory, ClinicianFactory, TherapySessionFactory
from tests.web import form_to

BEFORE = ("therapy_sessions", "0007_index_drafts_by_author_created")
AFTER = ("therapy_sessions", "0008_search_notes_by_client_clinician")


def _search(http: HttpClient, terms: str, page: int = 1) -> Any:
    http.post(reverse("sessions:search"), {"q": terms})
    return http.get(reverse("sessions:search_results"), {"page": page})


def _found(http: HttpClient, terms: str) -> set[uuid.UUID]:
    ids: set[uuid.UUID] = set()
    page, more = 1, True
    while more:
        response = _search(http, terms, page)
        ids |= set(search_page.hits(response))
        more = search_page.has_next(response)
        page += 1
    return ids


def _signed(client: Client, text: str, **fields: object) -> TherapySession:
    return TherapySessionFactory.create(
        client=client,
        status=SessionStatus.SIGNED,
        signed_at=timezone.now(),
        sections={"did": text},
        **fields,
    )


def _copies_match() -> bool:
    """Every note's copy of its client's clinician is right."""
    return not TherapySession.objects.exclude(
        client_clinician=F("client__clinician")
    ).exists()


def test_a_reassigned_clients_notes_are_found_by_the_new_team_only(
    as_admin: HttpClient,
    as_clinician: HttpClient,
    as_supervisor: HttpClient,
    as_outsider: HttpClient,
    as_other_supervisor: HttpClient,
    client_record: Client,
    outsider: User,
) -> None:
    notes = {
        _signed(client_record, "walked by the harbour").pk,
        _signed(client_record, "harbour again").pk,
        TherapySessionFactory.create(
            client=client_record, sections={"did": "harbour draft"}
        ).pk,
    }
    assert _found(as_clinician, "harbour") == notes
    assert _found(as_outsider, "harbour") == set()

    # Signed notes are locked; their copy of the clinician follows the client.
    url = reverse("clients:reassign", args=[client_record.pk])
    assert as_admin.post(url, {"clinician": outsider.pk}).status_code == 302

    assert _copies_match()
    assert _found(as_outsider, "harbour") == notes
    assert _found(as_other_supervisor, "harbour") == notes
    assert _found(as_clinician, "harbour") == set()
    assert _found(as_supervisor, "harbour") == set()


def test_a_signed_note_stays_locked_apart_from_its_copy_of_the_clinician(
    client_record: Client, outsider: User
) -> None:
    note = _signed(client_record, "harbour")
    TherapySession.objects.filter(pk=note.pk).update(client_clinician=outsider)
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapySession.objects.filter(pk=note.pk).update(sections={"did": "changed"})


def test_a_caseload_move_takes_each_clients_notes_along(
    admin_user: User, clinician: User, outsider: User
) -> None:
    colleague = ClinicianFactory.create(supervisor=clinician.supervisor)
    first, second = ClientFactory.create_batch(2, clinician=clinician)
    for client in (first, second):
        TherapySessionFactory.create_batch(2, client=client)
    caseload_reassign(
        from_clinician=clinician,
        moves=[(first, colleague), (second, outsider)],
        by=admin_user,
    )
    assert _copies_match()
    assert set(
        TherapySession.objects.filter(client_clinician=outsider).values_list(
            "client", flat=True
        )
    ) == {second.pk}


def test_a_note_saved_from_a_copy_loaded_before_a_reassignment_keeps_the_new_one(
    client_record: Client, outsider: User
) -> None:
    draft = TherapySessionFactory.create(client=client_record)
    stale = TherapySession.objects.get(pk=draft.pk)
    Client.objects.filter(pk=client_record.pk).update(clinician=outsider)
    stale.sections = {"did": "edited after the move"}
    stale.save()
    stale.refresh_from_db()
    assert stale.client_clinician_id == outsider.pk


def test_a_note_written_before_its_client_in_one_transaction_gets_the_clinician(
    clinician: User,
) -> None:
    client_id = uuid.uuid4()
    with transaction.atomic():  # foreign keys are checked at commit
        note = TherapySession.objects.create(client_id=client_id, clinician=clinician)
        ClientFactory.create(id=client_id, clinician=clinician)
    note.refresh_from_db()
    assert note.client_clinician_id == clinician.pk


@pytest.mark.owner_role
def test_visibility_comes_from_the_client_whatever_the_copy_says(
    as_outsider: HttpClient, client_record: Client, outsider: User
) -> None:
    draft = TherapySessionFactory.create(
        client=client_record, sections={"did": "harbour"}
    )
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE therapy_sessions_therapysession"
            " DISABLE TRIGGER therapy_sessions_keep_client_clinician"
        )
    TherapySession.objects.filter(pk=draft.pk).update(client_clinician=outsider)
    assert _found(as_outsider, "harbour") == set()


def test_results_are_best_match_then_newest_page_by_page(
    as_supervisor: HttpClient, client_record: Client, clinician: User
) -> None:
    colleague = ClinicianFactory.create(supervisor=clinician.supervisor)
    other = ClientFactory.create(clinician=colleague)
    start = timezone.now() - datetime.timedelta(days=60)
    for n in range(27):
        # A few ranks, each shared by several notes of different days.
        text = " ".join(["kite"] * (1 + n % 3) + ["flew", "over", "the", "field"])
        _signed(
            client_record if n % 2 else other,
            text,
            started_at=start + datetime.timedelta(days=n),
        )
    _signed(client_record, "nothing to find")
    query = SearchQuery("kite", search_type="websearch", config="english")
    expected = list(
        TherapySession.objects.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-started_at")
        .values_list("pk", flat=True)
    )

    first = _search(as_supervisor, "kite")
    assertContains(first, "27 notes found")
    assertContains(first, "<mark>kite</mark>")
    second = _search(as_supervisor, "kite", page=2)
    shown = [pk for p in (first, second) for pk in search_page.hits(p)]
    assert shown == expected
    assert AuditEvent.objects.filter(action="search").last().result_count == 27  # type: ignore[union-attr]


@pytest.mark.owner_role
@pytest.mark.django_db
def test_the_bulk_seed_gives_every_note_its_clients_clinician(
    bench_app: None,
) -> None:
    call_command(
        "seed_scale",
        *("--staff", "12", "--clients", "30", "--sessions", "200", "--goals", "5"),
        *("--audit-events", "10"),
        stdout=StringIO(),
    )
    assert TherapySession.objects.filter(client_clinician__isnull=True).count() == 0
    assert _copies_match()


@pytest.mark.slow
def test_the_migration_fills_in_existing_notes(
    committed_db: None, clinician: User, outsider: User
) -> None:
    mine = ClientFactory.create(clinician=clinician)
    theirs = ClientFactory.create(clinician=outsider)
    _signed(mine, "harbour")
    TherapySessionFactory.create_batch(2, client=theirs)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns"
                " WHERE column_name = 'client_clinician_id'"
                " AND table_name = 'therapy_sessions_therapysession'"
            )
            assert cursor.fetchone() == (0,)
        executor.loader.build_graph()
        executor.migrate([AFTER])
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert _copies_match()
    assert TherapySession.objects.filter(client_clinician=outsider).count() == 2


@pytest.mark.parametrize(("asked", "shown"), [("9", 2), ("0", 2), ("x", 1), ("", 1)])
def test_a_page_number_out_of_range_shows_the_last_or_first_page(
    as_clinician: HttpClient, client_record: Client, asked: str, shown: int
) -> None:
    for _ in range(21):
        _signed(client_record, "lantern")
    as_clinician.post(reverse("sessions:search"), {"q": "lantern"})
    page = as_clinician.get(reverse("sessions:search_results"), {"page": asked})
    assertContains(page, "21 notes found")
    assertContains(page, f"Page {shown} of 2")
    assert len(search_page.hits(page)) == (1 if shown == 2 else 20)
    assert AuditEvent.objects.filter(action="search").last().result_count == 21  # type: ignore[union-attr]


def test_a_search_without_matches_says_so(
    as_clinician: HttpClient, client_record: Client
) -> None:
    _signed(client_record, "lantern")
    assertContains(_search(as_clinician, "compass"), "0 notes found")


def test_the_results_read_one_slice_at_a_time_in_rank_order(
    clinician: User, client_record: Client
) -> None:
    for n in range(5):
        _signed(client_record, " ".join(["lantern"] * (n + 1)))
    results = note_search(user=clinician, terms="lantern")
    every = list(results)
    assert [len(hit.headline.split()) for hit in every] == [5, 4, 3, 2, 1]
    assert results[1] == every[1]
    assert results.count() == len(results) == 5


@pytest.mark.django_db
def test_the_search_index_merges_its_pending_list_often() -> None:
    # Autosaves queue words in the GIN pending list, which every search reads;
    # a small limit keeps that list short (docs/performance.md).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s",
            ["session_search_scope_idx"],
        )
        (options,) = cursor.fetchone()
    assert "gin_pending_list_limit=128" in options


# Submitted as a browser does: from the pages as rendered, CSRF checks on
# (tests/web.py).


def test_searching_and_clearing_from_the_search_page(
    web, clinician: User, client_record: Client
) -> None:
    found_note = _signed(client_record, "We talked about the lantern festival")
    _signed(client_record, "A walk by the river")
    app = web(clinician)
    start = app.get(reverse("clients:list")).click("Search notes")
    form = form_to(start, reverse("sessions:search"))
    form["q"] = "lantern"

    results = form.submit().follow()

    assert results.request.path == reverse("sessions:search_results")
    assert "lantern" not in results.request.url
    assertContains(results, "1 note found.")
    assertContains(results, found_note.get_absolute_url())
    form = form_to(results, reverse("sessions:search"))
    assert form["q"].value == "lantern"
    cleared = form.submit("clear").follow()
    assert "found." not in cleared.text
    assert form_to(cleared, reverse("sessions:search"))["q"].value == ""


def test_search_finds_a_note_by_a_word_without_the_word_in_the_url(
    as_clinician: HttpClient, client_record: Client
) -> None:
    TherapySessionFactory.create(
        client=client_record, sections={"did": "We practised grounding by the river"}
    )
    TherapySessionFactory.create(
        client=client_record, sections={"did": "Housing forms"}
    )
    response = as_clinician.post(reverse("sessions:search"), {"q": "rivers"})
    assert "river" not in response["Location"]
    page = as_clinician.get(response["Location"])
    assertContains(page, "1 note found")
    assertContains(page, "<mark>river</mark>")
    assertNotContains(page, "Housing forms")


def test_search_never_returns_a_note_the_user_may_not_see(
    as_clinician: HttpClient,
    as_supervisor: HttpClient,
    outsider: object,
    client_record: Client,
) -> None:
    elsewhere = ClientFactory.create(clinician=outsider)
    TherapySessionFactory.create(client=elsewhere, sections={"did": "riverside walk"})
    TherapySessionFactory.create(client=client_record, sections={"did": "river walk"})
    for http in (as_clinician, as_supervisor):
        page = http.post(reverse("sessions:search"), {"q": "river"}, follow=True)
        assertContains(page, "1 note found")
        assertNotContains(page, "riverside")


def test_search_escapes_note_text(
    as_clinician: HttpClient, client_record: Client
) -> None:
    TherapySessionFactory.create(
        client=client_record, sections={"did": "<script>alert(1)</script> river"}
    )
    page = as_clinician.post(reverse("sessions:search"), {"q": "river"}, follow=True)
    assertNotContains(page, "<script>alert(1)")
    assertContains(page, "alert(1)")
    assertContains(page, "<mark>river</mark>")
