"""The note page (sessions:detail) as Jinja2 content (issue #25): what the move
could break. Its forms (co-sign, hand over) are submitted through WebTest in
tests/test_departing_clinicians.py; the addendum is written from here."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client as HttpClient
from django.urls import reverse
from django_webtest import DjangoTestApp
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from sessions.models import Addendum, Review, TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from tests.factories import ClientFactory, ClinicianFactory, TherapySessionFactory
from tests.web import form_with

Web = Callable[[User | None], DjangoTestApp]

# No quote in it: Django escapes ' as &#x27; and Jinja2 (markupsafe) as &#39;.
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _signed(client_record: Client, clinician: User, **fields: object) -> TherapySession:
    return therapy_session_sign(
        session=TherapySessionFactory.create(client=client_record, **fields),
        by=clinician,
        expected_version=1,
    )


def test_a_notes_words_are_shown_escaped(
    web: Web, clinician: User, client_record: Client
) -> None:
    note = _signed(
        client_record,
        clinician,
        sections={"brought": f"Said {SCRIPT}\nthen left", "did": SCRIPT},
        other_supplies=SCRIPT,
        location=SCRIPT,
    )
    Addendum.objects.create(
        session=note, author=clinician, reason=SCRIPT, text=f"Later {SCRIPT}"
    )
    page = web(clinician).get(note.get_absolute_url())
    assert SCRIPT not in page.text
    # The section's line break kept, as Django's linebreaksbr gives it.
    assert f"Said {ESCAPED}<br>then left" in page.text
    for shown in (
        f'<p class="mb-0">{ESCAPED}</p>',  # the second section
        f"<strong>{ESCAPED}</strong>",  # the addendum's reason
        f"Later {ESCAPED}",  # its text
        f" · {ESCAPED}</dd>",  # where
        f'<dd class="col-sm-7">{ESCAPED}</dd>',  # the supplies
    ):
        assert shown in page.text
    assert "Session note · Robin Example · hr_clinic" in page.text


def test_another_clinicians_note_is_404(
    as_outsider: HttpClient, clinician: User, client_record: Client
) -> None:
    note = _signed(client_record, clinician)
    assert as_outsider.get(note.get_absolute_url()).status_code == 404


def test_the_client_header_and_tabs_are_on_the_note(
    as_clinician: HttpClient, clinician: User, client_record: Client
) -> None:
    note = _signed(client_record, clinician)
    response = as_clinician.get(note.get_absolute_url())
    assertContains(response, '<h1 class="h3 mb-0">Robin Example</h1>', html=True)
    sessions_tab = reverse("sessions:list", args=[client_record.pk])
    assertContains(
        response,
        f'<a class="nav-link active" aria-current="page" href="{sessions_tab}">'
        "Sessions</a>",
        html=True,
    )
    assertNotContains(response, 'data-testid="read-only-caseload"')
    assertContains(response, "Add an addendum")


def test_a_supervisor_reads_the_note_read_only_and_may_cosign_it(
    web: Web, supervisor: User
) -> None:
    intern = ClinicianFactory.create(supervisor=supervisor, requires_cosign=True)
    client = ClientFactory.create(clinician=intern, chosen_name="Quinn Example")
    note = _signed(client, intern)
    page = web(supervisor).get(note.get_absolute_url())
    assert 'data-testid="read-only-caseload"' in page.text
    assert "Add an addendum" not in page.text
    assert "Waiting for co-signature." in page.text
    page.forms["cosign-form"].submit()
    assert Review.objects.filter(session=note, reviewer=supervisor).exists()
    assert "Co-signed by" in web(supervisor).get(note.get_absolute_url()).text


def test_an_addendum_is_written_from_the_note_page(
    web: Web, clinician: User, client_record: Client
) -> None:
    note = _signed(client_record, clinician)
    app = web(clinician)
    form_page = app.get(note.get_absolute_url()).click("Add an addendum")
    form = form_with(form_page, "text")
    form["reason"] = "Late entry"
    form["text"] = f"They also asked about housing {SCRIPT}"
    shown = form.submit().follow()
    assert Addendum.objects.filter(session=note).count() == 1
    assert f"They also asked about housing {ESCAPED}" in shown.text
    assert 'id="addenda-heading"' in shown.text
