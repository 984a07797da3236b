"""Issue #19 item 9: every print, PDF and CSV that carries client data states
42 CFR §2.32 Statement 2; with PART2_PROGRAM off, none does. Also the client
record's "Download PDF" (the print version's content through
hr_clinic/lib/pdf.py), audited as an export of that client."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from audit.models import AuditEvent
from clients.models import Client
from hr_clinic.lib.part2 import STATEMENT_1, STATEMENT_2, statement_for
from hr_clinic.lib.pdf import PdfDocument
from sessions.models import SessionStatus, TherapySession
from staff.models import User
from tests.consent_data import consent_for
from tests.exports import csv_rows
from tests.factories import ClientFactory, GoalFactory, TherapySessionFactory
from tests.pdf_text import page_count, pdf_text
from tests.urlwalk import project_routes

Web = Callable[[User], DjangoTestApp]

# Every route that hands records out of the service (print versions, files),
# each walked below. A new one that is not listed fails
# test_every_print_and_file_route_is_walked_here.
LABELLED_ROUTES = {
    "sessions:print",
    "clients:pdf",
    "team:export",
    "audit:export",
    "consents:disclosure_pdf",
    "records:export_download",
    "records:fhir",
    "reports:export",
}
# Pages about an export that hand out no file: starting one (POST), its
# progress page, starting it again (POST). Its file is records:export_download.
NOT_FILES = {"records:export_create", "records:export", "records:export_retry"}
# Pages whose print version is the page itself with `?print=1`, found by the
# links to them in the templates; each walked below
# (test_every_print_version_is_walked_here).
PRINT_VERSIONS = {
    "clients:detail",
    "consents:detail",
    "consents:accounting",
    "consents:disclosure",
    "reports:figures",
}
# A print link in a Django template ({% url 'x' ... %}?print=1) or in a
# Jinja2 page's content ({{ url('x', ...) }}?print=1, hr_clinic/jinja2.py).
PRINT_LINK = re.compile(
    r"(?:\{% url '([a-z_:]+)'[^%]*%\}|\{\{ url\('([a-z_:]+)'[^}]*\}\})\?print=1"
)
NON_LATIN = "Zoë Ñúñez"
VIETNAMESE = "Nguyễn Thị Ánh"


def _signed_note(client: Client) -> TherapySession:
    return TherapySessionFactory.create(
        client=client, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )


def _last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    return event


def _print_note(web: Web, user: User, note: TherapySession) -> str:
    note_page = web(user).get(reverse("sessions:detail", args=[note.pk]))
    return note_page.click("Print view").text


def _print_record(web: Web, user: User, client: Client) -> str:
    record = web(user).get(reverse("clients:detail", args=[client.pk]))
    return record.click("Print the record").text


def _record_pdf(web: Web, user: User, client: Client) -> bytes:
    record = web(user).get(reverse("clients:detail", args=[client.pk]))
    response = record.click("Download PDF")
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    return bytes(response.body)


def _print_consent(web: Web, user: User, client: Client) -> str:
    consent = consent_for(client, user)
    page = web(user).get(consent.get_absolute_url())
    return page.click("Print for the client").text


def _print_accounting(web: Web, user: User, client: Client) -> str:
    tab = web(user).get(reverse("consents:client", args=[client.pk]))
    return tab.click("Accounting of what was shared").click("Print for the client").text


def _team_csv(web: Web, supervisor: User) -> str:
    dashboard = web(supervisor).get(reverse("team:dashboard"))
    return dashboard.click(href=reverse("team:export")).text


def _audit_csv(web: Web, admin: User) -> str:
    report = web(admin).get(reverse("audit:report"))
    return report.click(href=re.escape(reverse("audit:export"))).text


def test_every_print_and_file_route_is_walked_here() -> None:
    leaving = {
        route.name
        for route in project_routes()
        if re.search(r"print|export|download|fhir|json|\.csv$|\.pdf$", route.path)
        or re.search(r"print|export|download|pdf|csv|fhir|json", route.name)
    }
    assert leaving - NOT_FILES == LABELLED_ROUTES


def test_every_print_version_is_walked_here() -> None:
    linked = {
        django or jinja
        for path in (Path(django_settings.BASE_DIR) / "templates").rglob("*")
        if path.suffix in (".html", ".jinja")
        for django, jinja in PRINT_LINK.findall(path.read_text(encoding="utf-8"))
    }
    assert linked == PRINT_VERSIONS


def test_the_consent_print_states_statement_2(
    web: Web, clinician: User, client_record: Client
) -> None:
    assert STATEMENT_2 in _print_consent(web, clinician, client_record)


def test_the_accounting_print_states_statement_2(
    web: Web, clinician: User, client_record: Client
) -> None:
    assert STATEMENT_2 in _print_accounting(web, clinician, client_record)


def test_the_note_print_states_statement_2(
    web: Web, clinician: User, client_record: Client
) -> None:
    page = _print_note(web, clinician, _signed_note(client_record))
    assert STATEMENT_2 in page


def test_the_record_print_states_statement_2(
    web: Web, clinician: User, client_record: Client
) -> None:
    page = _print_record(web, clinician, client_record)
    assert STATEMENT_2 in page
    assert f"Record id {client_record.pk}" in page


def test_the_record_pdf_has_the_print_content_and_the_statement_on_every_page(
    web: Web, clinician: User
) -> None:
    client = ClientFactory.create(
        clinician=clinician,
        chosen_name=NON_LATIN,
        legal_name=VIETNAMESE,
        pronouns="they/them",
        safe_times="Weekday mornings",
    )
    for number in range(45):  # enough rows to run onto more pages
        GoalFactory.create(client=client, wording=f"Goal number {number} in my words")
    note = _signed_note(client)
    data = _record_pdf(web, clinician, client)
    text = pdf_text(data)
    pages = page_count(data)
    assert pages >= 2
    assert text.count(STATEMENT_2) == pages + 1  # each page's foot, and the top
    assert f"Page {pages} of {pages}" in text
    for shown in (
        NON_LATIN,
        VIETNAMESE,
        "they/them",
        "Weekday mornings",
        "Goal number 44 in my words",
        clinician.name,
        f"Record id {client.pk}",
        note.get_modality_display(),
    ):
        assert shown in text, shown


def test_the_record_pdf_is_recorded_as_an_export_of_that_client(
    web: Web, clinician: User, client_record: Client
) -> None:
    _record_pdf(web, clinician, client_record)
    event = _last_event()
    assert (event.action, event.client_id, event.actor_id) == (
        "export",
        client_record.pk,
        clinician.pk,
    )


def test_the_record_pdf_of_another_clinicians_client_is_404(
    web: Web, outsider: User, client_record: Client
) -> None:
    response = web(outsider).get(
        reverse("clients:pdf", args=[client_record.pk]), expect_errors=True
    )
    assert response.status_code == 404
    assert _last_event().outcome == "denied"


def test_the_supervisor_downloads_a_supervisees_record_pdf(
    web: Web, supervisor: User, client_record: Client
) -> None:
    assert STATEMENT_2 in pdf_text(_record_pdf(web, supervisor, client_record))


def test_the_fhir_copy_states_statement_2_only_in_a_part2_program(
    web: Web, settings: Any, clinician: User, client_record: Client
) -> None:
    """The machine-readable copy (records.fhir) carries the statement in its
    cover Composition, and 42 CFR Part 2 as a security label on the bundle."""
    url = reverse("records:fhir", args=[client_record.pk])
    body = web(clinician).get(url).text
    assert STATEMENT_2 in body and '"42CFRPart2"' in body
    settings.PART2_PROGRAM = False
    body = web(clinician).get(url).text
    assert "Robin Example" in body and "42 CFR" not in body


def test_the_team_csv_starts_with_statement_2_then_the_header(
    web: Web, supervisor: User, client_record: Client
) -> None:
    rows = csv_rows(_team_csv(web, supervisor))
    assert rows[0][:2] == ["client id", "chosen name"]
    assert [row[0] for row in rows[1:]] == [str(client_record.pk)]


def _figures(web: Web, user: User) -> Any:
    return web(user).get(reverse("home")).follow().click("Program figures")


def test_the_figures_csv_and_print_version_state_statement_2(
    web: Web, supervisor: User, settings: Any
) -> None:
    page = _figures(web, supervisor)
    rows = csv_rows(page.click("Download CSV").text)
    assert rows[0][:2] == ["figure", "row"]
    assert STATEMENT_2 in page.click("Print version").text
    settings.PART2_PROGRAM = False
    page = _figures(web, supervisor)
    assert page.click("Download CSV").text.startswith("figure,row,")
    assert STATEMENT_2 not in page.click("Print version").text


def test_the_audit_csv_starts_with_statement_2_then_the_header(
    web: Web, admin_user: User, clinician: User, client_record: Client
) -> None:
    web(clinician).get(reverse("clients:detail", args=[client_record.pk]))
    rows = csv_rows(_audit_csv(web, admin_user))
    assert rows[0][:2] == ["seq", "time (UTC)"]
    assert str(client_record.pk) in {row[7] for row in rows[1:]}


def test_without_part2_nothing_carries_the_statement(
    web: Web,
    settings: Any,
    clinician: User,
    supervisor: User,
    admin_user: User,
    client_record: Client,
) -> None:
    settings.PART2_PROGRAM = False
    assert STATEMENT_2 not in _print_note(web, clinician, _signed_note(client_record))
    assert STATEMENT_2 not in _print_record(web, clinician, client_record)
    assert STATEMENT_2 not in _print_consent(web, clinician, client_record)
    assert STATEMENT_2 not in _print_accounting(web, clinician, client_record)
    data = _record_pdf(web, clinician, client_record)
    text = pdf_text(data)
    assert "Robin Example" in text
    assert "42 CFR" not in text
    for body, header in (
        (_team_csv(web, supervisor), "client id"),
        (_audit_csv(web, admin_user), "seq"),
    ):
        assert body.startswith(header + ","), body[:80]


def test_statement_for_gives_statement_1_in_full_and_nothing_off_part2(
    settings: Any,
) -> None:
    assert statement_for("full") == STATEMENT_1
    assert STATEMENT_1.startswith("This record which has been disclosed to you")
    assert statement_for("label") == STATEMENT_2
    settings.PART2_PROGRAM = False
    assert statement_for("full") == statement_for("label") == ""
    with pytest.raises(ValueError):
        statement_for("other")  # type: ignore[arg-type]


def test_the_pdf_writer_sets_any_name_and_repeats_its_footer(db: None) -> None:
    """The one writer the disclosure package and record export use: text the
    core PDF fonts cannot set (Latin-1 only) comes out as written."""
    doc = PdfDocument(title=NON_LATIN, subtitle=VIETNAMESE, footer=STATEMENT_1)
    doc.section("Dates")
    doc.table(["When", "Who"], [[f"{n} May", "Đặng Văn Lâm"] for n in range(120)])
    doc.paragraph("Ελένη · Олена · 李雷 🙂")
    data = doc.output()
    text = pdf_text(data)
    pages = page_count(data)
    assert pages >= 3
    assert text.count(STATEMENT_1) == pages
    assert NON_LATIN in text and VIETNAMESE in text and "Đặng Văn Lâm" in text
    assert "Ελένη · Олена" in text  # a glyph the font lacks is left out, not fatal


def test_a_disclosure_package_pdf_states_statement_1_and_2_on_every_page(
    web: Web, clinician: User
) -> None:
    """The package of a consented share carries Statement 1 in full at the
    top (§2.32(a)(1)) and Statement 2 at the foot of every page."""
    from consents.models import Item
    from consents.services import Picked, share_records
    from tests.consent_data import consent_for

    client = ClientFactory.create(clinician=clinician, chosen_name=VIETNAMESE)
    goals = [
        GoalFactory.create(client=client, wording=f"Shared goal {n}") for n in range(40)
    ]
    consent = consent_for(client, clinician, items=[Item.GOALS])
    disclosure = share_records(
        client=client,
        by=clinician,
        picked=Picked(goals=goals),
        consent=consent,
        recipient=consent.recipients.get(),
    )
    package = web(clinician).get(reverse("consents:disclosure", args=[disclosure.pk]))
    data = bytes(package.click("Download as PDF").body)
    text = re.sub(r"\s+", " ", pdf_text(data))
    pages = page_count(data)
    assert pages >= 2
    assert text.count(STATEMENT_2) == pages
    assert text.count(re.sub(r"\s+", " ", STATEMENT_1)) == 1
    assert "Shared goal 39" in text and VIETNAMESE in text


def test_the_clients_copy_states_statement_2_and_the_record_id_on_every_page(
    web: Web, clinician: User
) -> None:
    client = ClientFactory.create(clinician=clinician, chosen_name=VIETNAMESE)
    for number in range(12):
        TherapySessionFactory.create(
            client=client,
            status=SessionStatus.SIGNED,
            signed_at=timezone.now(),
            sections={"brought": f"Note {number} " + "words " * 80},
        )
    tab = web(clinician).get(reverse("records:client", args=[client.pk]))
    export = tab.forms["export-form"].submit().follow()
    data = bytes(export.click("Download the PDF").body)
    text = re.sub(r"\s+", " ", pdf_text(data))
    pages = page_count(data)
    assert pages >= 3
    assert text.count(STATEMENT_2) == pages
    assert text.count(f"Record id {client.pk}") == pages
    assert VIETNAMESE in text
