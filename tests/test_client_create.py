from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from clients.models import Client
from staff.models import User

CREATE = reverse("clients:create")


def test_a_chosen_name_alone_is_enough(
    as_clinician: HttpClient, clinician: User
) -> None:
    response = as_clinician.post(CREATE, {"chosen_name": "  Sunny   Day "})
    client = Client.objects.get()
    assertRedirects(response, client.get_absolute_url())
    assert client.chosen_name == "Sunny Day"
    assert client.clinician == clinician
    assert client.status == "active"
    assert client.texts_ok is None


def test_clinician_cannot_pick_another_clinician(
    as_clinician: HttpClient, clinician: User, outsider: User
) -> None:
    as_clinician.post(CREATE, {"chosen_name": "Sunny", "clinician": outsider.pk})
    assert Client.objects.get().clinician == clinician


def test_blank_name_keeps_what_was_typed(as_clinician: HttpClient) -> None:
    response = as_clinician.post(
        CREATE, {"chosen_name": "   ", "pronouns": "she/her", "phone": "555-0100"}
    )
    assert response.status_code == 200
    assertContains(response, "Enter the name the person wants us to use.")
    assertContains(response, 'value="she/her"')
    assertContains(response, 'value="555-0100"')
    assert not Client.objects.exists()


def test_future_dates_are_refused(as_clinician: HttpClient) -> None:
    response = as_clinician.post(
        CREATE, {"chosen_name": "Sunny", "date_of_birth": "2999-01-01"}
    )
    assertContains(response, "Date of birth cannot be in the future.")
    assert not Client.objects.exists()


def test_safe_contact_answers_are_saved(as_clinician: HttpClient) -> None:
    as_clinician.post(
        CREATE,
        {
            "chosen_name": "Sunny",
            "texts_ok": "false",
            "voicemail_ok": "true",
            "safe_times": "Weekday mornings",
        },
    )
    client = Client.objects.get()
    assert (client.texts_ok, client.voicemail_ok) == (False, True)
    assert client.safe_times == "Weekday mornings"


def test_supervisor_chooses_a_clinician_from_their_team(
    as_supervisor: HttpClient, clinician: User
) -> None:
    response = as_supervisor.get(CREATE)
    assertContains(response, "Primary clinician")
    as_supervisor.post(CREATE, {"chosen_name": "Sunny", "clinician": clinician.pk})
    assert Client.objects.get().clinician == clinician


def test_supervisor_cannot_choose_someone_outside_the_team(
    as_supervisor: HttpClient, outsider: User
) -> None:
    response = as_supervisor.post(
        CREATE, {"chosen_name": "Sunny", "clinician": outsider.pk}
    )
    assert response.status_code == 200
    assertContains(response, "Choose one of the options.")
    assert not Client.objects.exists()


def test_admin_cannot_create_clients(as_admin: HttpClient) -> None:
    assert as_admin.get(CREATE).status_code == 404
    assert as_admin.post(CREATE, {"chosen_name": "X"}).status_code == 404
    assert not Client.objects.exists()
