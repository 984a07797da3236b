"""The second factor: enrolment at first sign-in, a code at each sign-in,
single-use recovery codes, and an admin's reset. Through the real pages."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp.oath import TOTP
from pytest_django.asserts import assertContains, assertRedirects

from audit.models import AuditEvent
from staff import mfa
from staff.models import RecoveryCode, SealedTOTPDevice, StaffChange, User
from tests.urlwalk import PUBLIC_ROUTES, project_routes
from tests.web import form_to

PASSWORD = "test-password-123"


def code_for(device: SealedTOTPDevice, *, steps_ahead: int = 0) -> str:
    """The authenticator's code now (or one step on, which the server's
    tolerance accepts: a code is never accepted twice in one step)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def password_step(user: User) -> HttpClient:
    http = HttpClient()
    response = http.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return http


def enrol(http: HttpClient, user: User) -> list[str]:
    http.get(reverse("mfa_enrol"))
    device = SealedTOTPDevice.objects.get(user=user)
    response = http.post(reverse("mfa_enrol"), {"code": code_for(device)})
    assertRedirects(
        response, reverse("mfa_recovery_codes"), fetch_redirect_response=False
    )
    page = http.get(reverse("mfa_recovery_codes")).content.decode()
    return re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", page)


def test_first_sign_in_sends_the_person_to_set_up_and_nowhere_else(
    clinician: User,
) -> None:
    http = password_step(clinician)
    response = http.get(reverse("clients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_enrol"))
    page = http.get(reverse("mfa_enrol"))
    assertContains(page, "<svg")
    assertContains(page, 'data-testid="totp-secret"')


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in project_routes() if r.name not in PUBLIC_ROUTES],
    ids=lambda r: r.name,
)
def test_before_the_second_factor_every_page_leads_to_it(
    clinician: User, route: object
) -> None:
    http = HttpClient()
    http.force_login(clinician)  # the password step only
    for method in (http.get, http.post):
        response = method(route.path)  # type: ignore[attr-defined]
        if route.name in {"mfa_enrol", "mfa_verify", "mfa_recovery_codes"}:  # type: ignore[attr-defined]
            continue
        assert response.status_code == 302, route
        assert response["Location"].startswith(reverse("mfa_enrol")), route


def test_enrolment_with_a_wrong_code_is_refused(clinician: User) -> None:
    http = password_step(clinician)
    http.get(reverse("mfa_enrol"))
    response = http.post(reverse("mfa_enrol"), {"code": "000000"})
    assertContains(response, "That code did not match")
    assert not SealedTOTPDevice.objects.filter(user=clinician, confirmed=True).exists()


def test_enrolment_shows_ten_recovery_codes_once_and_stores_only_hashes(
    clinician: User,
) -> None:
    http = password_step(clinician)
    codes = enrol(http, clinician)
    assert len(codes) == 10
    stored = list(RecoveryCode.objects.filter(device__user=clinician))
    assert len(stored) == 10
    for code, row in zip(codes, stored, strict=False):
        assert code.replace("-", "") not in row.code_hash
    assert any(check_password(codes[0].replace("-", ""), r.code_hash) for r in stored)
    # Shown once: the page is gone on a second visit.
    assertRedirects(
        http.get(reverse("mfa_recovery_codes")),
        reverse("home"),
        fetch_redirect_response=False,
    )
    assert http.get(reverse("clients:list")).status_code == 200


def test_each_sign_in_asks_for_a_code_and_rotates_the_session(clinician: User) -> None:
    enrol(password_step(clinician), clinician)
    http = password_step(clinician)
    response = http.get(reverse("clients:list"))
    assert response["Location"].startswith(reverse("mfa_verify"))
    before = http.session.session_key
    device = SealedTOTPDevice.objects.get(user=clinician)
    response = http.post(
        reverse("mfa_verify"),
        {"code": code_for(device, steps_ahead=1), "next": reverse("clients:list")},
    )
    assertRedirects(response, reverse("clients:list"), fetch_redirect_response=False)
    assert http.session.session_key != before
    assert http.get(reverse("clients:list")).status_code == 200


def test_a_wrong_code_at_sign_in_is_refused(clinician: User) -> None:
    enrol(password_step(clinician), clinician)
    http = password_step(clinician)
    response = http.post(reverse("mfa_verify"), {"code": "123456"})
    assertContains(response, "That code did not work")
    assert http.get(reverse("clients:list")).status_code == 302


def test_next_outside_the_site_is_ignored(clinician: User) -> None:
    enrol(password_step(clinician), clinician)
    http = password_step(clinician)
    device = SealedTOTPDevice.objects.get(user=clinician)
    response = http.post(
        reverse("mfa_verify"),
        {"code": code_for(device, steps_ahead=1), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_each_recovery_code_works_once(clinician: User) -> None:
    codes = enrol(password_step(clinician), clinician)
    http = password_step(clinician)
    response = http.post(reverse("mfa_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert http.get(reverse("clients:list")).status_code == 200
    assert RecoveryCode.objects.filter(device__user=clinician).count() == 9

    again = password_step(clinician)
    response = again.post(reverse("mfa_verify"), {"code": codes[0]})
    assertContains(response, "That code did not work")
    assert again.get(reverse("clients:list")).status_code == 302


def test_an_admin_resets_a_second_factor(
    clinician: User, admin_user: User, as_admin: HttpClient
) -> None:
    enrol(password_step(clinician), clinician)
    theirs = password_step(clinician)
    response = as_admin.post(reverse("staff:second_factor_reset", args=[clinician.pk]))
    assertRedirects(
        response,
        reverse("staff:detail", args=[clinician.pk]),
        fetch_redirect_response=False,
    )
    assert not SealedTOTPDevice.objects.filter(user=clinician).exists()
    assert not RecoveryCode.objects.filter(device__user=clinician).exists()
    change = StaffChange.objects.get(staff=clinician, field="second_factor")
    assert change.changed_by == admin_user
    # Their open session ended; at the next sign-in they set up again.
    assert theirs.get(reverse("clients:list"))["Location"].startswith(reverse("login"))
    http = password_step(clinician)
    assert http.get(reverse("clients:list"))["Location"].startswith(
        reverse("mfa_enrol")
    )


def test_only_admins_reset_a_second_factor_and_never_their_own(
    clinician: User,
    admin_user: User,
    as_admin: HttpClient,
    as_supervisor: HttpClient,
) -> None:
    SealedTOTPDevice.objects.create(user=clinician, confirmed=True)
    url = reverse("staff:second_factor_reset", args=[clinician.pk])
    assert as_supervisor.post(url).status_code == 404
    assert SealedTOTPDevice.objects.filter(user=clinician).exists()
    own = reverse("staff:second_factor_reset", args=[admin_user.pk])
    as_admin.post(own)
    assert SealedTOTPDevice.objects.filter(user=admin_user).exists()


def test_the_staff_page_shows_whether_a_second_factor_is_set_up(
    as_admin: HttpClient, clinician: User
) -> None:
    page = as_admin.get(reverse("staff:detail", args=[clinician.pk]))
    assertContains(page, "Not set up yet")
    SealedTOTPDevice.objects.create(user=clinician, confirmed=True)
    page = as_admin.get(reverse("staff:detail", args=[clinician.pk]))
    assertContains(page, "Reset second factor")


def test_with_mfa_off_the_password_is_enough(settings: object, clinician: User) -> None:
    settings.MFA_REQUIRED = False  # type: ignore[attr-defined]
    http = password_step(clinician)
    assert http.get(reverse("clients:list")).status_code == 200


# The real pages, submitted as a browser does: each form taken from the page as
# rendered, CSRF checks on (tests/web.py).


def _password_page(app: Any, user: User, password: str = PASSWORD) -> Any:
    """Fill the sign-in form as rendered; the response after the password step."""
    form = form_to(app.get(reverse("login")), reverse("login"))
    form["username"] = user.username
    form["password"] = password
    return form.submit()


def test_first_sign_in_sets_up_the_authenticator_and_shows_the_codes_once(
    web, clinician: User
) -> None:
    app = web(None)
    page = _password_page(app, clinician).maybe_follow()
    assert page.request.path == reverse("mfa_enrol")
    assertContains(page, 'data-testid="totp-secret"')
    device = SealedTOTPDevice.objects.get(user=clinician, confirmed=False)
    form = form_to(page, reverse("mfa_enrol"))
    form["code"] = code_for(device)

    codes_page = form.submit().follow()

    assert codes_page.request.path == reverse("mfa_recovery_codes")
    assertContains(codes_page, "Your authenticator app is set up.")
    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", codes_page.text)
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert RecoveryCode.objects.filter(device__user=clinician).count() == 10
    home = codes_page.click("I have kept them safe; continue").follow()
    assert home.request.path == reverse("appointments:today")
    assert app.get(reverse("mfa_recovery_codes")).location.endswith(reverse("home"))


def test_each_sign_in_takes_a_code_from_the_app_or_a_recovery_code(
    web, clinician: User
) -> None:
    device = SealedTOTPDevice.objects.create(
        user=clinician, name="Phone", confirmed=True
    )
    code = mfa.recovery_codes_replace(user=clinician)[0]
    for kind in ("app", "recovery"):
        app = web(None)
        # Opening a client page first: after both steps the person is back on it.
        asked = app.get(reverse("clients:list")).follow()
        form = form_to(asked, reverse("login"))
        form["username"] = clinician.username
        form["password"] = PASSWORD
        page = form.submit().maybe_follow()
        assert page.request.path == reverse("mfa_verify")
        form = form_to(page, reverse("mfa_verify"))
        assert form["next"].value == reverse("clients:list")
        form["code"] = code_for(device, steps_ahead=1) if kind == "app" else code

        landed = form.submit().follow()

        assert landed.request.path == reverse("clients:list"), kind
        assert landed.status_code == 200
    assert RecoveryCode.objects.filter(device__user=clinician).count() == 9


def test_an_admin_resets_a_second_factor_from_the_staff_page(
    web, admin_user: User, clinician: User
) -> None:
    SealedTOTPDevice.objects.create(user=clinician, name="Phone", confirmed=True)
    url = reverse("staff:second_factor_reset", args=[clinician.pk])
    page = web(admin_user).get(reverse("staff:detail", args=[clinician.pk]))

    landed = form_to(page, url).submit().follow()

    assertContains(landed, "second factor is reset and they are signed out.")
    assertContains(landed, "Not set up yet")
    assert not SealedTOTPDevice.objects.filter(user=clinician).exists()
    change = StaffChange.objects.get(staff=clinician, field="second_factor")
    assert change.changed_by == admin_user


def test_the_recovery_codes_page_only_shows_and_takes_no_post(
    as_clinician: HttpClient,
) -> None:
    """No form posts to it (it shows the codes once, with a link on): like every
    page that only shows, it answers GET alone."""
    assert as_clinician.post(reverse("mfa_recovery_codes")).status_code == 405
    assert as_clinician.get(reverse("mfa_recovery_codes")).status_code == 302


def test_a_second_factor_reset_is_in_the_audit_trail(
    as_admin: HttpClient, admin_user: User, clinician: User
) -> None:
    SealedTOTPDevice.objects.create(user=clinician, confirmed=True)
    as_admin.post(reverse("staff:second_factor_reset", args=[clinician.pk]))
    event = AuditEvent.objects.get(object_type="staff.second_factor")
    assert (event.actor, event.object_id) == (admin_user, str(clinician.pk))
