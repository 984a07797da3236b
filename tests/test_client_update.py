from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from clients.models import Client
from staff.models import User


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
