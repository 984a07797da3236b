"""Note search past its cap (issue #25): the newest SEARCH_CAP matches are ranked
and shown, "more than" is said only for notes the user may see, and a search is
narrowed by a client's name and dates from the page's own form."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from sessions.models import SessionStatus, TherapySession
from sessions.selectors import SEARCH_CAP
from staff.models import User
from tests import note_search_page as search_page
from tests.factories import ClientFactory
from tests.web import form_to

MORE = "More than 1,000 notes match: narrow the search with a date or a client."


def _notes(client: Client, text: str, count: int, newest: datetime.datetime) -> None:
    """`count` signed notes of `client` saying `text`, one a day back from
    `newest`, in one INSERT (search_vector is computed by PostgreSQL)."""
    TherapySession.objects.bulk_create(
        TherapySession(
            client=client,
            clinician=client.clinician,
            status=SessionStatus.SIGNED,
            started_at=newest - datetime.timedelta(days=n),
            signed_at=newest - datetime.timedelta(days=n),
            sections={"did": text},
        )
        for n in range(count)
    )


def _search(http: HttpClient, terms: str, page: int = 1) -> Any:
    http.post(reverse("sessions:search"), {"q": terms})
    return http.get(reverse("sessions:search_results"), {"page": page})


def test_past_the_cap_the_newest_are_shown_and_the_page_says_more(
    as_clinician: HttpClient, client_record: Client
) -> None:
    now = timezone.now()
    _notes(client_record, "kettle", SEARCH_CAP + 5, now)

    first = _search(as_clinician, "kettle")
    assertContains(first, MORE)
    assertNotContains(first, "notes found")
    assert search_page.pages(first) == SEARCH_CAP // 20
    # The last page is the cap's, and it holds the oldest of the newest 1,000.
    last = _search(as_clinician, "kettle", page=search_page.pages(first))
    assert len(search_page.hits(last)) == 20
    assertNotContains(last, ">Next</a>")
    oldest_shown = min(search_page.started(last))
    assert oldest_shown == now - datetime.timedelta(days=SEARCH_CAP - 1)


def test_notes_the_user_may_not_see_never_make_the_page_say_more(
    as_clinician: HttpClient, client_record: Client, outsider: User
) -> None:
    elsewhere = ClientFactory.create(clinician=outsider)
    _notes(elsewhere, "kettle", SEARCH_CAP + 5, timezone.now())
    _notes(client_record, "kettle", 2, timezone.now())

    page = _search(as_clinician, "kettle")
    assertContains(page, "2 notes found.")
    assertNotContains(page, "More than")


def test_exactly_the_cap_is_counted_not_more(
    as_clinician: HttpClient, client_record: Client
) -> None:
    _notes(client_record, "kettle", SEARCH_CAP, timezone.now())
    page = _search(as_clinician, "kettle")
    assertContains(page, "1000 notes found.")
    assertNotContains(page, "More than")


def test_narrowing_by_client_and_dates_from_the_search_page(
    web, clinician: User, client_record: Client
) -> None:
    other = ClientFactory.create(clinician=clinician, chosen_name="Wren Other")
    now = timezone.now()
    _notes(client_record, "kettle", 10, now)
    _notes(other, "kettle", 10, now)
    app = web(clinician)
    form = form_to(
        app.get(reverse("sessions:search_results")), reverse("sessions:search")
    )
    form["q"] = "kettle"
    form["client"] = "wren oth"
    results = form.submit().follow()
    assertContains(results, "10 notes found.")
    assert search_page.clients(results) == {other.pk}

    form = form_to(results, reverse("sessions:search"))
    assert form["client"].value == "wren oth"
    today = timezone.localdate()
    form["since"] = (today - datetime.timedelta(days=2)).isoformat()
    form["until"] = today.isoformat()
    narrowed = form.submit().follow()
    assertContains(narrowed, "3 notes found.")

    form = form_to(narrowed, reverse("sessions:search"))
    form["since"], form["until"] = today.isoformat(), "2001-01-01"
    refused = form.submit()
    assertContains(refused, "The end date is before the start date.")
    # What was kept stays kept.
    assertContains(app.get(reverse("sessions:search_results")), "3 notes found.")
