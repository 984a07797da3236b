"""Sign-in throttling (django-axes): after repeated failures a username and
address pair cools off; the page looks the same whatever happened; events are
reported with ids only."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from staff.models import User

GENERIC = "That username and password did not match. Please try again."
RIGHT = "test-password-123"


def attempt(http: HttpClient, username: str, password: str, addr: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return http.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=addr,
    )


def lock(http: HttpClient, username: str, settings: object) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):  # type: ignore[attr-defined]
        attempt(http, username, "wrong-password-000")


def test_after_repeated_failures_even_the_right_password_is_refused(
    client: HttpClient, clinician: User, settings: object
) -> None:
    lock(client, "clinician", settings)
    response = attempt(client, "clinician", RIGHT)
    assert response.status_code == 200
    assertContains(response, GENERIC)
    assert "_auth_user_id" not in client.session


def test_a_lockout_looks_like_any_other_failure(
    client: HttpClient, clinician: User, settings: object
) -> None:
    wrong = attempt(client, "clinician", "wrong-password-000")
    lock(client, "clinician", settings)
    locked = attempt(client, "clinician", RIGHT)
    unknown = attempt(client, "nobody-here", "wrong-password-000")
    assert wrong.status_code == locked.status_code == unknown.status_code == 200
    for response in (wrong, locked, unknown):
        assertContains(response, GENERIC)
        body = response.content.decode().lower()
        assert "locked" not in body
        assert "too many" not in body


def test_another_address_is_not_locked_out(
    client: HttpClient, clinician: User, settings: object
) -> None:
    lock(client, "clinician", settings)
    response = attempt(HttpClient(), "clinician", RIGHT, addr="10.0.0.2")
    assert response.status_code == 302


def test_the_cool_off_ends(
    client: HttpClient, clinician: User, settings: object
) -> None:
    lock(client, "clinician", settings)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)  # type: ignore[attr-defined]
    )
    response = attempt(client, "clinician", RIGHT)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clinician.pk)


def test_cool_off_is_configurable(
    client: HttpClient, clinician: User, settings: object
) -> None:
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)  # type: ignore[attr-defined]
    lock(client, "clinician", settings)
    assert attempt(client, "clinician", RIGHT).status_code == 302


@pytest.mark.django_db
def test_events_are_logged_with_ids_only(
    client: HttpClient,
    clinician: User,
    settings: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="hr_clinic.auth"):
        attempt(client, "clinician", "typed-secret-999")
        lock(client, "clinician", settings)
        attempt(client, "clinician", RIGHT)
        attempt(HttpClient(), "clinician", RIGHT, addr="10.0.0.9")
    text = caplog.text
    assert "event=sign_in.failed" in text
    assert "event=sign_in.locked_out" in text
    assert f"event=sign_in.password_ok user_id={clinician.pk}" in text
    assert "typed-secret-999" not in text
    assert RIGHT not in text
    assert "clinician" not in text.replace("hr_clinic", "")
