from __future__ import annotations

import datetime

from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from clients.models import Client
from staff.models import User
from tests.web import form_to


def test_owner_edits(as_clinician: HttpClient, client_record: Client) -> None:
    url = reverse("clients:update", args=[client_record.pk])
    assertContains(as_clinician.get(url), 'value="Robin Example"')
    response = as_clinician.post(
        url, {"chosen_name": "Robin", "pronouns": "he/him", "texts_ok": "false"}
    )
    assertRedirects(response, client_record.get_absolute_url())
    client_record.refresh_from_db()
    assert (client_record.chosen_name, client_record.pronouns) == ("Robin", "he/him")
    assert client_record.texts_ok is False


def test_edit_cannot_move_the_client(
    as_clinician: HttpClient, client_record: Client, clinician: User, outsider: User
) -> None:
    url = reverse("clients:update", args=[client_record.pk])
    as_clinician.post(url, {"chosen_name": "Robin", "clinician": outsider.pk})
    client_record.refresh_from_db()
    assert client_record.clinician == clinician


def test_invalid_edit_keeps_input(
    as_clinician: HttpClient, client_record: Client
) -> None:
    url = reverse("clients:update", args=[client_record.pk])
    response = as_clinician.post(
        url, {"chosen_name": "Robin", "email": "not-an-email", "safe_times": "Eves"}
    )
    assert response.status_code == 200
    assertContains(response, "That does not look like an email address")
    assertContains(response, 'value="Eves"')
    client_record.refresh_from_db()
    assert client_record.chosen_name == "Robin Example"


# Submitted as a browser does: from the pages as rendered, CSRF checks on
# (tests/web.py).


def test_editing_from_the_client_page_saves_and_keeps_what_was_not_touched(
    web, clinician: User, client_record: Client
) -> None:
    client_record.date_of_birth = datetime.date(1990, 4, 2)
    client_record.safe_times = "Weekday mornings"
    client_record.save()
    url = reverse("clients:update", args=[client_record.pk])
    page = web(clinician).get(client_record.get_absolute_url()).click(href=url)
    form = form_to(page, url)
    # A browser's date input shows (and sends back) only an ISO date.
    assert form["date_of_birth"].value == "1990-04-02"
    assert form["intake_date"].value == client_record.intake_date.isoformat()
    form["chosen_name"] = "Robin"
    form["pronouns"] = "he/him"
    form["texts_ok"] = "false"

    landed = form.submit().follow()

    assert landed.request.path == client_record.get_absolute_url()
    assertContains(landed, "Saved.")
    client_record.refresh_from_db()
    assert (client_record.chosen_name, client_record.pronouns) == ("Robin", "he/him")
    assert client_record.texts_ok is False
    assert client_record.date_of_birth == datetime.date(1990, 4, 2)
    assert client_record.safe_times == "Weekday mornings"
