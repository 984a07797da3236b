"""The client's own copy (issue #20, part 1): a request for a copy logged on
the record and on the due lists until it is given; the PDF made in the
background and downloaded; what it holds and what it leaves out."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clients.models import Client
from goals.services import goal_rate
from hr_clinic.lib.part2 import STATEMENT_2
from records.models import CopyFulfilment, CopyRequest, ExportState, RecordExport
from records.services import export_start
from sessions.models import SessionStatus
from sessions.services import addendum_add, counseling_note_create, therapy_session_sign
from staff.models import User
from tests.db_roles import refusal
from tests.factories import (
    ClientFactory,
    EmergencyGrantFactory,
    GoalFactory,
    TherapySessionFactory,
)
from tests.pdf_text import page_count, pdf_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _signed(client: Client, text: str, **kw: Any) -> Any:
    return therapy_session_sign(
        session=TherapySessionFactory.create(
            client=client, sections={"brought": text}, **kw
        ),
        by=client.clinician,
        expected_version=1,
    )


def _record(client: Client) -> dict[str, Any]:
    goal = GoalFactory.create(client=client, wording="Sleep more than five hours")
    first = _signed(client, "Slept badly all week, wants to try the wind-down plan")
    second = _signed(client, "The wind-down plan is helping on weeknights")
    addendum_add(
        session=first,
        by=client.clinician,
        reason="Correction",
        text="It was two weeks, not one",
    )
    for score in (3, 5, 7):
        goal_rate(goal=goal, by=client.clinician, score=score, comment=f"Felt {score}")
    draft = TherapySessionFactory.create(
        client=client, sections={"brought": "An unsigned draft"}
    )
    counseling_note_create(
        client=client, by=client.clinician, text="A counseling note kept apart"
    )
    return {"goal": goal, "notes": [first, second], "draft": draft}


def test_journey_log_a_request_make_the_pdf_and_give_it(
    web: Any, clinician: User, supervisor: User, client_record: Client
) -> None:
    held = _record(client_record)
    app = web(clinician)
    record = app.get(reverse("clients:detail", args=[client_record.pk]))
    tab = record.click("Their copy", index=0)

    form = tab.click("Log a request").forms["copy-request-form"]
    form["format"] = "pdf"
    tab = form.submit().follow()
    assert "Request logged. It is due within 30 days." in tab.text
    request = CopyRequest.objects.get(client=client_record)
    assert request.due_on == TODAY() + dt.timedelta(days=30)

    # On the clinician's and the supervisor's due lists.
    due = tab.click("My caseload").click("Requests due")
    assert (
        client_record.chosen_name in due.html.select_one("[data-testid=due-copy]").text
    )
    sup_due = (
        web(supervisor)
        .get(reverse("home"))
        .maybe_follow()
        .click("My team")
        .click("Requests due")
    )
    assert client_record.chosen_name in sup_due.text

    export_page = tab.forms["export-form"].submit().follow()
    assert export_page.html.select("[data-testid=export-ready]"), export_page.text
    download = export_page.click("Download the PDF")
    assert download.content_type == "application/pdf"
    assert "no-store" in download.headers["Cache-Control"]
    disposition = download.headers["Content-Disposition"]
    assert client_record.chosen_name not in disposition
    assert str(client_record.pk) in disposition
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, client_id=client_record.pk, object_type="record_export"
    ).exists()

    data = bytes(download.body)
    text = _words(pdf_text(data))
    pages = page_count(data)
    assert text.count(STATEMENT_2) == pages
    assert text.count(f"Record id {client_record.pk}") == pages
    for shown in (
        "What is not in it",
        "SUD counseling notes",
        "Sleep more than five hours",
        "Slept badly all week, wants to try the wind-down plan",
        "The wind-down plan is helping on weeknights",
        "It was two weeks, not one",
        f"Signed by {clinician.signature}",
        "Felt 3",
        "Felt 7",
        "from 3 on",  # the chart's caption: first and last rating
    ):
        assert shown in text, shown
    for hidden in ("A counseling note kept apart", "An unsigned draft"):
        assert hidden not in text, hidden
    assert len(held["notes"]) == 2

    # Given: it leaves the due lists.
    tab = app.get(reverse("records:client", args=[client_record.pk]))
    form = tab.click("Record that it was given").forms["copy-fulfil-form"]
    form["how"] = "in_person"
    form["export"] = str(RecordExport.objects.get().pk)
    tab = form.submit().follow()
    assert "Recorded that the copy was given." in tab.text
    assert (
        CopyFulfilment.objects.get(request=request).export == RecordExport.objects.get()
    )
    assert not app.get(reverse("records:due")).html.select("[data-testid=due-copy]")


def test_a_date_range_holds_only_those_sessions(
    web: Any, clinician: User, client_record: Client
) -> None:
    _signed(
        client_record, "Long ago", started_at=timezone.now() - dt.timedelta(days=90)
    )
    _signed(client_record, "Just now")
    form = (
        web(clinician)
        .get(reverse("records:client", args=[client_record.pk]))
        .forms["export-form"]
    )
    form["date_from"] = (TODAY() - dt.timedelta(days=7)).isoformat()
    page = form.submit().follow()
    text = _words(pdf_text(page.click("Download the PDF").body))
    assert "Just now" in text and "Long ago" not in text


def test_a_double_submit_logs_one_request_and_starts_one_pdf(
    web: Any, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    form = app.get(reverse("records:request_create", args=[client_record.pk])).forms[
        "copy-request-form"
    ]
    assert form.submit().status_int == form.submit().status_int == 302
    assert CopyRequest.objects.count() == 1
    export_form = app.get(reverse("records:client", args=[client_record.pk])).forms[
        "export-form"
    ]
    first, second = export_form.submit(), export_form.submit()
    assert first.location == second.location
    assert RecordExport.objects.count() == 1


def test_bad_dates_are_said_on_the_form_and_nothing_is_logged(
    web: Any, clinician: User, client_record: Client
) -> None:
    form = (
        web(clinician)
        .get(reverse("records:request_create", args=[client_record.pk]))
        .forms["copy-request-form"]
    )
    form["asked_on"] = (TODAY() + dt.timedelta(days=1)).isoformat()
    form["date_from"] = "2026-05-01"
    form["date_to"] = "2026-04-01"
    page = form.submit()
    assert "This date cannot be in the future." in page.text
    assert "This is before the start of the range." in page.text
    assert not CopyRequest.objects.exists()


def test_a_lost_export_says_so_and_starts_again(
    web: Any, clinician: User, client_record: Client
) -> None:
    lost = RecordExport.objects.create(
        client=client_record, requested_by=clinician, state=ExportState.RUNNING
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE records_recordexport SET updated_at = now() - interval '10 minutes'"
            " WHERE id = %s",
            [lost.pk],
        )
    page = web(clinician).get(reverse("records:export", args=[lost.pk]))
    assert page.html.select("[data-testid=export-stale]")
    assert 'http-equiv="refresh"' not in page.text
    again = page.forms["export-retry-form"].submit().follow()
    assert again.html.select("[data-testid=export-ready]")


def test_a_running_export_shows_its_progress_and_reloads_itself(
    web: Any, clinician: User, client_record: Client
) -> None:
    running = RecordExport.objects.create(
        client=client_record,
        requested_by=clinician,
        state=ExportState.RUNNING,
        done=25,
        total=500,
    )
    page = web(clinician).get(reverse("records:export", args=[running.pk]))
    assert (
        "25 of 500 notes" in page.html.select_one("[data-testid=export-progress]").text
    )
    assert page.html.select_one('meta[http-equiv="refresh"]')


def test_a_file_older_than_a_day_is_no_longer_kept(
    web: Any, clinician: User, client_record: Client
) -> None:
    export = export_start(client=client_record, by=clinician)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE records_recordexport SET finished_at = now() - interval '25 hours'"
            " WHERE id = %s",
            [export.pk],
        )
    page = web(clinician).get(reverse("records:export", args=[export.pk]))
    assert page.html.select("[data-testid=export-expired]")
    export_start(client=client_record, by=clinician)  # empties the old file
    assert RecordExport.objects.get(pk=export.pk).content is None


def test_requests_are_kept_as_written(clinician: User, client_record: Client) -> None:
    from records.services import copy_request_log

    request = copy_request_log(
        client=client_record, by=clinician, asked_on=TODAY(), format="pdf"
    )
    export_start(client=client_record, by=clinician)
    for statement in (
        "UPDATE records_copyrequest SET due_on = due_on + 10",
        "DELETE FROM records_copyrequest",
        "DELETE FROM records_recordexport",
    ):
        assert refusal(statement) != "", statement
    assert refusal(
        "INSERT INTO records_copyrequest (id, client_id, asked_on, asked_by, format,"
        " due_on, recorded_by_id, created_at) VALUES (gen_random_uuid(), %s,"
        " current_date, '', 'pdf', current_date + 60, %s, now())",
        [client_record.pk, clinician.pk],
    ).startswith("new row for relation")
    assert request.pk


def test_another_clinicians_client_is_404_for_every_copy_url(
    web: Any, clinician: User, outsider: User, client_record: Client
) -> None:
    export = export_start(client=client_record, by=clinician)
    from records.services import copy_request_log

    request = copy_request_log(
        client=client_record, by=clinician, asked_on=TODAY(), format="pdf"
    )
    app = web(outsider)
    for url in (
        reverse("records:client", args=[client_record.pk]),
        reverse("records:request_create", args=[client_record.pk]),
        reverse("records:export", args=[export.pk]),
        reverse("records:export_download", args=[export.pk]),
        reverse("records:request_fulfil", args=[request.pk]),
    ):
        assert app.get(url, status=404)
    assert client_record.chosen_name not in app.get(reverse("records:due")).text


def test_the_supervisor_reads_and_downloads_but_does_not_log(
    web: Any, clinician: User, supervisor: User, client_record: Client
) -> None:
    export = export_start(client=client_record, by=clinician)
    app = web(supervisor)
    tab = app.get(reverse("records:client", args=[client_record.pk]))
    assert "Log a request" not in tab.text
    assert not tab.html.select("#export-form")
    assert app.get(
        reverse("records:export_download", args=[export.pk])
    ).content_type == ("application/pdf")
    assert app.get(
        reverse("records:request_create", args=[client_record.pk]), status=403
    )


@pytest.mark.slow
def test_the_pdf_is_made_on_a_thread_and_the_page_follows_it(
    committed_db: None, settings: Any
) -> None:
    """The real path: the request returns at once, the thread makes the PDF
    after the commit and saves its progress on the row."""
    settings.RECORD_EXPORT_INLINE = False
    client = ClientFactory.create()
    for number in range(30):
        TherapySessionFactory.create(
            client=client,
            status=SessionStatus.SIGNED,
            signed_at=timezone.now(),
            sections={"brought": f"Note number {number}"},
        )
    export = export_start(client=client, by=client.clinician)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.state in (ExportState.READY, ExportState.FAILED):
            break
        time.sleep(0.2)
    assert export.state == ExportState.READY, export.error
    assert (export.done, export.total) == (30, 30)
    assert "Note number 29" in pdf_text(bytes(export.content or b""))


def test_long_words_and_line_breaks_reach_the_page_whole(
    web: Any, clinician: User, client_record: Client
) -> None:
    """The PDF writer's own word wrap (hr_clinic/lib/pdf.py): a word wider
    than the page is broken, not lost."""
    token = "x" * 150 + "END"
    _signed(client_record, f"First line\nSecond line {token} after")
    form = (
        web(clinician)
        .get(reverse("records:client", args=[client_record.pk]))
        .forms["export-form"]
    )
    text = pdf_text(form.submit().follow().click("Download the PDF").body)
    assert token in re.sub(r"\s+", "", text)
    assert re.search(r"First line\s+Second line", text)


def test_an_emergency_access_holder_gets_no_copy(
    web: Any, clinician: User, outsider: User, client_record: Client
) -> None:
    """A grant is time-limited reading in an emergency; a copy that leaves the
    service would outlast it."""
    export = export_start(client=client_record, by=clinician)
    EmergencyGrantFactory.create(client=client_record, grantee=outsider)
    app = web(outsider)
    for url in (
        reverse("records:export", args=[export.pk]),
        reverse("records:export_download", args=[export.pk]),
        reverse("records:fhir", args=[client_record.pk]),
    ):
        assert app.get(url, status=404)


def test_the_machine_readable_copy_is_one_click_from_their_copy(
    web: Any, clinician: User, client_record: Client
) -> None:
    _signed(client_record, "A note for the other provider")
    tab = web(clinician).get(reverse("records:client", args=[client_record.pk]))
    download = tab.click("Download the machine-readable copy")
    assert download.content_type == "application/fhir+json"
    assert "A note for the other provider" in download.text


def test_a_statement_of_disagreement_goes_with_its_note_in_both_copies(
    web: Any, clinician: User, client_record: Client
) -> None:
    from records.amendments import (
        amendment_decide,
        amendment_request_record,
        amendment_statement_record,
    )

    note = _signed(client_record, "Said they missed two appointments")
    request = amendment_request_record(
        client=client_record,
        by=clinician,
        part="note",
        session=note,
        what="Say I called to rearrange both",
        why="I did call",
        asked_on=TODAY(),
    )
    amendment_decide(
        request=request,
        by=clinician,
        outcome="denied",
        reason="The phone log shows no call that week",
    )
    amendment_statement_record(
        request=request, by=clinician, text="I called from a friend's phone"
    )
    form = (
        web(clinician)
        .get(reverse("records:client", args=[client_record.pk]))
        .forms["export-form"]
    )
    text = _words(pdf_text(form.submit().follow().click("Download the PDF").body))
    fhir = (
        web(clinician)
        .get(reverse("records:client", args=[client_record.pk]))
        .click("Download the machine-readable copy")
        .text
    )
    for shown in (
        "Say I called to rearrange both",
        "The phone log shows no call that week",
        "Your statement: “I called from a friend's phone”",
    ):
        assert shown in text, shown
        assert html.escape(shown, quote=False) in fhir, shown


def test_a_request_to_change_the_record_is_on_the_due_list_until_decided(
    web: Any, clinician: User, client_record: Client
) -> None:
    from records.amendments import amendment_decide, amendment_request_record

    request = amendment_request_record(
        client=client_record,
        by=clinician,
        part="other",
        other_part="my pronouns",
        what="They/them, please",
        why="That is who I am",
        asked_on=TODAY(),
    )
    app = web(clinician)
    due = (
        app.get(reverse("home"))
        .maybe_follow()
        .click("My caseload")
        .click("Requests due")
    )
    row = due.html.select_one("[data-testid=due-change]").text
    assert client_record.chosen_name in row and "my pronouns" in row
    assert (TODAY() + dt.timedelta(days=60)).strftime("%Y") in row
    amendment_decide(
        request=request, by=clinician, outcome="accepted", correction="They/them"
    )
    assert not app.get(reverse("records:due")).html.select("[data-testid=due-change]")
