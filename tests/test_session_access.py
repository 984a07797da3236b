from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from sessions.models import Addendum, TherapySession
from tests.factories import ClientFactory, TherapySessionFactory
from tests.querycount import queries_for_get

SESSION_PAGES = ["detail", "update", "sign", "addendum", "print"]
SESSION_POSTS = ["update", "sign", "addendum"]


@pytest.fixture
def note(client_record: Client) -> TherapySession:
    return TherapySessionFactory.create(client=client_record)


@pytest.mark.parametrize("name", SESSION_PAGES)
def test_outsider_gets_404_on_every_session_page(
    as_outsider: HttpClient, note: TherapySession, name: str
) -> None:
    assert (
        as_outsider.get(reverse(f"sessions:{name}", args=[note.pk])).status_code == 404
    )


@pytest.mark.parametrize("name", SESSION_POSTS)
def test_outsider_posts_change_nothing(
    as_outsider: HttpClient, note: TherapySession, name: str
) -> None:
    before = TherapySession.objects.values().get(pk=note.pk)
    response = as_outsider.post(
        reverse(f"sessions:{name}", args=[note.pk]),
        {
            "section_brought": "x",
            "version": 1,
            "confirm": "on",
            "reason": "r",
            "text": "t",
        },
    )
    assert response.status_code == 404
    assert TherapySession.objects.values().get(pk=note.pk) == before
    assert not Addendum.objects.exists()


@pytest.mark.parametrize("name", ["create", "list"])
def test_outsider_gets_404_on_the_clients_session_pages(
    as_outsider: HttpClient, client_record: Client, name: str
) -> None:
    url = reverse(f"sessions:{name}", args=[client_record.pk])
    assert as_outsider.get(url).status_code == 404
    # The timeline is read-only: a POST is refused before any lookup (405).
    refused = 405 if name == "list" else 404
    assert as_outsider.post(url, {"section_brought": "x"}).status_code == refused
    assert not TherapySession.objects.exists()


def test_supervisor_reads_but_never_edits_a_supervisees_note(
    as_supervisor: HttpClient, as_other_supervisor: HttpClient, note: TherapySession
) -> None:
    page = as_supervisor.get(note.get_absolute_url())
    assertContains(page, "Test note text")
    assertNotContains(page, "Continue the draft")
    edit = reverse("sessions:update", args=[note.pk])
    assert as_supervisor.post(edit, {"section_brought": "x"}).status_code == 403
    assert as_other_supervisor.get(note.get_absolute_url()).status_code == 404


def test_admin_gets_404_on_notes(as_admin: HttpClient, note: TherapySession) -> None:
    assert as_admin.get(note.get_absolute_url()).status_code == 404


def test_timeline_is_newest_first_and_paginated(
    as_clinician: HttpClient, client_record: Client
) -> None:
    TherapySessionFactory.create_batch(25, client=client_record)
    url = reverse("sessions:list", args=[client_record.pk])
    page = as_clinician.get(url)
    assertContains(page, "Page 1 of 2")
    dates = [s.started_at for s in page.context["page"].object_list]
    assert dates == sorted(dates, reverse=True)


def test_timeline_query_count_is_constant(
    as_clinician: HttpClient, client_record: Client
) -> None:
    url = reverse("sessions:list", args=[client_record.pk])
    counts = []
    for extra in (3, 40):
        TherapySessionFactory.create_batch(extra, client=client_record)
        counts.append(queries_for_get(as_clinician, url))
        counts.append(queries_for_get(as_clinician, client_record.get_absolute_url()))
    assert counts[0] == counts[2], counts
    assert counts[1] == counts[3], counts


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


def test_search_is_not_for_admins(as_admin: HttpClient) -> None:
    assert as_admin.post(reverse("sessions:search"), {"q": "x"}).status_code == 404
    assert as_admin.get(reverse("sessions:search_results")).status_code == 404
