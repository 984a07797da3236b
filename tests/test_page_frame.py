"""The frame of every page (head, navigation, footer, idle warning) is
base.html for Django's templates and content_page.jinja for the pages whose
content is Jinja2 (hr_clinic.lib.jinja_pages): the same markup, compared here
page against page for each role that has Jinja2 pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client
from staff.models import User


def _frame(html: str) -> dict[str, str]:
    """The parts of a page that are the frame's, with what differs from render
    to render or page to page taken out: the CSRF token (masked anew each
    time), the title, the page's own scripts, and Jinja2's spelling of an
    escaped quote (&#34;, Django's &quot;). Whitespace between tags aside."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", html)
    html = html.replace("&#34;", "&quot;")
    html = re.sub(r"<title>.*?</title>", "", html, flags=re.S)
    head = html[: html.index("</head>")]
    header = html[html.index("<header>") : html.index("</header>")]
    after_main = html[html.index("</main>") :]
    bootstrap = 'bootstrap.bundle.min.js" defer></script>'
    tail = after_main[: after_main.index(bootstrap)]
    idle_script = "js/idle-timeout.js" in after_main
    parts = {"head": head, "header": header, "tail": tail, "idle": str(idle_script)}
    return {name: re.sub(r">\s+<", "><", part).strip() for name, part in parts.items()}


@pytest.mark.parametrize(
    ("person", "jinja_page"),
    [
        ("as_clinician", "clients:list"),
        ("as_supervisor", "team:dashboard"),
        ("as_admin", "audit:report"),
    ],
)
def test_a_jinja_page_has_the_frame_of_a_django_page(
    person: str, jinja_page: str, request: pytest.FixtureRequest
) -> None:
    browser: HttpClient = request.getfixturevalue(person)
    django_page = browser.get(reverse("signed_in_sessions"))
    jinja = browser.get(reverse(jinja_page))
    assert django_page.status_code == jinja.status_code == 200
    assert "content_page.jinja" not in {t.name for t in django_page.templates}
    django_frame, jinja_frame = (
        _frame(django_page.content.decode()),
        _frame(jinja.content.decode()),
    )
    assert jinja_frame == django_frame
    assert 'id="sign-out"' in jinja_frame["header"] and "TOKEN" in jinja_frame["header"]
    assert jinja_frame["idle"] == "True" and "idle-keep-alive" in jinja_frame["tail"]


def test_a_jinja_page_shows_the_message_left_for_it(
    as_clinician: HttpClient, clinician: User
) -> None:
    """Adding a client lands on their record (a Jinja2 page), which shows the
    message once, in the frame's live region."""
    response = as_clinician.post(
        reverse("clients:create"),
        {
            "chosen_name": "Wren Example",
            "form_token": "7d3c2a1e-0000-4000-8000-000000000001",
        },
        follow=True,
    )
    client = Client.objects.get(chosen_name="Wren Example")
    assert response.redirect_chain[-1][0] == client.get_absolute_url()
    html = response.content.decode()
    assert '<div class="messages" role="status" aria-live="polite">' in html
    assert '<div class="alert alert-success">Added Wren Example.</div>' in html
    again = as_clinician.get(client.get_absolute_url()).content.decode()
    assert "Added Wren Example." not in again
