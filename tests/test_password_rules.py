"""A password never contains the person's username or a part of their name, in
any case, wherever it is set: the one-time link and "Change my password" (both
through AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from pytest_django.asserts import assertContains

from staff import services
from staff.models import User
from tests.factories import ClinicianFactory
from tests.web import form_to

MESSAGE = "Your password cannot contain your username or your name."


@pytest.fixture
def casey(db: None) -> User:
    return ClinicianFactory.create(
        username="clinician2",
        display_name="Casey Okafor-Lindqvist",
        first_name="Casey",
        last_name="Okafor-Lindqvist",
    )


@pytest.mark.parametrize(
    "password",
    [
        "clinician2clinician2",  # passed Django's similarity check
        "CLINICIAN2-and-more",
        "my-name-is-casey-2024",
        "okafor-rules-the-world",
        "LINDQVIST-long-password",
        "caseyokafor-lindqvist!",
    ],
)
def test_a_password_with_the_username_or_a_name_is_refused(
    casey: User, password: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, casey)
    assert MESSAGE in " ".join(refused.value.messages)


def test_a_password_free_of_them_passes(casey: User) -> None:
    validate_password("violet-harbour-lantern-42", casey)


def test_short_name_parts_are_not_held_against_anyone(db: None) -> None:
    jo = ClinicianFactory.create(username="jo", display_name="Jo Li")
    validate_password("jovial-lighthouse-keeper-7", jo)


def test_the_one_time_link_refuses_it_with_a_clear_message(
    web: Any, casey: User
) -> None:
    path = services.password_link_path(staff=casey)
    page = web(None).get(path).follow()
    form = form_to(page, page.request.path)
    form["new_password1"] = form["new_password2"] = "clinician2clinician2"

    refused = form.submit()

    assert refused.status_code == 200
    assertContains(refused, MESSAGE)
    casey.refresh_from_db()
    assert not casey.check_password("clinician2clinician2")
