"""Every page names the site's own icon (#16 item 16): local, no external
address, and the browser stops asking for a /favicon.ico that is not there."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client as HttpClient
from django.urls import reverse

ICON = re.compile(
    r'<link rel="icon" href="(/static/[^"]+\.svg)" type="image/svg\+xml">'
)


def test_pages_link_the_local_svg_favicon(
    client: HttpClient, as_clinician: HttpClient
) -> None:
    for page in (
        client.get(reverse("login")),
        as_clinician.get(reverse("clients:list")),
    ):
        assert ICON.search(page.text), "no favicon link"
    path = finders.find("favicon.svg")
    assert path, "static/favicon.svg is missing"
    with open(path, encoding="utf-8") as svg:
        text = svg.read()
    assert text.startswith("<svg") and "http" not in text.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
