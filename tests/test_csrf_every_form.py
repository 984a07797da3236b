"""Every POST form on every page each persona can reach carries a CSRF token.

A form rendered inside `{% include … only %}` once lost its token (sign-out on
every page, goal ratings), and Django's test client, which skips CSRF, never
noticed. This walks the product through its own links, as each demo persona,
and checks every `<form method="post">` it meets: a token that renders empty
here is a form that a real browser cannot submit.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from staff.models import User

# Links that leave, download, or end the walk rather than show a page.
NOT_PAGES = {"logout", "team:export", "audit:export"}
PER_ROUTE = 3  # pages visited per route name: enough to meet each state once
MAX_PAGES = 250


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _walk(app, start: str) -> tuple[list[str], list[str]]:
    """Visit pages breadth-first from `start` through same-site links; return
    (the pages seen, the forms without a token as "page: action")."""
    seen: set[str] = set()
    per_route: Counter[str] = Counter()
    queue = [start]
    visited: list[str] = []
    missing: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or url in seen:
            continue
        seen.add(url)
        route = _route(parts.path)
        if route is None or route in NOT_PAGES or per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        page = app.get(url, expect_errors=True)
        if page.status_code in (301, 302):
            queue.append(page.location)
            continue
        if page.status_code != 200 or "html" not in page.content_type:
            continue
        visited.append(route)
        for key, form in page.forms.items():
            if not isinstance(key, int) or form.method.lower() != "post":
                continue
            token = form.fields.get("csrfmiddlewaretoken")
            if not token or not token[0].value:
                missing.append(f"{parts.path}: form to {form.action or '(self)'}")
        for link in page.html.find_all("a", href=True):
            href = link["href"]
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href.split("#", 1)[0])
    return visited, missing


@pytest.fixture
def demo(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.slow
@pytest.mark.parametrize(
    "username", ["clinician", "intern", "supervisor", "admin", "outsider"]
)
def test_every_post_form_on_every_page_carries_a_csrf_token(
    demo: None, web, username: str
) -> None:
    app = web(User.objects.get(username=username))
    visited, missing = _walk(app, "/")
    assert len(set(visited)) >= 3, visited  # the walk really went somewhere
    assert missing == []


@pytest.mark.slow
def test_the_walk_meets_the_forms_that_once_broke(demo: None, web) -> None:
    """The walk is only worth something if it reaches the sign-out and the goal
    rating forms: it must see goal pages and some page with a nav bar."""
    app = web(User.objects.get(username="clinician"))
    visited, _ = _walk(app, "/")
    assert "goals:detail" in visited
    assert "clients:detail" in visited
    assert "sessions:detail" in visited
