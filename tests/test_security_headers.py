"""Headers on every response, and templates that a strict CSP allows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
)


def assert_security_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in headers["Permissions-Policy"]
    assert "no-store" in headers["Cache-Control"]


def test_an_authenticated_page_has_every_header(as_clinician: HttpClient) -> None:
    response = as_clinician.get(reverse("clients:list"))
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.django_db
def test_the_sign_in_page_has_every_header(client: HttpClient) -> None:
    assert_security_headers(client.get(reverse("login")))


def test_an_error_page_has_every_header(as_outsider: HttpClient) -> None:
    assert_security_headers(as_outsider.get(reverse("staff:list")))


@pytest.mark.parametrize(
    "path",
    sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.jinja")]),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_templates_have_no_inline_script_or_style(path: Path) -> None:
    text = path.read_text()
    assert "style=" not in text
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert not re.search(r"\son[a-z]+=", text)
    assert "javascript:" not in text
