from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client, Reassignment
from staff.models import User
from tests.factories import ClinicianFactory
from tests.web import form_to


def _url(client: Client) -> str:
    return reverse("clients:reassign", args=[client.pk])


def test_supervisor_moves_a_client_within_the_team(
    as_supervisor: HttpClient, client_record: Client, supervisor: User
) -> None:
    colleague = ClinicianFactory.create(supervisor=supervisor)
    response = as_supervisor.post(_url(client_record), {"clinician": colleague.pk})
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.clinician == colleague
    move = Reassignment.objects.get()
    assert (move.to_clinician, move.changed_by) == (colleague, supervisor)


def test_supervisor_cannot_move_a_client_out_of_the_team(
    as_supervisor: HttpClient, client_record: Client, clinician: User, outsider: User
) -> None:
    response = as_supervisor.post(_url(client_record), {"clinician": outsider.pk})
    assertContains(response, "Select a valid choice")
    client_record.refresh_from_db()
    assert client_record.clinician == clinician


def test_clinician_cannot_reassign(
    as_clinician: HttpClient, client_record: Client
) -> None:
    assert as_clinician.get(_url(client_record)).status_code == 404


def test_other_supervisor_cannot_reassign(
    as_other_supervisor: HttpClient, client_record: Client, other_supervisor: User
) -> None:
    response = as_other_supervisor.post(
        _url(client_record), {"clinician": other_supervisor.pk}
    )
    assert response.status_code == 404
    assert not Reassignment.objects.exists()


def test_admin_reassigns_across_the_service_seeing_no_clinical_content(
    as_admin: HttpClient, client_record: Client, outsider: User
) -> None:
    client_record.contact_notes = "Private contact note"
    client_record.legal_name = "Legal Name Example"
    client_record.save()
    page = as_admin.get(_url(client_record))
    assertContains(page, "Robin Example")
    assertNotContains(page, "Private contact note")
    assertNotContains(page, "Legal Name Example")
    as_admin.post(_url(client_record), {"clinician": outsider.pk})
    client_record.refresh_from_db()
    assert client_record.clinician == outsider


def test_moving_to_an_inactive_clinician_is_refused(
    as_admin: HttpClient, client_record: Client, outsider: User, clinician: User
) -> None:
    outsider.is_active = False
    outsider.save()
    response = as_admin.post(_url(client_record), {"clinician": outsider.pk})
    assert response.status_code == 200
    client_record.refresh_from_db()
    assert client_record.clinician == clinician


# Submitted as a browser does: from the pages as rendered, CSRF checks on
# (tests/web.py).


def test_supervisor_moves_a_client_from_the_client_page(
    web, client_record: Client, supervisor: User
) -> None:
    colleague = ClinicianFactory.create(supervisor=supervisor, display_name="Ash Oak")
    app = web(supervisor)
    page = app.get(client_record.get_absolute_url()).click(href=_url(client_record))
    form = form_to(page, _url(client_record))
    form["clinician"] = str(colleague.pk)

    landed = form.submit().follow()

    assertContains(landed, "Robin Example now has Ash Oak as primary clinician.")
    client_record.refresh_from_db()
    assert client_record.clinician == colleague
    move = Reassignment.objects.get()
    assert (move.to_clinician, move.changed_by) == (colleague, supervisor)
