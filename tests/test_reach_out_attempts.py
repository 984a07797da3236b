"""Reach-out attempts ("Tried to reach") and a paused record's review date
(issue #21, part 3): recorded from the reach-out list and the record, shown on
the timeline and the list, never a session, never closing anything."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import AuditEvent
from clients import selectors
from clients.models import Client, ClientStatus, ContactAttempt
from staff.models import User
from tests.db_roles import refusal
from tests.factories import ClientFactory, ClinicianFactory
from tests.querycount import queries_for_get

Web = Callable[[User], DjangoTestApp]
LONG_AGO = datetime.timedelta(days=90)


def _quiet(clinician: User, **fields: object) -> Client:
    """A client with no contact for long enough to be on the reach-out list."""
    fields.setdefault("intake_date", timezone.localdate() - LONG_AGO)
    return ClientFactory.create(clinician=clinician, **fields)


def _reach_out_page(web: Web, user: User) -> DjangoTestApp:
    caseload = web(user).get(reverse("clients:list"))
    return caseload.click(href=reverse("clients:reach_out"))


def _record_page(web: Web, user: User, client: Client) -> DjangoTestApp:
    caseload = web(user).get(reverse("clients:list"))
    return caseload.click(href=client.get_absolute_url())


def test_record_an_attempt_from_the_reach_out_list(web: Web, clinician: User) -> None:
    client = _quiet(clinician, chosen_name="Quiet Example")
    page = _reach_out_page(web, clinician).click(f"Tried to reach {client.chosen_name}")
    # The form opens with the person's safe-contact preferences beside it.
    assert "Contacting safely" in page.text
    form = page.forms["attempt-form"]
    form["how"] = "call"
    form["outcome"] = "left_message"
    form["note"] = "Said it was the clinic, as agreed."
    listed = form.submit().follow()
    assert listed.request.path == reverse("clients:reach_out")
    assertContains(listed, "Kept: you tried to reach Quiet Example.")
    attempt = ContactAttempt.objects.get(client=client)
    assert (attempt.how, attempt.outcome, attempt.by) == (
        "call",
        "left_message",
        clinician,
    )
    # Still on the list, with the latest attempt: an attempt is not contact.
    row = listed.html.find(attrs={"data-testid": "latest-attempt"})
    assert row.text.strip() == "Tried today, left a message (by phone)"
    client.refresh_from_db()
    assert client.last_contact_at is None and client.status == ClientStatus.ACTIVE


def test_record_an_attempt_from_the_record(web: Web, clinician: User) -> None:
    client = _quiet(clinician)
    record = _record_page(web, clinician, client)
    page = record.click("Tried to reach", index=0)
    form = page.forms["attempt-form"]
    form["how"] = "support_person"
    form["outcome"] = "talked"
    page = form.submit()
    assertContains(page, "Name the support person you went through.")
    assert not ContactAttempt.objects.exists()
    form = page.forms["attempt-form"]
    form["through_whom"] = "Sam  (sister)"
    record = form.submit().follow()
    assert record.request.path == client.get_absolute_url()
    entry = record.html.find(attrs={"data-testid": "attempt"})
    assert entry.text == "Tried to reach through Sam (sister) (support person): talked"
    client.refresh_from_db()
    assert client.last_contact_at is None


def test_timeline_shows_the_attempt_not_as_a_session(web: Web, clinician: User) -> None:
    client = _quiet(clinician)
    page = _record_page(web, clinician, client).click("Tried to reach", index=0)
    form = page.forms["attempt-form"]
    form["how"] = "call"
    form["outcome"] = "no_answer"
    record = form.submit().follow()
    timeline = record.html.find("ol", class_="timeline")
    assert "Tried to reach by phone: no answer" in timeline.text
    assert "Reach-out attempt" in timeline.text
    # Not a session: the sessions list has none.
    sessions = web(clinician).get(reverse("sessions:list", args=[client.pk]))
    assertContains(sessions, "No sessions yet.")


def test_no_texts_is_said_and_needs_a_confirmation(web: Web, clinician: User) -> None:
    client = _quiet(clinician, texts_ok=False, voicemail_ok=True, code_word="Bluebird")
    page = _record_page(web, clinician, client).click("Tried to reach", index=0)
    assertContains(page, "Text message (they asked for no texts)")
    assertNotContains(page, "they asked for no voicemail")
    # The code word and safe times are shown beside the form.
    assertContains(page, "Bluebird")
    assertContains(page, "Safe times")
    form = page.forms["attempt-form"]
    form["how"] = "text"
    form["outcome"] = "left_message"
    page = form.submit()
    assertContains(page, "They asked for no texts: tick this box")
    assert not ContactAttempt.objects.exists()
    form = page.forms["attempt-form"]
    form["confirmed"] = True
    form.submit().follow()
    attempt = ContactAttempt.objects.get()
    assert attempt.how == "text" and attempt.despite_preference


def test_a_record_without_a_no_asks_for_no_confirmation(
    web: Web, clinician: User
) -> None:
    client = _quiet(clinician, texts_ok=None, voicemail_ok=None)
    page = web(clinician).get(reverse("clients:attempts", args=[client.pk]))
    assert "confirmed" not in page.forms["attempt-form"].fields
    assertNotContains(page, "they asked for no")


def test_one_attempt_per_form(web: Web, clinician: User) -> None:
    client = _quiet(clinician)
    page = web(clinician).get(reverse("clients:attempts", args=[client.pk]))
    form = page.forms["attempt-form"]
    form["how"] = "letter"
    form["outcome"] = "no_answer"
    form.submit()
    form.submit()
    assert ContactAttempt.objects.filter(client=client).count() == 1


def test_an_attempt_in_the_future_is_refused(web: Web, clinician: User) -> None:
    client = _quiet(clinician)
    page = web(clinician).get(reverse("clients:attempts", args=[client.pk]))
    form = page.forms["attempt-form"]
    form["how"] = "call"
    form["outcome"] = "no_answer"
    later = timezone.localtime() + datetime.timedelta(days=1)
    form["tried_at"] = later.strftime("%Y-%m-%dT%H:%M")
    assertContains(form.submit(), "An attempt cannot be in the future.")
    assert not ContactAttempt.objects.exists()


def test_attempts_are_audited_with_the_client_id_and_no_note(
    web: Web, clinician: User
) -> None:
    client = _quiet(clinician)
    page = web(clinician).get(reverse("clients:attempts", args=[client.pk]))
    form = page.forms["attempt-form"]
    form["how"] = "outreach_visit"
    form["outcome"] = "talked"
    form["note"] = "Private words qwxz"
    form.submit()
    attempt = ContactAttempt.objects.get()
    event = AuditEvent.objects.filter(action="create").order_by("-seq").first()
    assert event is not None
    assert (event.object_type, event.object_id, event.client_id) == (
        "contactattempt",
        str(attempt.pk),
        client.pk,
    )
    assert event.detail == {
        "how": "outreach_visit",
        "outcome": "talked",
        "despite_preference": False,
    }


def test_postgresql_keeps_attempts(web: Web, clinician: User) -> None:
    client = _quiet(clinician)
    page = web(clinician).get(reverse("clients:attempts", args=[client.pk]))
    form = page.forms["attempt-form"]
    form["how"] = "call"
    form["outcome"] = "no_answer"
    form.submit()
    # The app role has no UPDATE or DELETE on the table (migration audit
    # contact_attempt_app_role_grants), and TRUNCATE is the owner's only.
    table = "clients_contactattempt"
    assert "permission denied" in refusal(f"UPDATE {table} SET note = 'x'")
    assert "permission denied" in refusal(f"DELETE FROM {table}")
    assert "permission denied" in refusal(f"TRUNCATE {table}")


@pytest.mark.owner_role
def test_attempts_are_append_only_even_for_the_owner(clinician: User) -> None:
    table = "clients_contactattempt"
    # Before any row: a new row's deferred key checks would stop TRUNCATE first.
    assert "never emptied" in refusal(f"TRUNCATE {table}")
    client = _quiet(clinician)
    ContactAttempt.objects.create(
        client=client, by=clinician, how="call", outcome="talked"
    )
    assert "append-only" in refusal(f"UPDATE {table} SET note = 'x'")
    assert "append-only" in refusal(f"DELETE FROM {table}")
    assert "contact_attempt_not_future" in refusal(
        f"INSERT INTO {table} (client_id, by_id, tried_at, how, outcome,"
        " through_whom, note, despite_preference, created_at)"
        " VALUES (%s, %s, now() + interval '1 day', 'call', 'talked', '', '',"
        " false, now())",
        [client.pk, clinician.pk],
    )


def test_another_clinicians_client_is_404(
    web: Web, clinician: User, outsider: User
) -> None:
    client = _quiet(clinician)
    app = web(outsider)
    url = reverse("clients:attempts", args=[client.pk])
    assert app.get(url, expect_errors=True).status_code == 404
    # A hostile POST with the outsider's own token: still 404, nothing kept.
    own = (
        web(outsider)
        .get(reverse("clients:attempts", args=[_quiet(outsider).pk]))
        .forms["attempt-form"]
    )
    own.action = url
    own["how"] = "call"
    own["outcome"] = "talked"
    assert own.submit(expect_errors=True).status_code == 404
    assert not ContactAttempt.objects.filter(client=client).exists()


def test_supervisor_reads_attempts_and_records_none(
    web: Web, clinician: User, supervisor: User, as_supervisor: HttpClient
) -> None:
    client = _quiet(clinician, chosen_name="Team Example")
    page = web(clinician).get(reverse("clients:attempts", args=[client.pk]))
    form = page.forms["attempt-form"]
    form["how"] = "voicemail"
    form["outcome"] = "left_message"
    form.submit()
    team = web(supervisor).get(reverse("team:dashboard"))
    listed = team.click(href=reverse("team:reach_out"))
    assertContains(listed, "Team Example")
    assert listed.html.find(attrs={"data-testid": "latest-attempt"}).text.startswith(
        "Tried today, left a message"
    )
    assert not [key for key in listed.forms if str(key).startswith("attempt-")]
    attempts = web(supervisor).get(reverse("clients:attempts", args=[client.pk]))
    assertContains(attempts, "Tried to reach by voicemail: left a message")
    assert "attempt-form" not in attempts.forms
    response = as_supervisor.post(
        reverse("clients:attempts", args=[client.pk]),
        {"how": "call", "outcome": "talked"},
    )
    assert response.status_code == 403
    assert ContactAttempt.objects.filter(client=client).count() == 1


def test_a_paused_client_with_a_past_review_date_is_on_the_list(
    web: Web, clinician: User
) -> None:
    today = timezone.localdate()
    due = _quiet(clinician, chosen_name="Review Due")
    waiting = _quiet(clinician, chosen_name="Review Later")
    resting = _quiet(clinician, chosen_name="Paused Without Date")
    for client in (due, waiting, resting):
        record = _record_page(web, clinician, client)
        form = record.forms["pause-form"]
        if client is not resting:
            form["review_on"] = today.isoformat()
        form.submit("action", value="pause")
    # The review date passes for one of them (a date in the past cannot be
    # chosen, so it is set as time going by would leave it).
    Client.objects.filter(pk=waiting.pk).update(
        review_on=today + datetime.timedelta(days=7)
    )
    Client.objects.filter(pk=due.pk).update(
        review_on=today - datetime.timedelta(days=1)
    )
    listed = _reach_out_page(web, clinician)
    assertContains(listed, "Review Due")
    assertNotContains(listed, "Review Later")
    assertNotContains(listed, "Paused Without Date")
    assert listed.html.find(attrs={"data-testid": "review-due"}) is not None


def test_the_review_date_is_editable_on_the_record(web: Web, clinician: User) -> None:
    client = _quiet(clinician)
    record = _record_page(web, clinician, client)
    record.forms["pause-form"].submit("action", value="pause")
    record = web(clinician).get(client.get_absolute_url())
    form = record.forms["review-on-form"]
    form["review_on"] = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assertContains(form.submit().follow(), "Choose today or a later date.")
    client.refresh_from_db()
    assert client.review_on is None
    in_a_week = timezone.localdate() + datetime.timedelta(days=7)
    form["review_on"] = in_a_week.isoformat()
    record = form.submit().follow()
    client.refresh_from_db()
    assert client.review_on == in_a_week and client.status == ClientStatus.PAUSED
    assertContains(record, "Review on")
    # Making the record active again clears the date.
    record.forms[
        [k for k, f in record.forms.items() if "action" in f.fields][0]
    ].submit("action", value="resume")
    client.refresh_from_db()
    assert client.status == ClientStatus.ACTIVE and client.review_on is None


def test_a_paused_client_with_a_review_date_today_counts_on_the_dashboard(
    supervisor: User, clinician: User
) -> None:
    today = timezone.localdate()
    _quiet(clinician, status=ClientStatus.PAUSED, review_on=today)
    _quiet(clinician, status=ClientStatus.PAUSED)
    (member,) = [m for m in selectors.team_summary(supervisor=supervisor)]
    assert member.reach_out == 1
    items = selectors.team_items(supervisor=supervisor, kind="reach-out")
    assert items.count() == 1


def test_latest_attempts_is_one_query(
    clinician: User, django_assert_num_queries: Any
) -> None:
    clients = [_quiet(clinician) for _ in range(3)]
    now = timezone.now()
    for hours, outcome in ((3, "talked"), (1, "no_answer")):
        for client in clients[:2]:
            ContactAttempt.objects.create(
                client=client,
                by=clinician,
                how="call",
                outcome=outcome,
                tried_at=now - datetime.timedelta(hours=hours),
            )
    with django_assert_num_queries(1):
        latest = selectors.latest_attempts(clients)
    assert {pk: a.outcome for pk, a in latest.items()} == {
        clients[0].pk: "no_answer",
        clients[1].pk: "no_answer",
    }


def test_reach_out_list_query_count_does_not_grow(
    as_clinician: HttpClient, clinician: User
) -> None:
    counts = []
    elsewhere = ClinicianFactory.create()
    for size in (3, 30):
        Client.objects.filter(clinician=clinician).update(clinician=elsewhere)
        for client in [_quiet(clinician) for _ in range(size)]:
            ContactAttempt.objects.create(
                client=client, by=clinician, how="call", outcome="no_answer"
            )
        _quiet(clinician, status=ClientStatus.PAUSED, review_on=timezone.localdate())
        counts.append(queries_for_get(as_clinician, reverse("clients:reach_out")))
    assert counts[0] == counts[1], counts


def test_supervisors_reach_out_list_query_count_does_not_grow(
    as_supervisor: HttpClient, clinician: User
) -> None:
    counts = []
    for size in (3, 30):
        for client in [_quiet(clinician) for _ in range(size)]:
            ContactAttempt.objects.create(
                client=client, by=clinician, how="call", outcome="no_answer"
            )
        counts.append(queries_for_get(as_supervisor, reverse("team:reach_out")))
    assert counts[0] == counts[1], counts


def test_the_review_date_is_only_for_a_paused_record(clinician: User) -> None:
    client = _quiet(clinician)
    assert "client_review_on_only_when_paused" in refusal(
        "UPDATE clients_client SET review_on = CURRENT_DATE WHERE id = %s",
        [client.pk],
    )
