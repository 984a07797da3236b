"""Which routes accept a POST, and that none of them answers one with a 500.

The set found here is written down for the end-of-run check in tests/conftest.py
(`pytest_sessionfinish`): after a whole run, every route that accepts a POST must
have been submitted at least once through tests/web.py, that is, as a browser
submits it, from the page as rendered, with CSRF checks on (STYLE.md rule 28).
"""

from __future__ import annotations

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command

from staff.models import User
from tests.signin import signed_in
from tests.urlwalk import post_routes_file, project_routes
from tests.web import SUBMISSIONS_DIR

PERSONAS = ["clinician", "intern", "supervisor", "admin"]


@pytest.mark.slow
@pytest.mark.django_db
def test_an_empty_post_to_any_route_never_answers_500() -> None:
    call_command("seed_demo", stdout=StringIO())
    routes = project_routes()
    answers: dict[str, list[int]] = {route.name: [] for route in routes}
    for username in PERSONAS:
        user = User.objects.get(username=username)
        for route in routes:
            # A new session each time: a POST to sign-out ends the one it used.
            status = signed_in(user).post(route.path, {}).status_code
            answers[route.name].append(status)
    errors = {name: codes for name, codes in answers.items() if max(codes) >= 500}
    assert errors == {}
    # A route accepts a POST when nobody is told 405 (method not allowed); a
    # role check may answer 404 before the method is looked at.
    accepting = sorted(name for name, codes in answers.items() if 405 not in codes)
    assert "logout" in accepting and "home" not in accepting
    folder = os.environ.get(SUBMISSIONS_DIR)
    if folder:
        with open(post_routes_file(folder), "w") as out:
            json.dump(accepting, out)
