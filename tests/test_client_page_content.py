"""The client's record page (clients:detail), whose content is Jinja2 inside
base.html (issue #25): what its move from Django's templates could break —
escaping of the client's own words, the emergency-access banner, a
supervisor's read-only view, the forms it carries and the 404 for another
clinician's client."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.test import Client as HttpClient
from django.urls import reverse
from django_webtest import DjangoTestApp
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client, ClientStatus
from records.models import (
    AmendmentDecision,
    AmendmentOutcome,
    AmendmentPart,
    AmendmentRequest,
)
from staff.models import User
from tests.factories import EmergencyGrantFactory, WantsFactory

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_the_clients_own_words_are_shown_escaped(
    as_clinician: HttpClient, client_record: Client
) -> None:
    client_record.chosen_name = f"Robin {SCRIPT}"
    client_record.pronouns = SCRIPT
    client_record.safe_times = SCRIPT
    client_record.contact_notes = f"Line one\n{SCRIPT}"
    client_record.save()
    WantsFactory.create(client=client_record, words=f"To be heard\n{SCRIPT}")
    response = as_clinician.get(client_record.get_absolute_url())
    html = response.content.decode()
    assert SCRIPT not in html
    # The title, the header, "About …", the hand-over button and its legend.
    assert html.count(f"Robin {ESCAPED}") >= 5
    assertContains(response, f"<title>Robin {ESCAPED} · hr_clinic</title>", html=False)
    # Line breaks kept, the words still escaped (|linebreaksbr).
    assertContains(response, f"To be heard<br>{ESCAPED}")
    assertContains(response, f"Line one<br>{ESCAPED}")


def test_the_owner_gets_every_form_with_a_token(
    web: Callable[[User | None], DjangoTestApp], clinician: User, client_record: Client
) -> None:
    page = web(clinician).get(client_record.get_absolute_url())
    for form_id in ("pause-form", "hand-over-form"):
        assert page.forms[form_id]["csrfmiddlewaretoken"].value
    form = page.forms["pause-form"]
    landed = form.submit("action", value="pause").follow()
    client_record.refresh_from_db()
    assert client_record.status == ClientStatus.PAUSED
    assertContains(landed, "The record is now paused.")
    assert landed.forms["review-on-form"]["csrfmiddlewaretoken"].value


def test_a_supervisor_reads_the_record_without_its_forms(
    as_supervisor: HttpClient, client_record: Client
) -> None:
    response = as_supervisor.get(client_record.get_absolute_url())
    assertContains(response, "Read only: on")
    assertContains(response, client_record.clinician.name)
    assertContains(response, "Who opened this record")
    assertContains(response, "Every version of “What I want from coming here”")
    for absent in ("pause-form", "hand-over-form", "Edit details", "Log a session"):
        assertNotContains(response, absent)


def test_emergency_access_shows_the_banner_and_no_read_only_line(
    as_outsider: HttpClient, outsider: User, client_record: Client
) -> None:
    EmergencyGrantFactory.create(client=client_record, grantee=outsider)
    response = as_outsider.get(client_record.get_absolute_url())
    assertContains(response, 'data-testid="emergency-banner"')
    assertContains(response, "Emergency access until")
    assertNotContains(response, 'data-testid="read-only-caseload"')
    assertNotContains(response, "hand-over-form")


def test_another_clinicians_client_is_404_with_nothing_of_the_record(
    as_outsider: HttpClient, client_record: Client
) -> None:
    response = as_outsider.get(client_record.get_absolute_url())
    assert response.status_code == 404
    assertNotContains(response, client_record.chosen_name, status_code=404)


def test_the_print_version_has_its_script_and_no_forms(
    as_clinician: HttpClient, client_record: Client
) -> None:
    response = as_clinician.get(client_record.get_absolute_url() + "?print=1")
    assertContains(response, 'data-testid="print-bar"')
    assertContains(response, "js/print-view")
    assertNotContains(
        response,
        '<form method="post" action="'
        + reverse("screen:hand_over", args=[client_record.pk]),
    )
    assertNotContains(response, 'data-testid="next-appointments"')


def test_a_decided_request_on_the_record_is_shown_with_it(
    as_clinician: HttpClient, clinician: User, client_record: Client
) -> None:
    request = AmendmentRequest.objects.create(
        client=client_record,
        part=AmendmentPart.OTHER,
        other_part="Address",
        what=f"Spell the street {SCRIPT}",
        why="It is wrong",
        asked_on=client_record.intake_date,
        due_on=client_record.intake_date + datetime.timedelta(days=60),
        recorded_by=clinician,
    )
    AmendmentDecision.objects.create(
        request=request,
        outcome=AmendmentOutcome.DENIED,
        reason="The record was right",
        decided_by=clinician,
    )
    response = as_clinician.get(client_record.get_absolute_url())
    assertContains(response, 'data-testid="amendments-on-part"')
    assertContains(response, f"Spell the street {ESCAPED}")
    assertContains(response, "Kept as it is, with the reason")
    assertContains(response, "(Address)")
    assertContains(response, "The reason: The record was right")
    assertContains(response, f"by {clinician.name}.")
