"""Creating a staff member and the one-time "set your password" link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django.asserts import assertContains, assertNotContains

from staff.models import Role, User
from staff.tokens import password_link_token

NEW_PASSWORD = "a-long-and-fresh-passphrase-42"


def _create(
    as_admin: HttpClient, supervisor: User | None = None, /, **extra: Any
) -> Any:
    data = {
        "username": "newperson",
        "display_name": "New Person",
        "email": "newperson@example.invalid",
        "credentials": "MSW intern",
        "role": Role.CLINICIAN,
        "supervisor": supervisor.pk if supervisor else "",
        # Co-signature needs a supervisor (test_cosign_needs_a_supervisor).
        "requires_cosign": "on" if supervisor else "",
        **extra,
    }
    return as_admin.post(reverse("staff:create"), data, follow=True)


def _link_path(response: Any) -> str:
    match = re.search(
        r"http://testserver(/set-password/[^<\s]+)", response.content.decode()
    )
    assert match, "no link on the page"
    return match.group(1)


def _sign_in(password: str) -> HttpClient:
    http = HttpClient()
    http.post(reverse("login"), {"username": "newperson", "password": password})
    return http


def test_create_makes_an_account_without_a_usable_password(
    as_admin: HttpClient, supervisor: User
) -> None:
    response = _create(as_admin, supervisor)
    person = User.objects.get(username="newperson")
    assert response.redirect_chain[-1][0] == reverse("staff:detail", args=[person.pk])
    assert person.display_name == "New Person"
    assert person.role == Role.CLINICIAN
    assert person.supervisor == supervisor
    assert person.requires_cosign
    assert person.credentials == "MSW intern"
    assert not person.has_usable_password()
    assert "password" not in response.context  # the admin never sees or sets it


def test_new_person_sets_a_password_once_through_the_link_and_signs_in(
    as_admin: HttpClient, supervisor: User, client: HttpClient
) -> None:
    link = _link_path(_create(as_admin, supervisor))
    # The link is shown once only.
    person = User.objects.get(username="newperson")
    assertNotContains(as_admin.get(reverse("staff:detail", args=[person.pk])), link)

    response = client.get(link, follow=True)
    assertContains(response, "Your username is <strong>newperson</strong>")
    form_url = response.redirect_chain[-1][0]
    assert form_url.endswith("/set-password/")  # the token is out of the URL
    response = client.post(
        form_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assertContains(response, "Your password is set")
    assert response.redirect_chain[-1][0] == reverse("login")

    http = _sign_in(NEW_PASSWORD)
    assert http.session["_auth_user_id"] == str(person.pk)

    # Used once: the same link now fails clearly.
    again = HttpClient().get(link, follow=True)
    assertContains(again, "This link no longer works")
    assertNotContains(again, "new_password1")


def test_an_expired_link_fails_clearly(
    client: HttpClient, settings: Any, supervisor: User, as_admin: HttpClient
) -> None:
    _create(as_admin, supervisor)
    person = User.objects.get(username="newperson")
    gen = password_link_token
    past = gen._num_seconds(gen._now()) - settings.PASSWORD_RESET_TIMEOUT - 60
    token = gen._make_token_with_timestamp(person, past, gen.secret)
    link = reverse("set_password", kwargs={"uidb64": _uid(person), "token": token})
    response = client.get(link, follow=True)
    assertContains(response, "This link no longer works")
    assertContains(response, "Ask an admin")


def test_a_fresh_link_works_and_a_short_timeout_expires_it(
    client: HttpClient, settings: Any, supervisor: User, as_admin: HttpClient
) -> None:
    link = _link_path(_create(as_admin, supervisor))
    settings.PASSWORD_RESET_TIMEOUT = -1
    assertContains(client.get(link, follow=True), "This link no longer works")


def test_password_validators_apply(as_admin: HttpClient, client: HttpClient) -> None:
    link = _link_path(_create(as_admin))
    form_url = client.get(link).headers["Location"]
    response = client.post(
        form_url, {"new_password1": "password", "new_password2": "password"}
    )
    assertContains(response, "too short")
    assert not User.objects.get(username="newperson").has_usable_password()


def test_a_deactivated_persons_link_does_not_work(
    as_admin: HttpClient, client: HttpClient
) -> None:
    link = _link_path(_create(as_admin))
    User.objects.filter(username="newperson").update(is_active=False)
    assertContains(client.get(link, follow=True), "This link no longer works")


def test_with_a_mail_server_the_link_is_emailed_not_shown(
    as_admin: HttpClient, settings: Any, mailoutbox: list[mail.EmailMessage]
) -> None:
    settings.EMAIL_CONFIGURED = True
    response = _create(as_admin)
    assertNotContains(response, "/set-password/")
    assertContains(response, "We emailed New Person a link")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["newperson@example.invalid"]
    assert "newperson" in message.body
    link = re.search(r"http://testserver(/set-password/\S+)", str(message.body))
    assert link
    assert HttpClient().get(link.group(1)).status_code == 302  # valid: to the form


def test_without_a_mail_server_the_link_is_shown_not_emailed(
    as_admin: HttpClient, settings: Any, mailoutbox: list[mail.EmailMessage]
) -> None:
    settings.EMAIL_CONFIGURED = False
    response = _create(as_admin)
    assertContains(response, "pass this link on")
    _link_path(response)
    assert mailoutbox == []


def test_username_must_be_unique_whatever_the_case(
    as_admin: HttpClient, clinician: User
) -> None:
    response = _create(as_admin, username="CLINICIAN")
    assertContains(response, "That username is already taken.")
    assert User.objects.filter(username__iexact="clinician").count() == 1


def test_an_admin_gets_no_supervisor_or_cosign(
    as_admin: HttpClient, supervisor: User
) -> None:
    response = _create(as_admin, supervisor, role=Role.ADMIN)
    assertContains(response, "An admin has no supervisor")
    assertContains(response, "nothing needs co-signature")
    assert not User.objects.filter(username="newperson").exists()


@pytest.mark.parametrize("field", ["display_name", "email", "username"])
def test_required_fields(as_admin: HttpClient, field: str) -> None:
    response = _create(as_admin, **{field: ""})
    assertContains(response, "Please fill this in.")
    assert not User.objects.filter(display_name="New Person").exists()


def _uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))
