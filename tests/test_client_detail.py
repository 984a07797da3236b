from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client

CLIENT_URLS = ["detail", "update", "close", "reassign"]
CLIENT_POST_URLS = ["update", "close", "status", "reassign"]


def test_owner_sees_profile_and_safe_contact(
    as_clinician: HttpClient, client_record: Client
) -> None:
    client_record.texts_ok = False
    client_record.voicemail_ok = True
    client_record.code_word = "Blue kettle"
    client_record.legal_name = "Legal Name Example"
    client_record.save()
    response = as_clinician.get(client_record.get_absolute_url())
    assertContains(response, "Robin Example")
    assertContains(response, "(they/them)")
    assertContains(response, "No texts")
    assertContains(response, "Blue kettle")
    assertContains(response, "Legal Name Example")
    assertContains(response, "Edit details")


def test_unanswered_contact_questions_are_not_a_no(
    as_clinician: HttpClient, client_record: Client
) -> None:
    response = as_clinician.get(client_record.get_absolute_url())
    assertContains(response, "Not asked yet", count=2)


@pytest.mark.parametrize("name", CLIENT_URLS)
def test_outsider_gets_404_on_every_client_page(
    as_outsider: HttpClient, client_record: Client, name: str
) -> None:
    assert (
        as_outsider.get(reverse(f"clients:{name}", args=[client_record.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("name", CLIENT_POST_URLS)
def test_outsider_posts_change_nothing(
    as_outsider: HttpClient, client_record: Client, outsider: object, name: str
) -> None:
    before = Client.objects.values().get(pk=client_record.pk)
    response = as_outsider.post(
        reverse(f"clients:{name}", args=[client_record.pk]),
        {
            "chosen_name": "Changed",
            "reason": "moved",
            "closed_on": "2020-01-01",
            "action": "pause",
            "clinician": getattr(outsider, "pk", ""),
        },
    )
    assert response.status_code == 404
    assert Client.objects.values().get(pk=client_record.pk) == before


def test_missing_client_is_the_same_404(as_clinician: HttpClient) -> None:
    url = reverse("clients:detail", args=["00000000-0000-0000-0000-000000000001"])
    assert as_clinician.get(url).status_code == 404


def test_supervisor_reads_a_supervisees_client_read_only(
    as_supervisor: HttpClient, client_record: Client
) -> None:
    response = as_supervisor.get(client_record.get_absolute_url())
    assertContains(response, "Robin Example")
    assertContains(response, "Read only")
    assertNotContains(response, "Edit details")
    edit = as_supervisor.post(
        reverse("clients:update", args=[client_record.pk]), {"chosen_name": "X"}
    )
    assert edit.status_code == 403
    client_record.refresh_from_db()
    assert client_record.chosen_name == "Robin Example"


def test_other_supervisor_gets_404(
    as_other_supervisor: HttpClient, client_record: Client
) -> None:
    assert as_other_supervisor.get(client_record.get_absolute_url()).status_code == 404


def test_admin_cannot_open_a_client_page(
    as_admin: HttpClient, client_record: Client
) -> None:
    assert as_admin.get(client_record.get_absolute_url()).status_code == 404
    url = reverse("clients:update", args=[client_record.pk])
    assert as_admin.get(url).status_code == 404


def test_deactivated_clinician_sees_nothing(
    as_clinician: HttpClient, clinician: object, client_record: Client
) -> None:
    assert Client.objects.visible_to(clinician).count() == 1  # type: ignore[arg-type]
    clinician.is_active = False  # type: ignore[attr-defined]
    assert Client.objects.visible_to(clinician).count() == 0  # type: ignore[arg-type]


def test_no_delete_path_exists() -> None:
    from tests.urlwalk import project_routes

    assert not [r for r in project_routes() if "delete" in r.name or "delete" in r.path]
