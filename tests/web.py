"""Forms submitted the way a browser submits them (STYLE.md rule 28).

`tests.web.browser_for(user)` is a WebTest app (django-webtest) signed in as
`user` with both factors done, and with Django's CSRF checks **on**: a form is
taken from the page as rendered (`page.forms[...]`: its action, method, hidden
fields and CSRF token), filled and submitted. A form whose token did not render
is refused with 403 here, exactly as in a real browser, which is what Django's
test client (it skips CSRF) could never show.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import Resolver404, resolve
from django_webtest import DjangoTestApp, WebTestMixin

from staff.models import User
from tests.signin import signed_in

# Where each test process notes the routes that accepted a POST through this app,
# that is, a form taken from a page as rendered (or a script's request carrying
# the page's CSRF token); tests/conftest.py checks after a whole run that every
# route accepting a POST was submitted so at least once.
SUBMISSIONS_DIR = "HR_CLINIC_FORM_SUBMISSIONS"


class RecordingApp(DjangoTestApp):
    def do_request(self, req: Any, status: Any, expect_errors: Any) -> Any:
        response = super().do_request(req, status, expect_errors)
        folder = os.environ.get(SUBMISSIONS_DIR)
        if folder and req.method == "POST" and response.status_code != 403:
            try:
                route = resolve(req.path).view_name
            except Resolver404:
                return response
            with (Path(folder) / f"{os.getpid()}.txt").open("a") as log:
                log.write(route + "\n")
        return response


class _Mixin(WebTestMixin):
    app_class = RecordingApp

    # Instance state, not the class's: each app patches and unpatches its own.
    def __init__(self) -> None:
        self.extra_environ: dict[str, str] = {}
        self.csrf_checks = True
        # Sign-in goes through a real session cookie (below), not WebTest's
        # REMOTE_USER shortcut, so the second factor is part of it too.
        self.setup_auth = False


def open_app() -> Generator[DjangoTestApp, None, None]:
    """A WebTest app with CSRF checks on, for the life of one test."""
    mixin = _Mixin()
    mixin._patch_settings()
    mixin.renew_app()
    try:
        yield mixin.app
    finally:
        mixin._unpatch_settings()


def sign_in(app: DjangoTestApp, user: User) -> DjangoTestApp:
    """Give `app` the session cookie of `user`, signed in with both factors."""
    http = signed_in(user)
    cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    app.set_cookie(settings.SESSION_COOKIE_NAME, cookie)
    return app


def post_forms(page: object) -> list[object]:
    """Every <form method="post"> of a WebTest response."""
    forms = getattr(page, "forms", {})
    return [
        form
        for key, form in forms.items()
        if isinstance(key, int) and form.method.lower() == "post"
    ]


def form_to(page: Any, action: str) -> Any:
    """The one form of `page` that posts to `action` (a path)."""
    matches = [
        form
        for key, form in page.forms.items()
        if isinstance(key, int) and (form.action or page.request.path) == action
    ]
    assert len(matches) == 1, f"{len(matches)} forms post to {action}"
    return matches[0]


def form_with(page: object, field: str) -> Any:
    """The POST form of a WebTest response that has a field named `field` (the
    page's own form, not the sign-out or idle forms around it)."""
    for form in post_forms(page):
        if field in form.fields:  # type: ignore[attr-defined]
            return form
    raise AssertionError(f"no POST form with a {field!r} field on the page")
