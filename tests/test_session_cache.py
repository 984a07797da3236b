"""The fixed cost of a signed-in request (issue #25): the session comes from a
shared cache (written through to the database) and a verified session is not
re-checked against its second-factor device on every request; and neither may
keep a session alive that was ended (an admin's reset, "end this session",
signing out)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from staff.mfa import VERIFIED_USER_KEY
from staff.models import SealedTOTPDevice, User
from staff.session_store import SessionStore
from tests.signin import verified_device


def _key(app: Any) -> str:
    return str(app.cookies[settings.SESSION_COOKIE_NAME]).strip('"')


def _tables_read(app: Any, path: str) -> str:
    with CaptureQueriesContext(connection) as ctx:
        assert app.get(path).status_code == 200
    return " ".join(q["sql"] for q in ctx.captured_queries)


def test_a_signed_in_page_reads_neither_the_session_nor_the_device(
    web: Any, clinician: User
) -> None:
    app = web(clinician)
    app.get(reverse("clients:list"))

    sql = _tables_read(app, reverse("clients:list"))

    assert Session._meta.db_table not in sql
    assert SealedTOTPDevice._meta.db_table not in sql
    assert "otp_" not in sql
    # The database row is still the record, written through.
    assert Session.objects.filter(pk=_key(app)).exists()


def test_an_admins_second_factor_reset_signs_a_cached_session_out(
    web: Any, clinician: User, as_admin: HttpClient
) -> None:
    theirs = web(clinician)
    assert theirs.get(reverse("clients:list")).status_code == 200  # cached now

    response = as_admin.post(reverse("staff:second_factor_reset", args=[clinician.pk]))

    assert response.status_code == 302
    assert theirs.get(reverse("clients:list")).location.startswith(reverse("login"))


def test_a_session_from_before_the_stamp_is_checked_once_then_trusted(
    clinician: User,
) -> None:
    http = HttpClient()
    http.force_login(clinician)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(clinician).persistent_id
    session.save()  # as django_otp.login left sessions before issue #25

    with CaptureQueriesContext(connection) as first:
        assert http.get(reverse("clients:list")).status_code == 200
    assert SessionStore(session.session_key)[VERIFIED_USER_KEY] == clinician.pk
    with CaptureQueriesContext(connection) as second:
        assert http.get(reverse("clients:list")).status_code == 200

    device_table = SealedTOTPDevice._meta.db_table
    assert device_table in " ".join(q["sql"] for q in first.captured_queries)
    assert device_table not in " ".join(q["sql"] for q in second.captured_queries)


def test_a_session_stamped_for_someone_else_is_not_trusted(
    clinician: User, outsider: User
) -> None:
    verified_device(clinician)
    http = HttpClient()
    http.force_login(clinician)
    session = http.session
    # The outsider's device and stamp in the clinician's session: django-otp's
    # own check (the device must be the signed-in person's) decides.
    session[DEVICE_ID_SESSION_KEY] = verified_device(outsider).persistent_id
    session[VERIFIED_USER_KEY] = outsider.pk
    session.save()

    response = http.get(reverse("clients:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
