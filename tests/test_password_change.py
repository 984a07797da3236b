"""Everyone changes their own password ("Change my password", from the nav's
account menu): the current password first, the same validators as everywhere,
every other session of theirs ends, this one stays, and it is kept in the staff
history and the audit trail without any value."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains

from audit.models import AuditEvent
from staff.models import StaffChange, User
from tests.signin import signed_in
from tests.web import form_to

CURRENT = "test-password-123"
NEW = "a-brand-fresh-passphrase-77"


def _session_key(app: Any) -> str:
    return str(app.cookies[settings.SESSION_COOKIE_NAME]).strip('"')


def _change_from_the_nav(app: Any, *, current: str, new: str, again: str = "") -> Any:
    page = app.get(reverse("home")).maybe_follow()
    form = form_to(page.click("Change my password"), reverse("password_change"))
    form["old_password"] = current
    form["new_password1"] = new
    form["new_password2"] = again or new
    return form.submit()


@pytest.mark.parametrize("persona", ["clinician", "supervisor", "admin_user"])
def test_everyone_changes_their_password_and_is_signed_out_elsewhere(
    web: Any, request: pytest.FixtureRequest, persona: str
) -> None:
    person: User = request.getfixturevalue(persona)
    elsewhere = signed_in(person)
    app = web(person)

    landed = _change_from_the_nav(app, current=CURRENT, new=NEW).follow()

    assertContains(landed, "Your password is changed.")
    assert landed.request.path == reverse("signed_in_sessions")
    # This browser stays signed in (under a new session key); the other one is out.
    assert app.get(reverse("signed_in_sessions")).status_code == 200
    assert elsewhere.get(reverse("home"))["Location"].startswith(reverse("login"))
    person.refresh_from_db()
    assert person.check_password(NEW)
    change = StaffChange.objects.get(staff=person, field="password")
    assert change.changed_by == person
    assert change.old_value == ""
    assert change.new_value == "Changed by them"
    event = AuditEvent.objects.get(object_type="staff.password")
    assert event.actor == person
    assert event.object_id == str(person.pk)


def test_only_this_session_survives(web: Any, clinician: User) -> None:
    signed_in(clinician)
    signed_in(clinician)
    app = web(clinician)
    _change_from_the_nav(app, current=CURRENT, new=NEW)
    left = [
        s
        for s in Session.objects.all()
        if s.get_decoded().get(SESSION_KEY) == str(clinician.pk)
    ]
    assert [s.pk for s in left] == [_session_key(app)]


def test_a_wrong_current_password_changes_nothing(web: Any, clinician: User) -> None:
    elsewhere = signed_in(clinician)
    page = _change_from_the_nav(app := web(clinician), current="not-it-000", new=NEW)

    assert page.status_code == 200
    assertContains(page, "That is not your current password.")
    clinician.refresh_from_db()
    assert clinician.check_password(CURRENT)
    assert elsewhere.get(reverse("clients:list")).status_code == 200
    assert not StaffChange.objects.filter(staff=clinician).exists()
    assert app.get(reverse("clients:list")).status_code == 200
    # Counted like a failed sign-in, with no password stored readable.
    attempt = AccessAttempt.objects.get(username="clinician")
    for typed in ("not-it-000", NEW):
        assert typed not in attempt.post_data


def test_the_current_password_cannot_be_guessed_without_limit(
    web: Any, clinician: User
) -> None:
    app = web(clinician)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _change_from_the_nav(app, current="guess-000-guess", new=NEW)
    page = _change_from_the_nav(app, current=CURRENT, new=NEW)
    assertContains(page, "That is not your current password.")
    clinician.refresh_from_db()
    assert clinician.check_password(CURRENT)


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("Clinician-and-more-words", "", "cannot contain your username or your name"),
        ("short1", "", "at least 12 characters"),
        (NEW, "a-different-passphrase-88", "The two new passwords are not the same."),
    ],
)
def test_a_new_password_the_rules_refuse_is_explained_and_nothing_changes(
    web: Any, clinician: User, new: str, again: str, message: str
) -> None:
    page = _change_from_the_nav(web(clinician), current=CURRENT, new=new, again=again)
    assert page.status_code == 200
    assertContains(page, message)
    clinician.refresh_from_db()
    assert clinician.check_password(CURRENT)
    assert not StaffChange.objects.filter(staff=clinician).exists()


def test_signed_out_people_are_sent_to_sign_in(client: HttpClient) -> None:
    url = reverse("password_change")
    assert client.get(url)["Location"] == f"{reverse('login')}?next={url}"
