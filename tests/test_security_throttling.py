"""Sign-in throttling (django-axes): after repeated failures a username and
address pair cools off, for a fixed time from the lockout; the page looks the
same whatever happened; events are reported with ids only. The second factor's
own throttling never keeps anyone out longer than that cool-off."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains

from staff import mfa
from staff.models import RecoveryCodeDevice, User
from tests.test_security_mfa import code_for

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


# The cool-off is fixed from the lockout: wrong tries during it (anyone's, from
# the clinic's shared address) do not restart it, and the person gets in once it
# has passed. Time passes by moving the stored timestamps back, never by sleeping.


def _time_passes(seconds: float) -> None:
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - timedelta(seconds=seconds)
    )


def test_wrong_tries_during_the_cool_off_do_not_extend_it(
    client: HttpClient, clinician: User, settings: object
) -> None:
    cooloff = settings.AXES_COOLOFF_TIME  # type: ignore[attr-defined]
    lock(client, "clinician", settings)
    _time_passes(cooloff.total_seconds() - 60)  # locked a minute more
    for _ in range(3):  # a colleague keeps guessing from the same address
        attempt(client, "clinician", "wrong-password-000")
    assert attempt(client, "clinician", RIGHT).status_code == 200  # still locked

    _time_passes(61)  # first lockout + cool-off has passed

    response = attempt(client, "clinician", RIGHT)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clinician.pk)


def test_a_failure_during_the_cool_off_is_not_counted(
    client: HttpClient, clinician: User, settings: object
) -> None:
    lock(client, "clinician", settings)
    locked_at = AccessAttempt.objects.get().attempt_time
    attempt(client, "clinician", "wrong-password-000")
    stored = AccessAttempt.objects.get()
    assert stored.attempt_time == locked_at
    assert stored.failures_since_start == settings.AXES_FAILURE_LIMIT  # type: ignore[attr-defined]


# The second factor: django-otp doubles the wait after each wrong code without
# limit (days after twenty); here no wait exceeds the sign-in cool-off, and a
# code typed during a wait is refused without stretching it.


def _second_factor_page(clinician: User) -> tuple[HttpClient, TOTPDevice]:
    device = TOTPDevice.objects.create(user=clinician, name="Phone", confirmed=True)
    http = HttpClient()
    http.post(reverse("login"), {"username": "clinician", "password": RIGHT})
    return http, device


def _code_time_passes(device: TOTPDevice, seconds: float) -> None:
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=F("throttling_failure_timestamp")
        - timedelta(seconds=seconds)
    )


def test_wrong_codes_never_keep_the_person_out_longer_than_the_cool_off(
    clinician: User, settings: object
) -> None:
    http, device = _second_factor_page(clinician)
    cooloff = settings.AXES_COOLOFF_TIME.total_seconds()  # type: ignore[attr-defined]
    for _ in range(20):  # each wrong code after its wait: each one counts
        http.post(reverse("mfa_verify"), {"code": "000000"})
        _code_time_passes(device, cooloff)
    http.post(reverse("mfa_verify"), {"code": "000000"})  # and once more, now
    _code_time_passes(device, 10)
    for _ in range(3):  # during the wait: refused, not counted
        http.post(reverse("mfa_verify"), {"code": "000000"})
    waiting = http.post(reverse("mfa_verify"), {"code": code_for(device)})
    assert waiting.status_code == 200  # even the right code waits

    _code_time_passes(device, cooloff - 10)  # the last counted code + the cool-off

    response = http.post(reverse("mfa_verify"), {"code": code_for(device)})
    assert response.status_code == 302
    assert http.get(reverse("clients:list")).status_code == 200


def test_recovery_codes_are_bounded_the_same_way(
    clinician: User, settings: object
) -> None:
    http, device = _second_factor_page(clinician)
    code = mfa.recovery_codes_replace(user=clinician)[0]
    codes = RecoveryCodeDevice.objects.get(user=clinician)
    RecoveryCodeDevice.objects.filter(pk=codes.pk).update(
        throttling_failure_count=30,  # 2^29 seconds in django-otp's own terms
        throttling_failure_timestamp=timezone.now()
        - settings.AXES_COOLOFF_TIME  # type: ignore[attr-defined]
        - timedelta(seconds=1),
    )
    response = http.post(reverse("mfa_verify"), {"code": code})
    assert response.status_code == 302
    assert http.get(reverse("clients:list")).status_code == 200
