"""Hostile or mistyped input in a URL never gives a 500: a page number past the
end shows the last page, an impossible date or an unknown order is a message on
the form (the other filters kept), and the note-search address opened with GET
shows the search form."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from audit import services as audit
from audit.models import Action, AuditEvent
from clients.models import Client
from sessions.models import SessionStatus
from staff.models import User
from tests.audit_report import report_rows
from tests.exports import csv_rows
from tests.factories import ClientFactory, TherapySessionFactory


def _listed(user: User, times: int = 1) -> None:
    """`times` audit events of `user` listing staff."""
    for _ in range(times):
        audit.record(actor=user, action=Action.LIST, object_type="staff")


HUGE_PAGES = ["400000000000000000", "9" * 40, "-400000000000000000"]


@pytest.mark.parametrize("page", HUGE_PAGES)
def test_a_huge_page_number_on_the_caseload_shows_the_last_page(
    as_clinician: HttpClient, clinician: User, page: str
) -> None:
    ClientFactory.create_batch(26, clinician=clinician)
    response = as_clinician.get(reverse("clients:list"), {"page": page})
    assert response.status_code == 200
    assertContains(response, "Page 2 of 2")


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("as_admin", "staff:list"),
        ("as_admin", "staff:needs_clinician"),
        ("as_supervisor", "sessions:review_queue"),
        ("as_supervisor", "team:dashboard"),
        ("as_supervisor", "team:reach_out"),
        ("as_clinician", "sessions:mine"),
        ("as_clinician", "clients:reach_out"),
    ],
)
def test_a_huge_page_number_on_any_other_list_is_a_page(
    request: pytest.FixtureRequest, persona: str, name: str
) -> None:
    http: HttpClient = request.getfixturevalue(persona)
    for page in HUGE_PAGES:
        assert http.get(reverse(name), {"page": page}).status_code == 200


def test_a_huge_page_number_on_a_clients_notes_is_a_page(
    as_clinician: HttpClient, client_record: Client
) -> None:
    url = reverse("sessions:list", args=[client_record.pk])
    for page in HUGE_PAGES:
        assert as_clinician.get(url, {"page": page}).status_code == 200


@pytest.mark.parametrize("page", HUGE_PAGES[:2])
def test_a_huge_page_number_on_the_audit_report_shows_the_last_page(
    as_admin: HttpClient, admin_user: User, page: str
) -> None:
    _listed(admin_user, 60)
    total = AuditEvent.objects.count()
    response = as_admin.get(reverse("audit:report"), {"page": page})
    assert response.status_code == 200
    last = (total - 1) // 50 + 1
    assertContains(response, f"Page {last}</span>")
    assert report_rows(response)  # the last page's rows, not none
    assertNotContains(response, ">Next</a>")


def test_a_page_just_past_the_end_of_the_audit_report_shows_the_last_page(
    as_admin: HttpClient, admin_user: User
) -> None:
    _listed(admin_user)
    response = as_admin.get(reverse("audit:report"), {"page": "3"})
    assert response.status_code == 200
    assert report_rows(response)
    assertNotContains(response, 'class="pagination"')  # the one page there is


@pytest.mark.parametrize("page", HUGE_PAGES)
def test_a_huge_page_number_on_the_note_search_shows_the_last_page(
    as_clinician: HttpClient, client_record: Client, page: str
) -> None:
    for _ in range(21):
        TherapySessionFactory.create(
            client=client_record,
            status=SessionStatus.SIGNED,
            signed_at=timezone.now(),
            sections={"did": "lantern"},
        )
    as_clinician.post(reverse("sessions:search"), {"q": "lantern"})
    response = as_clinician.get(reverse("sessions:search_results"), {"page": page})
    assert response.status_code == 200
    assertContains(response, "21 notes found")
    assertContains(response, "Page 2 of 2")


@pytest.mark.parametrize("field", ["date_to", "date_from"])
def test_a_date_in_the_year_9999_on_the_audit_report_is_a_form_error(
    as_admin: HttpClient, admin_user: User, field: str
) -> None:
    _listed(admin_user)
    response = as_admin.get(
        reverse("audit:report"), {field: "9999-12-31", "action": "list"}
    )
    assert response.status_code == 200
    assertContains(response, "Choose a date before the year 3000.")
    # The other filter still applies and is still shown.
    rows = report_rows(response)
    assert rows and {row.action for row in rows} == {"list"}
    assertContains(response, '<option value="list" selected>')


def test_a_date_in_the_year_9999_on_the_csv_export_shows_the_report_with_the_error(
    as_admin: HttpClient,
) -> None:
    query = {"date_to": "9999-12-31", "action": "list"}
    response = as_admin.get(reverse("audit:export"), query)
    assertRedirects(
        response, reverse("audit:report") + "?date_to=9999-12-31&action=list"
    )
    report = as_admin.get(response["Location"])
    assert report.status_code == 200
    assertContains(report, "Choose a date before the year 3000.")


def test_a_valid_csv_export_is_still_a_file(
    as_admin: HttpClient, admin_user: User
) -> None:
    _listed(admin_user)
    response = as_admin.get(
        reverse("audit:export"), {"date_to": "2999-12-31", "action": "list"}
    )
    assert response.status_code == 200
    rows = csv_rows(response.content.decode())
    assert rows[1:] and {row[4] for row in rows[1:]} == {"list"}


def test_an_unknown_order_on_the_audit_report_says_so_and_keeps_the_filters(
    as_admin: HttpClient, admin_user: User
) -> None:
    _listed(admin_user)
    response = as_admin.get(
        reverse("audit:report"), {"sort": "password", "action": "list"}
    )
    assert response.status_code == 200
    assertContains(response, "Choose an order from the list.")
    rows = report_rows(response)
    assert rows and {row.action for row in rows} == {"list"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("actor", "400000000000000000", "Choose a staff member from the list."),
        ("actor", "x", "Choose a staff member from the list."),
        ("action", "drop", "Choose an action from the list."),
        ("date_from", "2024-02-30", "Enter a date as year-month-day"),
        ("date_from", "0001-01-01", "Choose a date in 1900 or later."),
    ],
)
def test_other_impossible_audit_filters_are_form_errors(
    as_admin: HttpClient, field: str, value: str, message: str
) -> None:
    response = as_admin.get(reverse("audit:report"), {field: value})
    assert response.status_code == 200
    assertContains(response, message)


def test_opening_the_note_search_address_shows_the_search_form(
    web: Callable[[User], DjangoTestApp], clinician: User
) -> None:
    app = web(clinician)
    page = app.get(reverse("sessions:search")).follow()
    assert page.request.path == reverse("sessions:search_results")
    form = page.forms["note-search"]
    form["q"] = "lantern"
    results = form.submit().follow()
    assert results.status_code == 200
    assert "0 notes found" in results.text


def test_opening_the_note_search_address_changes_nothing(
    as_clinician: HttpClient, client_record: Client
) -> None:
    as_clinician.post(reverse("sessions:search"), {"q": "lantern"})
    response = as_clinician.get(reverse("sessions:search"), {"q": "compass"})
    assertRedirects(response, reverse("sessions:search_results"))
    assert as_clinician.session["sessions:search"] == "lantern"
