"""Real-browser journeys: Playwright driving Debian's Chromium against
pytest-django's live server on PostgreSQL.

- One browser per test process (session scope); each test gets a fresh context
  (cookies, storage), which costs milliseconds.
- Every page a journey loads must pass axe-core at WCAG 2.2 AA before the test
  ends (`Browser.check`), and must not break the Content-Security-Policy.
- Missing Chromium skips these tests with one reason, or fails them under CI.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_otp.oath import TOTP
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from staff.models import User
from tests.db_roles import switch_truncate_guards
from tests.signin import signed_in, verified_device
from tests.tools import CHROMIUM, CHROMIUM_ARGS, require_chromium

PASSWORD = "browser-test-password"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Browser]:
    """Depends on the test database so that it closes (and with it every
    keep-alive connection the live server answers) before tests/conftest.py's
    django_db_setup ends the remaining sessions and the database is dropped."""
    require_chromium()
    # Playwright's sync API runs an event loop in this thread; Django would
    # otherwise refuse database access from the test (SynchronousOnlyOperation).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _let_the_flush_truncate_audit(
    execute: Any, sql: str, params: Any, many: bool, context: Any
) -> Any:
    """Wrap the one TRUNCATE of Django's flush: switch the clinical tables'
    guards off around it, in the flush's own transaction, then remove itself."""
    if not (sql.lstrip().upper().startswith("TRUNCATE") and "audit_auditevent" in sql):
        return execute(sql, params, many, context)
    connection.execute_wrappers.remove(_let_the_flush_truncate_audit)
    # Deferred constraint checks must not be pending when the table is altered.
    execute("SET CONSTRAINTS ALL IMMEDIATE", None, False, context)

    def run(statement: str) -> Any:
        return execute(statement, None, False, context)

    switch_truncate_guards(run, enable=False)
    result = execute(sql, params, many, context)
    switch_truncate_guards(run, enable=True)
    return result


@pytest.fixture
def live_db(transactional_db: None, live_server: Any) -> Iterator[Any]:
    """The live server on a transactional database.

    The live server's thread needs committed data, so these tests cannot run in
    a rolled-back transaction: Django empties the tables afterwards with one
    TRUNCATE (the `flush` command, in a transaction). The audit trail refuses
    TRUNCATE (audit/migrations/0002: it is append-only), so for that one
    statement the guard is switched off and on again in the same transaction
    (the test database belongs to the test role, which owns the table): a failed
    flush rolls back with the guard still on, and tests that check the guard
    still see it. A fixture's own teardown cannot do it: pytest-django sets up
    `transactional_db` first, so its flush runs after every other teardown. The
    signed-note guards are row triggers, which TRUNCATE does not fire.
    """
    # The live server answers each browser connection in a thread with its own
    # database session. Kept between requests (CONN_MAX_AGE), those sessions
    # outlive the test and the database cannot be dropped at the end: each
    # request closes its own here. (The same settings dict serves every
    # thread's connection.)
    settings_dict = connection.settings_dict
    kept = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = 0
    try:
        yield live_server
    finally:
        settings_dict["CONN_MAX_AGE"] = kept
    connection.execute_wrappers.append(_let_the_flush_truncate_audit)


def totp_code(user: User) -> str:
    """What the person's authenticator app shows now."""
    device = verified_device(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def staff(factory: Any, **kwargs: Any) -> User:
    """A staff member with a known password and a confirmed authenticator."""
    user: User = factory.create(password=PASSWORD, **kwargs)
    verified_device(user)
    return user


@dataclass
class Journey:
    """A page plus the bookkeeping that every loaded page gets checked."""

    page: Page
    base_url: str
    loaded: list[str] = field(default_factory=list)
    # (document's time origin, its address): each document counts once.
    checked: set[tuple[float, str]] = field(default_factory=set)
    csp_errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> None:
        self.page.goto(self.url(path))

    def check(self, *, context: str | None = None) -> None:
        """axe-core, WCAG 2.2 AA, on the page as it is now: no violations."""
        from axe_playwright_python.sync_playwright import Axe

        page = self.page
        page.wait_for_load_state("load")
        results = Axe().run(
            page,
            context=context,
            options={"runOnly": {"type": "tag", "values": AXE_TAGS}},
        )
        violations = results.response["violations"]
        if violations:
            lines = [
                f"- {v['id']} ({v['impact']}): {v['help']} -> "
                + ", ".join(" ".join(n["target"]) for n in v["nodes"])
                for v in violations
            ]
            pytest.fail(
                f"axe found {len(violations)} violations on {page.url}:\n"
                + "\n".join(lines),
                pytrace=False,
            )
        # The address the document was loaded from (an autosave may have
        # replaced the one shown since), and what makes this document unique.
        # Under Playwright's fake clock (page.clock) `performance` is a stand-in
        # with no entries and one time origin for every page: then a mark on the
        # document itself, and the address it shows.
        origin, address = page.evaluate(
            """() => {
              const nav = performance.getEntriesByType("navigation")[0];
              window.__journeyDocument ||= performance.timeOrigin + Math.random();
              return [window.__journeyDocument, nav ? nav.name : document.URL];
            }"""
        )
        self.checked.add((origin, address))

    def use_session_of(self, user: User) -> None:
        """Signed in (both factors) without the sign-in pages, for journeys
        about something else: the session cookie of a signed-in test client."""
        cookie = signed_in(user).cookies[settings.SESSION_COOKIE_NAME].value
        self.page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie,
                    "url": self.base_url,
                }
            ]
        )

    def sign_in(self, user: User) -> None:
        """Through the real pages: password, then a code from the authenticator."""
        page = self.page
        self.goto("/sign-in/")
        self.check()
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/sign-in/code/**")
        self.check()
        page.get_by_label("Code").fill(totp_code(user))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        self.check()  # where signing in lands


@pytest.fixture
def context(browser: Browser, live_db: Any) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Some Playwright calls (evaluate, pdf) have no time limit of their own: a
    # stuck browser fails its test, with every thread's stack, instead of
    # holding CI until its own limit. Every browser test is slow: `-m "not
    # slow"` leaves them out.
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.timeout(180, method="thread"))
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[PASSED] = report.passed
    return report


PASSED = pytest.StashKey[bool]()


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, context: BrowserContext, live_db: Any
) -> Iterator[Journey]:
    page = context.new_page()
    journey = Journey(page=page, base_url=live_db.url)
    page.on("load", lambda p: journey.loaded.append(p.url))
    page.on(
        "console",
        lambda message: (
            journey.csp_errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield journey
    if not request.node.stash.get(PASSED, False):
        return  # the failure says what went wrong; no second report
    unchecked = Counter(journey.loaded) - Counter(url for _, url in journey.checked)
    assert not journey.csp_errors, journey.csp_errors
    assert not unchecked, f"pages loaded but never checked with axe: {list(unchecked)}"
