"""Printing is its own audited action: a page's print version (the client's
record with their goals, a signed note) records a `print` when it is served,
which works without JavaScript; the ordinary pages print only a note pointing
to it. Exports name every client they held."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from audit.models import AuditEvent
from clients.models import Client
from sessions.models import SessionStatus
from staff.models import User
from tests.exports import csv_rows
from tests.factories import ClientFactory, GoalFactory, TherapySessionFactory


def _last() -> AuditEvent:
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    return event


def test_printing_the_record_from_its_link_is_a_print_event(
    web: Callable[[User], DjangoTestApp], clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record, wording="walk to the river")
    app = web(clinician)
    record = app.get(reverse("clients:detail", args=[client_record.pk]))
    assert _last().action == "read"
    # On paper, the ordinary page is only a pointer to the print version.
    assert record.html.select_one(".print-instead") is not None
    before = AuditEvent.objects.count()
    printed = record.click(description="Print the record")
    assert printed.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = _last()
    assert (event.action, event.object_type, event.client_id, event.actor) == (
        "print",
        "client",
        client_record.pk,
        clinician,
    )
    # The record with its goals, the print bar, and no pointer on paper.
    assert goal.wording in printed.text
    assert printed.html.select_one("[data-testid=print-bar]") is not None
    assert printed.html.select_one(".print-instead") is None
    assert printed.html.select_one("button[data-print-now][hidden]") is not None
    back = printed.click(description="Back to the record")
    assert _last().action == "read" and back.status_code == 200


def test_printing_a_signed_note_from_its_print_view_is_a_print_event(
    web: Callable[[User], DjangoTestApp], clinician: User, client_record: Client
) -> None:
    note = TherapySessionFactory.create(
        client=client_record, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    app = web(clinician)
    page = app.get(reverse("sessions:detail", args=[note.pk]))
    assert "prints from its “Print view”" in page.html.select_one(".print-instead").text
    page.click(description="Print view")
    event = _last()
    assert (event.action, event.object_type, event.object_id) == (
        "print",
        "session",
        str(note.pk),
    )


def test_another_clinicians_print_version_is_a_404_and_no_print(
    web: Callable[[User], DjangoTestApp], outsider: User, client_record: Client
) -> None:
    response = web(outsider).get(
        reverse("clients:detail", args=[client_record.pk]) + "?print=1", status=404
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="print").exists()
    assert _last().outcome == "denied"


def test_the_team_export_names_every_client_in_the_file(
    web: Callable[[User], DjangoTestApp], supervisor: User, clinician: User
) -> None:
    clients = [ClientFactory.create(clinician=clinician) for _ in range(3)]
    app = web(supervisor)
    dashboard = app.get(reverse("team:dashboard"))
    response = dashboard.click(href=reverse("team:export"))
    rows = csv_rows(response.text)
    event = _last()
    assert (event.action, event.result_count) == ("export", len(rows) - 1)
    assert sorted(event.detail["clients"]) == sorted(str(c.pk) for c in clients)


def test_the_audit_export_names_the_clients_its_rows_held(
    web: Callable[[User], DjangoTestApp],
    admin_user: User,
    clinician: User,
    client_record: Client,
) -> None:
    web(clinician).get(reverse("clients:detail", args=[client_record.pk]))
    app = web(admin_user)
    report = app.get(reverse("audit:report"), {"action": "read"})
    report.click(description="Export CSV")
    event = _last()
    assert event.action == "export" and event.object_type == "audit_event"
    assert event.detail == {"clients": [str(client_record.pk)]}
