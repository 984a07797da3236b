"""Forms submitted the way a browser submits them (STYLE.md rule 28).

`tests.web.browser_for(user)` is a WebTest app (django-webtest) signed in as
`user` with both factors done, and with Django's CSRF checks **on**: a form is
taken from the page as rendered (`page.forms[...]`: its action, method, hidden
fields and CSRF token), filled and submitted. A form whose token did not render
is refused with 403 here, exactly as in a real browser, which is what Django's
test client (it skips CSRF) could never show.
"""

from __future__ import annotations

from collections.abc import Generator

from django.conf import settings
from django_webtest import DjangoTestApp, WebTestMixin

from staff.models import User
from tests.signin import signed_in


class _Mixin(WebTestMixin):
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
