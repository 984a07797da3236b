from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from staff.models import User

GENERIC = "That username and password did not match. Please try again."


def test_sign_in_page_renders(client: HttpClient) -> None:
    response = client.get(reverse("login"))
    assertContains(response, "<h1", status_code=200)
    assertContains(response, 'autocomplete="current-password"')


def test_correct_password_signs_in(client: HttpClient, clinician: User) -> None:
    response = client.post(
        reverse("login"), {"username": "clinician", "password": "test-password-123"}
    )
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(clinician.pk)


def test_sign_in_returns_to_next(client: HttpClient, clinician: User) -> None:
    response = client.post(
        reverse("login"),
        {"username": "clinician", "password": "test-password-123", "next": "/"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("clinician", "wrong-password-000"),
        ("nobody-by-this-name", "test-password-123"),
        ("", ""),
    ],
)
def test_wrong_credentials_get_one_generic_message(
    client: HttpClient, clinician: User, username: str, password: str
) -> None:
    response = client.post(
        reverse("login"), {"username": username, "password": password}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    if username:
        assertContains(response, GENERIC)


def test_deactivated_account_gets_the_same_message(
    client: HttpClient, clinician: User
) -> None:
    clinician.is_active = False
    clinician.save()
    response = client.post(
        reverse("login"), {"username": "clinician", "password": "test-password-123"}
    )
    assertContains(response, GENERIC)
    assertNotContains(response, "inactive")
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(as_clinician: HttpClient) -> None:
    response = as_clinician.post(reverse("logout"))
    assertRedirects(response, reverse("login"), fetch_redirect_response=False)
    assert "_auth_user_id" not in as_clinician.session
    response = as_clinician.get(reverse("home"))
    assert response.status_code == 302


def test_sign_out_by_get_is_not_allowed(as_clinician: HttpClient) -> None:
    response = as_clinician.get(reverse("logout"))
    assert response.status_code == 405
