"""Sign out from the nav bar, as a browser submits it (CSRF checks on)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from clients.models import Client
from staff.models import User
from tests.factories import GoalFactory

PERSONA_PAGES = {
    "clinician": ["home", "clients:list", "sessions:mine", "sessions:search_results"],
    "supervisor": ["home", "team:dashboard", "sessions:review_queue"],
    "admin_user": ["home", "staff:list"],
}


@pytest.mark.parametrize(
    ("persona", "page"),
    [(p, page) for p, pages in PERSONA_PAGES.items() for page in pages],
)
def test_sign_out_from_the_nav_bar_ends_the_session(
    request: pytest.FixtureRequest, web, persona: str, page: str
) -> None:
    user: User = request.getfixturevalue(persona)
    app = web(user)
    response = app.get(reverse(page)).maybe_follow()
    form = response.forms["sign-out"]

    signed_out = form.submit()

    assert signed_out.status_code == 302
    assert signed_out.location.endswith(reverse("login"))
    assert signed_out.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    # The session is gone on the server: the old cookie no longer signs anyone in.
    again = app.get(reverse("home"))
    assert again.status_code == 302
    assert reverse("login") in again.location
    assert settings.SESSION_COOKIE_NAME not in app.cookies or not app.cookies.get(
        settings.SESSION_COOKIE_NAME
    )


def test_sign_out_from_a_client_record_and_a_goal_page(
    web, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record)
    app = web(clinician)
    for url in (client_record.get_absolute_url(), goal.get_absolute_url()):
        page = app.get(url)
        assert page.forms["sign-out"]["csrfmiddlewaretoken"].value
    signed_out = page.forms["sign-out"].submit()
    assert signed_out.status_code == 302
    assert app.get(reverse("home")).status_code == 302
