"""An admin resets a staff member's password: the old one stops working at once,
and the staff history and audit trail say so (never the password or the link)."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains

from audit.models import Action, AuditEvent
from staff.models import StaffChange, User
from tests.signin import signed_in
from tests.web import form_to

OLD = "test-password-123"
NEW = "a-brand-new-passphrase-77"


def _sign_in(password: str) -> HttpClient:
    http = HttpClient()
    http.post(reverse("login"), {"username": "clinician", "password": password})
    return http


def test_reset_stops_the_old_password_ends_sessions_and_gives_a_link(
    as_admin: HttpClient, clinician: User, client: HttpClient
) -> None:
    theirs = signed_in(clinician)
    response = as_admin.post(
        reverse("staff:password_reset", args=[clinician.pk]), follow=True
    )
    assertContains(response, "old password no longer works")
    assert "_auth_user_id" not in _sign_in(OLD).session
    assert theirs.get(reverse("home"))["Location"].startswith(reverse("login"))

    link = re.search(
        r"http://testserver(/set-password/[^<\s]+)", response.content.decode()
    )
    assert link
    form_url = client.get(link.group(1))["Location"]
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert _sign_in(NEW).session["_auth_user_id"] == str(clinician.pk)


def test_a_second_reset_voids_the_first_link(
    as_admin: HttpClient, clinician: User, client: HttpClient
) -> None:
    def reset() -> str:
        page = as_admin.post(
            reverse("staff:password_reset", args=[clinician.pk]), follow=True
        )
        found = re.search(
            r"http://testserver(/set-password/[^<\s]+)", page.content.decode()
        )
        assert found
        return found.group(1)

    first = reset()
    reset()
    assertContains(client.get(first, follow=True), "This link no longer works")


def test_with_a_mail_server_the_reset_link_is_emailed(
    as_admin: HttpClient, clinician: User, settings: Any, mailoutbox: list[Any]
) -> None:
    settings.EMAIL_CONFIGURED = True
    response = as_admin.post(
        reverse("staff:password_reset", args=[clinician.pk]), follow=True
    )
    assert "/set-password/" not in response.content.decode()
    assert mailoutbox[0].to == [clinician.email]


def test_an_admin_cannot_reset_their_own_password(
    as_admin: HttpClient, admin_user: User
) -> None:
    response = as_admin.post(
        reverse("staff:password_reset", args=[admin_user.pk]), follow=True
    )
    assertContains(response, "Ask another admin to reset your own password.")
    admin_user.refresh_from_db()
    assert admin_user.has_usable_password()


# Submitted as a browser does: from the pages as rendered, CSRF checks on
# (tests/web.py).


def test_reset_from_the_staff_page_then_the_person_sets_a_password_from_the_link(
    web, admin_user: User, clinician: User
) -> None:
    detail = reverse("staff:detail", args=[clinician.pk])
    page = web(admin_user).get(detail)
    form = form_to(page, reverse("staff:password_reset", args=[clinician.pk]))

    landed = form.submit().follow()

    assert landed.request.path == detail
    assertContains(landed, "old password no longer works, and they are signed out.")
    clinician.refresh_from_db()
    assert not clinician.has_usable_password()
    link = re.search(r"http://testserver(/set-password/[^<\s\"]+)", landed.text)
    assert link

    # The person opens the link, anonymous; the token moves into their session.
    theirs = web(None)
    page = theirs.get(link.group(1)).follow()
    assertContains(page, f"Your username is <strong>{clinician.username}</strong>")
    form = form_to(page, page.request.path)
    form["new_password1"] = NEW
    form["new_password2"] = NEW

    sign_in_page = form.submit().follow()

    assert sign_in_page.request.path == reverse("login")
    assertContains(sign_in_page, "Your password is set. You can sign in now.")
    clinician.refresh_from_db()
    assert clinician.check_password(NEW)
    form = form_to(sign_in_page, reverse("login"))
    form["username"] = clinician.username
    form["password"] = NEW
    assert form.submit().location.endswith(reverse("home"))
    # The link works once.
    assertContains(
        theirs.get(link.group(1)).maybe_follow(), "This link no longer works"
    )


def test_the_reset_and_the_new_password_are_in_the_history_and_the_audit(
    web, admin_user: User, clinician: User
) -> None:
    """That they happened, who did it and how: never the password or the link."""
    detail = reverse("staff:detail", args=[clinician.pk])
    page = web(admin_user).get(detail)
    landed = form_to(page, reverse("staff:password_reset", args=[clinician.pk]))
    landed = landed.submit().follow()
    link = re.search(r"http://testserver(/set-password/[^<\s\"]+)", landed.text)
    assert link
    page = web(None).get(link.group(1)).follow()
    form = form_to(page, page.request.path)
    form["new_password1"] = form["new_password2"] = NEW
    form.submit()

    changes = StaffChange.objects.filter(staff=clinician, field="password")
    assert [(c.changed_by, c.old_value, c.new_value) for c in changes] == [
        (clinician, "", "Set through a one-time link"),
        (admin_user, "", "Reset by an admin"),
    ]
    events = AuditEvent.objects.filter(object_type="staff.password").order_by("seq")
    assert [(e.action, e.actor, e.object_id) for e in events] == [
        (Action.STAFF_CHANGE, admin_user, str(clinician.pk)),
        (Action.STAFF_CHANGE, clinician, str(clinician.pk)),
    ]
    token = link.group(1).rstrip("/").rsplit("/", 1)[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_to_json(c)::text FROM staff_staffchange c "
            "UNION ALL SELECT row_to_json(a)::text FROM audit_auditevent a"
        )
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert token not in stored and NEW not in stored
    history = web(admin_user).get(detail)
    assertContains(history, "Reset by an admin")
    assertContains(history, "Set through a one-time link")
