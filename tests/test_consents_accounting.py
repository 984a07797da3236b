"""The accounting of disclosures (issue #19 item 7; 42 CFR 2.25, HIPAA
164.528): what was shared of a client's records in the past 6 years (3 for
what was shared under a Part 2 consent), by the database clock, in plain
words, printable for the client; read by the care team, 404 to anyone else."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django_webtest import DjangoTestApp
from webtest import TestResponse

from audit.models import AuditEvent
from clients.models import Client
from consents.models import Consent, DisclosureKind, Item
from consents.selectors import disclosure_accounting
from consents.services import disclosure_record
from hr_clinic.lib.part2 import STATEMENT_2
from staff.models import User
from tests.consent_data import consent_for
from tests.factories import EmergencyGrantFactory, GoalFactory, TherapySessionFactory

pytestmark = pytest.mark.django_db

Web = Callable[[User], DjangoTestApp]


def _accounting(app: DjangoTestApp, client: Client) -> TestResponse:
    """Through the navigation: the record, its consent tab, the link."""
    record = app.get(reverse("clients:detail", args=[client.pk]))
    tab = record.click("Consent and sharing", index=0)
    return tab.click("Accounting of what was shared")


def _rows(page: TestResponse) -> list[str]:
    return [
        " ".join(row.get_text(" ").split())
        for row in page.html.select("[data-testid=accounting-row]")
    ]


def _insert(
    client: Client, by: User, name: str, age: str, consent: Consent | None = None
) -> None:
    """A ledger row dated `age` ago by PostgreSQL's clock (`now() - interval`),
    inserted as the app role may insert one: a consented one names a consent
    that covers it now (the ledger's rule), the others a court order."""
    recipient = consent.recipients.first() if consent is not None else None
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO consents_disclosure (id, client_id, kind, consent_id,"
            " recipient_id, recipient_name, recipient_facility, scope, item_ids,"
            " disclosed_by_id, disclosed_at, emergency_nature,"
            " court_order_reference, report_basis)"
            " VALUES (gen_random_uuid(), %s, %s, %s, %s, %s, '', '{goals}', '[]',"
            " %s, now() - %s::interval, '', %s, '')",
            [
                client.pk,
                "consented" if consent else "court_order",
                consent.pk if consent else None,
                recipient.pk if recipient else None,
                name,
                by.pk,
                age,
                "" if consent else "Test order 1",
            ],
        )


def _share(consent: Consent, by: User, **kw: Any) -> None:
    """A disclosure under `consent` to its first recipient, through the
    service the "Share records" flow writes the ledger with."""
    recipient = consent.recipients.get()
    args: dict[str, Any] = {"recipient_name": recipient.name, "scope": [Item.GOALS]}
    args.update(kw)
    disclosure_record(
        client=consent.client,
        by=by,
        kind=DisclosureKind.CONSENTED,
        consent=consent,
        recipient=recipient,
        **args,
    )


def test_the_windows_are_six_years_and_three_for_part2_consents_by_the_db_clock(
    web: Web, clinician: User, client_record: Client, settings: Any
) -> None:
    part2 = consent_for(client_record, clinician)
    settings.PART2_PROGRAM = False  # a consent taken while not a Part 2 program
    hipaa_only = consent_for(client_record, clinician)
    settings.PART2_PROGRAM = True
    assert (part2.part2, hipaa_only.part2) == (True, False)
    c, by = client_record, clinician
    _insert(c, by, "Order inside six", "6 years - 1 hour")
    _insert(c, by, "Order outside six", "6 years 1 hour")
    _insert(c, by, "Part2 inside three", "3 years - 1 hour", part2)
    _insert(c, by, "Part2 outside three", "3 years 1 hour", part2)
    _insert(c, by, "Hipaa past three", "3 years 1 hour", hipaa_only)
    _insert(c, by, "Hipaa inside six", "6 years - 2 hours", hipaa_only)
    _insert(c, by, "Hipaa outside six", "6 years 1 hour", hipaa_only)

    entries = disclosure_accounting(client=client_record, user=clinician)
    shown = [
        "Part2 inside three",
        "Hipaa past three",  # a consent not under Part 2: six years
        "Hipaa inside six",
        "Order inside six",
    ]
    assert [e.disclosure.recipient_name for e in entries] == shown
    page = _accounting(web(clinician), client_record)
    cells = page.html.select("[data-testid=accounting-recipient]")
    assert [cell.text for cell in cells] == shown
    for hidden in ("Order outside six", "Part2 outside three", "Hipaa outside six"):
        assert hidden not in page.text, hidden


def test_the_page_matches_the_ledger_newest_first(
    web: Web, clinician: User, client_record: Client
) -> None:
    consent = consent_for(
        client_record, clinician, items=[Item.GOALS, Item.SESSION_NOTES]
    )
    goals = GoalFactory.create_batch(2, client=client_record)
    note = TherapySessionFactory.create(client=client_record)
    _share(
        consent,
        clinician,
        recipient_facility="Test Clinic",
        scope=[Item.GOALS, Item.SESSION_NOTES],
        item_ids=[goals[0].pk, goals[1].pk, note.pk],
    )
    disclosure_record(
        client=client_record,
        by=clinician,
        kind=DisclosureKind.MEDICAL_EMERGENCY,
        recipient_name="Test Paramedic",
        recipient_facility="Test Emergency Department",
        scope=[Item.ATTENDANCE],
        emergency_nature="unresponsive, treated for an overdose",
    )
    page = _accounting(web(clinician), client_record)
    emergency, consented = _rows(page)
    assert "Test Paramedic, Test Emergency Department" in emergency
    assert "Attendance and dates" in emergency
    assert "A medical emergency: unresponsive, treated for an overdose" in emergency
    assert clinician.name in emergency
    assert "Test Recipient, Test Clinic" in consented
    assert "Goals and ratings; Session notes" in consented
    assert "1 session note, 2 goals" in consented
    assert "With your consent: at my request" in consented
    assert clinician.name in consented
    assert page.click("(the consent)").request.path == consent.get_absolute_url()


def test_a_court_order_and_a_required_report_say_what_allowed_them(
    web: Web, clinician: User, client_record: Client
) -> None:
    disclosure_record(
        client=client_record,
        by=clinician,
        kind=DisclosureKind.COURT_ORDER,
        recipient_name="Test Court",
        scope=[Item.ATTENDANCE],
        court_order_reference="Test order 7",
    )
    disclosure_record(
        client=client_record,
        by=clinician,
        kind=DisclosureKind.REQUIRED_REPORT,
        recipient_name="Test Agency",
        scope=[Item.ATTENDANCE],
        report_basis="state reporting law",
    )
    text = " ".join(_rows(_accounting(web(clinician), client_record)))
    assert "A court order (Test order 7)" in text
    assert "A report the law requires: state reporting law" in text


def test_the_print_carries_statement_2_and_is_recorded_as_a_print(
    web: Web, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    _share(consent, clinician)
    page = _accounting(web(clinician), client_record)
    before = AuditEvent.objects.count()
    printed = page.click("Print for the client")
    assert printed.html.select("[data-testid=print-bar]")
    assert printed.html.select_one("[data-testid=part2-label]").text == STATEMENT_2
    assert "Test Recipient" in printed.text
    assert "(the consent)" not in printed.text  # staff's link, not for paper
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [
        (e.action, e.object_type, e.client_id, e.result_count, e.actor) for e in events
    ] == [("print", "accounting", client_record.pk, 1, clinician)]


def test_the_page_is_read_once_per_get_and_not_labelled(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    before = AuditEvent.objects.count()
    page = app.get(reverse("consents:accounting", args=[client_record.pk]))
    assert not page.html.select("[data-testid=part2-label]")
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.object_type, e.client_id) for e in events] == [
        ("read", "accounting", client_record.pk)
    ]


def test_it_speaks_plainly_to_the_client(
    web: Web, clinician: User, client_record: Client
) -> None:
    page = _accounting(web(clinician), client_record)
    section = page.html.select_one("[data-testid=accounting]").get_text(" ")
    assert "each time this program shared your records" in section
    assert "It covers the past 6 years" in section
    assert "the past 3 years for what was shared with your written consent" in section
    assert "It does not list the people in this program who read your record" in section
    assert django_settings.PRIVACY_CONTACT in section
    assert "Nothing was shared in that time." in section
    lowered = section.lower()
    assert "phi" not in re.findall(r"[a-z]+", lowered)
    for jargon in ("protected health information", "disclos", "pursuant", "hereby"):
        assert jargon not in lowered, jargon


def test_the_supervisor_reads_it(
    web: Web, supervisor: User, clinician: User, client_record: Client
) -> None:
    _share(consent_for(client_record, clinician), clinician)
    page = _accounting(web(supervisor), client_record)
    assert "Test Recipient" in _rows(page)[0]


@pytest.mark.parametrize("who", ["outsider", "other_supervisor", "admin_user"])
def test_anyone_outside_the_care_team_gets_404(
    web: Web, client_record: Client, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    url = reverse("consents:accounting", args=[client_record.pk])
    web(user).get(url, status=404)
    web(user).get(url + "?print=1", status=404)


def test_an_emergency_grant_holder_reads_it_under_the_grant(
    web: Web, outsider: User, client_record: Client
) -> None:
    grant = EmergencyGrantFactory.create(client=client_record, grantee=outsider)
    web(outsider).get(reverse("consents:accounting", args=[client_record.pk]))
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.object_type, event.emergency_grant_id) == ("accounting", grant.pk)


def test_the_list_costs_the_same_queries_for_many_rows(
    as_clinician, clinician: User, client_record: Client, django_assert_max_num_queries
) -> None:
    consent = consent_for(
        client_record, clinician, items=[Item.GOALS, Item.SESSION_NOTES]
    )
    url = reverse("consents:accounting", args=[client_record.pk])
    as_clinician.get(url)
    for _ in range(5):
        goal = GoalFactory.create(client=client_record)
        _share(consent, clinician, item_ids=[goal.pk])
    with django_assert_max_num_queries(12):
        response = as_clinician.get(url)
    assert response.content.count(b'data-testid="accounting-row"') == 5
