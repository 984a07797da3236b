"""The idle warning's two forms, submitted as the browser's script submits them
(CSRF checks on): the keep-alive that typing sends, and the idle sign-out that
remembers the page. The typing, focus and kept-text behaviour in the browser is
tests/e2e/test_idle_typing.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from pytest_django.asserts import assertContains, assertNotContains

from hr_clinic.lib.session_timeout import LAST_ACTIVITY_KEY
from sessions.models import SessionStatus
from staff.models import User
from staff.session_store import SessionStore
from tests.factories import TherapySessionFactory


def server_session(app: Any) -> SessionStore:
    """The app's session as the server holds it (WebTest keeps the cookie's
    value in quotes, which its own `app.session` does not strip)."""
    return SessionStore(app.cookies[settings.SESSION_COOKIE_NAME].strip('"'))


@pytest.fixture
def addendum_path(client_record: Any) -> str:
    note = TherapySessionFactory.create(
        client=client_record, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    return reverse("sessions:addendum", args=[note.pk])


def test_the_keep_alive_posts_with_the_pages_csrf_token_and_counts_as_activity(
    web: Any, clinician: User, addendum_path: str
) -> None:
    app = web(clinician)
    page = app.get(addendum_path)
    assert "{#" not in page.text  # the warning's template comment stays a comment
    session = server_session(app)
    session[LAST_ACTIVITY_KEY] -= 60  # a minute of no requests
    session.save()
    before = server_session(app)[LAST_ACTIVITY_KEY]

    response = page.forms["idle-keep-alive"].submit()

    assert response.status_code == 204
    assert server_session(app)[LAST_ACTIVITY_KEY] > before


def test_the_idle_sign_out_leads_back_to_the_page_after_signing_in(
    web: Any, clinician: User, addendum_path: str
) -> None:
    app = web(clinician)
    form = app.get(addendum_path).forms["idle-sign-out"]
    form["reason"].force_value("idle")
    form["next"].force_value(addendum_path)

    signed_out = form.submit()

    assert signed_out.status_code == 302
    assert signed_out.location == (
        reverse("login") + "?" + urlencode({"timed-out": "1", "next": addendum_path})
    )
    # The tab's storage is spared (it holds the text being written); the
    # session and its cookies are not.
    assert signed_out.headers["Clear-Site-Data"] == '"cache", "cookies"'
    assert app.get(reverse("home")).status_code == 302

    sign_in = app.get(signed_out.location)
    assertContains(sign_in, "You were signed out after a while without activity")
    form = sign_in.forms["sign-in"]
    form["username"] = clinician.username
    form["password"] = "test-password-123"
    back = form.submit()
    # The password step goes on to the page (the second factor comes between,
    # carrying the same `next`).
    assert back.status_code == 302
    assert back.location == addendum_path


@pytest.mark.parametrize(
    "hostile", ["https://elsewhere.example/", "//elsewhere.example/x", "javascript:x"]
)
def test_the_idle_sign_out_drops_a_next_that_leaves_the_site(
    web: Any, clinician: User, addendum_path: str, hostile: str
) -> None:
    form = web(clinician).get(addendum_path).forms["idle-sign-out"]
    form["reason"].force_value("idle")
    form["next"].force_value(hostile)

    signed_out = form.submit()

    assert signed_out.location == reverse("login") + "?timed-out=1"


def test_the_sign_in_page_promises_a_code_step_only_when_there_is_one(
    web: Any, settings: Any
) -> None:
    settings.MFA_REQUIRED = True
    assertContains(web(None).get(reverse("login")), "authenticator app")
    settings.MFA_REQUIRED = False
    assertNotContains(web(None).get(reverse("login")), "authenticator app")
