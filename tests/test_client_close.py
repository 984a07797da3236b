from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from clients import services
from clients.models import Client, ClientStatus, ClosureReason, StatusChange
from staff.models import User
from tests.factories import ClientFactory
from tests.web import form_to


def _close_url(client: Client) -> str:
    return reverse("clients:close", args=[client.pk])


def _status_url(client: Client) -> str:
    return reverse("clients:status", args=[client.pk])


def test_closing_needs_a_reason(
    as_clinician: HttpClient, client_record: Client
) -> None:
    response = as_clinician.post(
        _close_url(client_record), {"closed_on": timezone.localdate().isoformat()}
    )
    assertContains(response, "Choose a reason for closing.")
    client_record.refresh_from_db()
    assert client_record.status == ClientStatus.ACTIVE


def test_reasons_are_non_punitive(
    as_clinician: HttpClient, client_record: Client
) -> None:
    content = as_clinician.get(_close_url(client_record)).content.decode().lower()
    for word in ("compliance", "relapse", "missed", "failed", "discharge"):
        assert word not in content.split("missed contact is a reason to reach out")[0]
    assert set(ClosureReason.values) == {
        "client_chose",
        "moved",
        "transferred",
        "died",
        "other",
    }


def test_close_and_reopen_keep_the_record(
    as_clinician: HttpClient, client_record: Client
) -> None:
    today = timezone.localdate().isoformat()
    response = as_clinician.post(
        _close_url(client_record),
        {"reason": "moved", "closed_on": today, "note": "Moved to the coast"},
    )
    assertRedirects(response, client_record.get_absolute_url())
    client_record.refresh_from_db()
    assert client_record.status == ClientStatus.CLOSED
    assert client_record.closed_reason == "moved"
    assertContains(as_clinician.get(reverse("clients:list")), "No clients here yet")

    as_clinician.post(_status_url(client_record), {"action": "reopen"})
    client_record.refresh_from_db()
    assert client_record.status == ClientStatus.ACTIVE
    assert client_record.closed_reason == ""
    assert client_record.chosen_name == "Robin Example"
    history = list(StatusChange.objects.values_list("from_status", "to_status"))
    assert history == [("closed", "active"), ("active", "closed")]
    before_any_change = as_clinician.get(
        ClientFactory.create(clinician=client_record.clinician).get_absolute_url()
    )
    assertNotContains(before_any_change, "Record history")
    page = as_clinician.get(client_record.get_absolute_url())
    assertContains(page, "Record history")
    assertContains(page, "Moved to the coast")


def test_pause_and_resume(as_clinician: HttpClient, client_record: Client) -> None:
    as_clinician.post(_status_url(client_record), {"action": "pause"})
    client_record.refresh_from_db()
    assert client_record.status == ClientStatus.PAUSED
    as_clinician.post(_status_url(client_record), {"action": "resume"})
    client_record.refresh_from_db()
    assert client_record.status == ClientStatus.ACTIVE


def test_closing_twice_is_harmless(
    as_clinician: HttpClient, client_record: Client
) -> None:
    data = {"reason": "other", "closed_on": timezone.localdate().isoformat()}
    as_clinician.post(_close_url(client_record), data)
    as_clinician.post(_close_url(client_record), data)
    assert StatusChange.objects.count() == 1


def test_closing_date_before_intake_is_refused(
    as_clinician: HttpClient, client_record: Client
) -> None:
    early = (client_record.intake_date - datetime.timedelta(days=3)).isoformat()
    response = as_clinician.post(
        _close_url(client_record), {"reason": "other", "closed_on": early}
    )
    assertContains(response, "before the intake date")


def test_status_view_is_post_only(
    as_clinician: HttpClient, client_record: Client
) -> None:
    assert as_clinician.get(_status_url(client_record)).status_code == 405


def test_database_refuses_a_closed_record_without_reason(client_record: Client) -> None:
    client_record.status = ClientStatus.CLOSED
    client_record.closed_on = timezone.localdate()
    try:
        with transaction.atomic():
            client_record.save()
    except IntegrityError:
        pass
    else:  # pragma: no cover - the failure path
        raise AssertionError("a closed record without a reason was saved")


# Submitted as a browser does: from the pages as rendered, CSRF checks on
# (tests/web.py).


def test_closing_from_the_client_page_keeps_the_record_and_says_so(
    web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    record = app.get(client_record.get_absolute_url())
    page = record.click(href=_close_url(client_record))
    form = form_to(page, _close_url(client_record))
    assert form["closed_on"].value == timezone.localdate().isoformat()
    form["reason"] = "moved"
    form["note"] = "Moved to the coast"

    landed = form.submit().follow()

    assert landed.request.path == client_record.get_absolute_url()
    assertContains(landed, "The record is closed. It can be reopened.")
    client_record.refresh_from_db()
    assert (client_record.status, client_record.closed_reason) == (
        ClientStatus.CLOSED,
        "moved",
    )
    assert client_record.closed_on == timezone.localdate()


def test_the_status_buttons_on_the_client_page_pause_resume_and_reopen(
    web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    url = client_record.get_absolute_url()
    for action, status, message in (
        ("pause", ClientStatus.PAUSED, "The record is now paused."),
        ("resume", ClientStatus.ACTIVE, "The record is now active."),
    ):
        form = form_to(app.get(url), _status_url(client_record))
        assert form["action"].value_if_submitted() == action  # its one button
        landed = form.submit("action").follow()
        assertContains(landed, message)
        client_record.refresh_from_db()
        assert client_record.status == status, action

    services.client_close(
        client=client_record,
        by=clinician,
        reason=ClosureReason.OTHER,
        closed_on=timezone.localdate(),
        note="",
    )
    form = form_to(app.get(url), _status_url(client_record))
    assert form["action"].value_if_submitted() == "reopen"
    landed = form.submit("action").follow()
    assertContains(landed, "The record is now active.")
    client_record.refresh_from_db()
    assert client_record.status == ClientStatus.ACTIVE
    assert StatusChange.objects.filter(client=client_record).count() == 4
