"""Notes another person may not change stay unchanged, a supervisor reads a
supervisee's draft without a way to continue it, and a client's timeline. Every
note page's status code for every persona is in tests/test_access_matrix.py."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from sessions.models import Addendum, TherapySession
from tests.factories import TherapySessionFactory
from tests.querycount import queries_for_get

SESSION_POSTS = ["update", "sign", "addendum"]


@pytest.fixture
def note(client_record: Client) -> TherapySession:
    return TherapySessionFactory.create(client=client_record)


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


def test_an_outsiders_new_note_for_the_client_is_never_saved(
    as_outsider: HttpClient, client_record: Client
) -> None:
    url = reverse("sessions:create", args=[client_record.pk])
    assert as_outsider.post(url, {"section_brought": "x"}).status_code == 404
    assert not TherapySession.objects.exists()


def test_a_supervisor_reads_a_supervisees_draft_without_a_way_to_continue_it(
    as_supervisor: HttpClient, note: TherapySession
) -> None:
    page = as_supervisor.get(note.get_absolute_url())
    assertContains(page, "Test note text")
    assertNotContains(page, "Continue the draft")


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
