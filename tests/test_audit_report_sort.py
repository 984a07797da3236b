"""The audit report sorts by every column it shows, both ways, from plain
header links (aria-sort on the sorted one), with a stable tiebreak by seq and
pages that never repeat or skip an event; by staff means by the name as shown.
Each list, search and export event names the clients it held, and the report
shows how many, with the ids on the event's own page."""

from __future__ import annotations

import ipaddress
import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django_webtest import DjangoTestApp

from audit import selectors
from audit.forms import SORT_FIELDS
from audit.models import AuditEvent
from staff.models import User, person_name
from tests.audit_report import report_rows
from tests.factories import ClinicianFactory

PAGE = 7


@pytest.fixture
def trail(db: None) -> list[AuditEvent]:
    """Events spread over staff (names shown from display name, else first and
    last name), roles, actions, record types, clients, outcomes and addresses;
    some with nobody signed in and no client or address."""
    rng = random.Random(18)
    people: list[User | None] = [
        ClinicianFactory.create(display_name="Mara Quill"),
        ClinicianFactory.create(display_name="", first_name="Abel", last_name="Zorn"),
        ClinicianFactory.create(display_name="Mara Quill"),  # the same name
        ClinicianFactory.create(display_name="", first_name="", last_name=""),
        None,
    ]
    clients = [uuid.uuid4() for _ in range(4)]
    for _ in range(40):
        actor = rng.choice(people)
        AuditEvent.objects.create(
            actor=actor,
            actor_role=rng.choice(["clinician", "supervisor", "admin"]),
            action=rng.choice(["read", "list", "search", "export", "update"]),
            object_type=rng.choice(["client", "session", "goal", "page"]),
            client_id=rng.choice([*clients, None]),
            outcome=rng.choice(["allowed", "denied"]),
            source_ip=rng.choice(["192.0.2.9", "192.0.2.10", "198.51.100.1", None]),
        )
    return list(AuditEvent.objects.select_related("actor"))


def _expected(events: list[AuditEvent], column: str) -> list[int]:
    """The ascending order, written out: the column (empty last), then newest
    first; by staff, the name as shown, then the staff id."""

    def key(e: AuditEvent) -> tuple[Any, ...]:
        if column == "time":
            return (e.seq,)
        if column == "staff":
            a = e.actor
            who = (
                (person_name(a.display_name, a.first_name, a.last_name, a.username),
                 a.pk) if a else None
            )  # fmt: skip
            value: Any = who
        elif column == "address":
            value = ipaddress.ip_address(e.source_ip) if e.source_ip else None
        else:
            value = getattr(e, SORT_FIELDS[column])
        assert e.seq is not None
        return (value is None, value if value is not None else 0, -e.seq)

    return [e.seq for e in sorted(events, key=key)]  # type: ignore[misc]


def _all_pages(sort: str, **filters: Any) -> list[int]:
    seqs: list[int] = []
    number = 1
    while True:
        page = selectors.report_page(
            filters={"sort": sort, **filters}, page=str(number), size=PAGE
        )
        seqs += [row.seq for row in page.object_list]
        if not page.has_next():
            return seqs
        number += 1


@pytest.mark.parametrize("column", sorted(SORT_FIELDS))
def test_every_column_sorts_both_ways_across_pages(
    trail: list[AuditEvent], column: str
) -> None:
    ascending = _expected(trail, column)
    assert _all_pages(column) == ascending
    # Descending is the exact reverse, tiebreak included.
    assert _all_pages(f"-{column}") == ascending[::-1]


def test_sorting_by_staff_keeps_the_filters(trail: list[AuditEvent]) -> None:
    reads = [e for e in trail if e.action == "read"]
    assert _all_pages("staff", action="read") == _expected(reads, "staff")
    past_the_end = selectors.report_page(
        filters={"sort": "staff", "action": "read"}, page="999", size=PAGE
    )
    assert past_the_end.object_list and not past_the_end.has_next()


def test_sorting_by_staff_reads_a_few_queries_whatever_the_page(
    trail: list[AuditEvent], django_assert_max_num_queries: Any
) -> None:
    for number in ("1", "3", "6"):
        with django_assert_max_num_queries(5):
            selectors.report_page(filters={"sort": "-staff"}, page=number, size=PAGE)


def test_column_headers_are_sort_links_with_aria_sort(
    web: Callable[[User], DjangoTestApp],
    admin_user: User,
    trail: list[AuditEvent],
) -> None:
    app = web(admin_user)
    page = app.get(reverse("audit:report"))
    headers = page.html.select("table.audit-report thead th")
    sorted_by = [th for th in headers if th.get("aria-sort")]
    assert [(th.get_text(strip=True)[:4], th["aria-sort"]) for th in sorted_by] == [
        ("Time", "descending")
    ]
    assert len(page.html.select("table.audit-report thead th a")) == 8
    # Action, then action again: ascending, then descending.
    by_action = page.click(href=r"sort=action", index=0)
    th = by_action.html.find("th", attrs={"aria-sort": True})
    assert th.get_text(strip=True).startswith("Action")
    assert th["aria-sort"] == "ascending"
    actions = [row.action for row in report_rows(by_action)]
    assert actions == sorted(actions)
    reversed_page = by_action.click(href=r"sort=-action")
    th = reversed_page.html.find("th", attrs={"aria-sort": True})
    assert th["aria-sort"] == "descending"
    # The filter form carries the order: filtering keeps it.
    form = reversed_page.forms["audit-filter"]
    assert form["sort"].value == "-action"


def test_a_list_names_the_clients_it_held_and_the_report_shows_them(
    web: Callable[[User], DjangoTestApp],
    clinician: User,
    admin_user: User,
) -> None:
    from tests.factories import ClientFactory

    mine = [ClientFactory.create(clinician=clinician) for _ in range(3)]
    ClientFactory.create()  # someone else's: never on the page
    web(clinician).get(reverse("clients:list"))
    event = AuditEvent.objects.filter(action="list", object_type="client").get()
    assert sorted(event.detail["clients"]) == sorted(str(c.pk) for c in mine)
    app = web(admin_user)
    report = app.get(reverse("audit:report"), {"action": "list"})
    full = report.click(description="3 clients held")
    held = full.html.select("[data-testid=clients-held] code")
    assert sorted(code.get_text() for code in held) == sorted(str(c.pk) for c in mine)
    # Each id leads to that client's events in the report.
    by_client = full.click(description=str(mine[0].pk))
    assert by_client.forms["audit-filter"]["client_id"].value == str(mine[0].pk)
