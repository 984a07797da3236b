"""'My signed-in sessions': where the person is signed in (device, address,
signed in, last use, this one marked), ending one or all the others, and the list
kept in step with the sessions themselves (sign-in, second factor, sign-out,
time-out), holding only a hash of each key."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import Action, AuditEvent
from hr_clinic.lib.session_timeout import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY
from staff.models import SignedInSession, User, session_key_hash
from staff.session_store import SEEN_AT_KEY, SessionStore
from staff.templatetags.staff_tags import device
from tests.signin import signed_in
from tests.test_security_mfa import PASSWORD, code_for

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)


def _key(app: Any) -> str:
    return str(app.cookies[settings.SESSION_COOKIE_NAME]).strip('"')


def _browser(web: Any, user: User, agent: str, address: str) -> Any:
    app = web(user)
    app.extra_environ = {
        **app.extra_environ,
        "HTTP_USER_AGENT": agent,
        "REMOTE_ADDR": address,
    }
    # Signed in by the test client (no device, no address); a minute later the
    # next request notes this browser's.
    session = SessionStore(_key(app))
    session[SEEN_AT_KEY] = int(time.time()) - 61
    session.save()
    app.get(reverse("home"))
    return app


def test_the_list_shows_each_device_and_marks_this_one(
    web: Any, clinician: User
) -> None:
    _browser(web, clinician, CHROME_WINDOWS, "10.0.0.7")
    mine = _browser(web, clinician, FIREFOX_LINUX, "10.0.0.8")

    page = mine.get(reverse("home")).maybe_follow().click("My signed-in sessions")

    assertContains(page, "Firefox on Linux")
    assertContains(page, "Chrome on Windows")
    assertContains(page, "10.0.0.7")
    this = page.html.select('[data-testid="this-session"]')
    assert len(this) == 1 and "Firefox on Linux" in this[0].text
    assert "This session" in this[0].text
    assertContains(page, "End all other sessions")


def test_ending_one_session_signs_that_browser_out(web: Any, clinician: User) -> None:
    other = _browser(web, clinician, CHROME_WINDOWS, "10.0.0.7")
    mine = _browser(web, clinician, FIREFOX_LINUX, "10.0.0.8")
    row = SignedInSession.objects.get(key_hash=session_key_hash(_key(other)))
    page = mine.get(reverse("signed_in_sessions"))

    landed = page.forms[f"end-session-{row.pk}"].submit().follow()

    assertContains(landed, "That session is ended")
    assertNotContains(landed, "Chrome on Windows")
    assert other.get(reverse("clients:list")).location.startswith(reverse("login"))
    assert mine.get(reverse("clients:list")).status_code == 200
    event = AuditEvent.objects.get(object_type="staff.session")
    assert (event.action, event.actor, event.object_id) == (
        Action.SIGN_OUT,
        clinician,
        str(row.pk),
    )


def test_ending_all_others_keeps_only_this_one(web: Any, clinician: User) -> None:
    others = [signed_in(clinician), signed_in(clinician)]
    mine = _browser(web, clinician, FIREFOX_LINUX, "10.0.0.8")
    page = mine.get(reverse("signed_in_sessions"))

    landed = page.forms["end-other-sessions"].submit().follow()

    assertContains(landed, "You are signed out everywhere else (2 sessions ended).")
    assertContains(landed, "You are not signed in anywhere else.")
    for http in others:
        assert http.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert mine.get(reverse("clients:list")).status_code == 200
    assert list(SignedInSession.objects.values_list("key_hash", flat=True)) == [
        session_key_hash(_key(mine))
    ]
    event = AuditEvent.objects.get(object_type="staff.session")
    assert event.result_count == 2


def test_someone_elses_session_is_a_404_and_stays(
    as_outsider: HttpClient, clinician: User
) -> None:
    theirs = signed_in(clinician)
    row = SignedInSession.objects.get(user=clinician)
    response = as_outsider.post(reverse("signed_in_session_end", args=[row.pk]))
    assert response.status_code == 404
    assert theirs.get(reverse("clients:list")).status_code == 200
    assertNotContains(
        as_outsider.get(reverse("signed_in_sessions")), f"end-session-{row.pk}"
    )


def test_this_session_is_ended_by_signing_out_not_here(
    as_clinician: HttpClient, clinician: User
) -> None:
    row = SignedInSession.objects.get(user=clinician)
    response = as_clinician.post(reverse("signed_in_session_end", args=[row.pk]))
    assert response.status_code == 404
    assert as_clinician.get(reverse("clients:list")).status_code == 200


def test_only_a_hash_of_the_key_is_kept(as_clinician: HttpClient) -> None:
    key = as_clinician.session.session_key
    assert key
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(s)::text FROM staff_signedinsession s")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert key not in stored
    assert session_key_hash(key) in stored


def test_the_full_sign_in_lists_the_session_once_with_its_second_factor_key(
    clinician: User,
) -> None:
    """The key changes at the second factor; the list follows it."""
    device_ = TOTPDevice.objects.create(user=clinician, name="Phone", confirmed=True)
    http = HttpClient(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="10.0.0.9")
    http.post(reverse("login"), {"username": "clinician", "password": PASSWORD})
    first_key = http.session.session_key
    http.post(reverse("mfa_verify"), {"code": code_for(device_)})
    assert http.session.session_key != first_key
    row = SignedInSession.objects.get(user=clinician)
    assert row.key_hash == session_key_hash(http.session.session_key or "")
    assert (row.user_agent, row.address) == (FIREFOX_LINUX, "10.0.0.9")
    assertContains(http.get(reverse("signed_in_sessions")), "This session")


def test_signing_out_removes_the_session_from_the_list(
    as_clinician: HttpClient, clinician: User
) -> None:
    as_clinician.post(reverse("logout"))
    assert not SignedInSession.objects.filter(user=clinician).exists()


def test_an_idle_time_out_removes_it_too(
    as_clinician: HttpClient, clinician: User
) -> None:
    session = as_clinician.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - settings.IDLE_TIMEOUT_MINUTES * 61
    session[SIGNED_IN_AT_KEY] = session[LAST_ACTIVITY_KEY]
    session.save()
    as_clinician.get(reverse("clients:list"))
    assert not SignedInSession.objects.filter(user=clinician).exists()


def test_a_session_that_ended_without_signing_out_is_not_listed(
    as_clinician: HttpClient, clinician: User
) -> None:
    gone = signed_in(clinician)
    Session.objects.filter(pk=gone.session.session_key).delete()  # expired, cleared
    stale = signed_in(clinician)
    SignedInSession.objects.filter(
        key_hash=session_key_hash(stale.session.session_key or "")
    ).update(last_seen_at=timezone.now() - timedelta(hours=1))  # idle, not yet out
    page = as_clinician.get(reverse("signed_in_sessions"))
    assert len(page.context["sessions"]) == 1
    assertContains(page, "You are not signed in anywhere else.")


def test_last_use_is_written_at_most_once_a_minute(
    as_clinician: HttpClient, clinician: User
) -> None:
    as_clinician.get(reverse("clients:list"))
    row = SignedInSession.objects.get(user=clinician)
    long_ago = timezone.now() - timedelta(minutes=5)
    SignedInSession.objects.filter(pk=row.pk).update(last_seen_at=long_ago)
    as_clinician.get(reverse("clients:list"))
    row.refresh_from_db()
    assert row.last_seen_at == long_ago  # seen less than a minute ago: no write
    session = as_clinician.session
    session[SEEN_AT_KEY] = int(time.time()) - 61
    session.save()
    as_clinician.get(reverse("clients:list"))
    row.refresh_from_db()
    assert row.last_seen_at > long_ago


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (CHROME_WINDOWS, "Chrome on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/"
            "605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
            "like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown device"),
    ],
)
def test_the_device_is_a_short_readable_summary(agent: str, summary: str) -> None:
    assert device(agent) == summary


def test_signed_out_people_are_sent_to_sign_in(client: HttpClient) -> None:
    url = reverse("signed_in_sessions")
    assert client.get(url)["Location"] == f"{reverse('login')}?next={url}"
