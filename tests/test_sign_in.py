from __future__ import annotations

import time

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp.oath import TOTP
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from staff.models import User
from tests.signin import verified_device
from tests.web import form_to

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


# The real pages, submitted as a browser does: each form taken from the page as
# rendered, CSRF checks on (tests/web.py).


def test_signing_in_from_the_page_after_a_typo_then_the_code_lands_home(
    web, clinician: User
) -> None:
    device = verified_device(clinician)
    app = web(None)
    form = form_to(app.get(reverse("login")), reverse("login"))
    form["username"] = "clinician"
    form["password"] = "test-password-12"  # one character short

    again = form.submit()

    assert again.status_code == 200
    assertContains(again, GENERIC)
    form = form_to(again, reverse("login"))
    assert form["username"].value == "clinician"
    form["password"] = "test-password-123"
    code_page = form.submit().maybe_follow()
    assert code_page.request.path == reverse("mfa_verify")
    form = form_to(code_page, reverse("mfa_verify"))
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    form["code"] = f"{totp.token():06d}"

    home = form.submit().maybe_follow()

    assert home.request.path == reverse("appointments:today")
    assertContains(home, 'data-testid="signed-in-as"')
