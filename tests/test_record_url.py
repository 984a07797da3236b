"""hr_clinic.lib.urls (record_url, plain_url, behind every get_absolute_url)
gives what Django's reverse() gives, with a script prefix too."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse, set_script_prefix

from hr_clinic.lib.urls import plain_url, record_url

ID = uuid.UUID("0b9c3f7e-1d2a-4c5b-8e6f-7a8b9c0d1e2f")


@pytest.mark.parametrize(
    ("name", "pk"),
    [
        ("clients:detail", ID),
        ("sessions:addendum", ID),
        ("sessions:detail", ID),
        ("goals:detail", ID),
        ("staff:detail", 7),  # not a UUID
    ],
)
def test_same_url_as_reverse(name: str, pk: uuid.UUID | int) -> None:
    assert record_url(name, pk) == reverse(name, args=[pk])


def test_plain_url_is_reverse() -> None:
    assert plain_url("clients:list") == reverse("clients:list")
    assert plain_url("home") == reverse("home")


def test_script_prefix_is_kept_apart() -> None:
    try:
        set_script_prefix("/clinic/")
        assert record_url("clients:detail", ID) == f"/clinic/clients/{ID}/"
        assert plain_url("clients:list") == "/clinic/clients/"
    finally:
        set_script_prefix("/")
    assert plain_url("clients:list") == "/clients/"
    assert record_url("clients:detail", ID) == f"/clients/{ID}/"
