"""Screenshots of the main pages from the demo data, for the README.

    make screenshots        (or: DEBUG=true MFA_REQUIRED=false .venv/bin/python
                             scripts/screenshots.py)

Loads the demo data (manage.py seed_demo, fictional people only) into the demo
database, serves it on a free loopback port, signs in as the demo users through
the sign-in page (the demo has the second factor off) with Debian's Chromium,
and saves PNGs 1200 px wide in docs/screenshots/.
"""

from __future__ import annotations

import os
import socket
import subprocess  # nosec B404: starts this project's own runserver
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hr_clinic.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("MFA_REQUIRED", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from goals.models import Goal  # noqa: E402
from groups.models import GroupMeeting  # noqa: E402
from sessions.models import SessionStatus, TherapySession  # noqa: E402
from staff.demo import DEMO_PASSWORD  # noqa: E402
from tests.tools import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1200, 900


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # nosec B603: fixed arguments, no shell
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=1)  # nosec B310
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the demo server did not start")


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def shot(page: Page, base: str, path: str, name: str, *, full: bool = False) -> None:
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
    print(f"docs/screenshots/{name}.png")


def hand_over(page: Page, base: str, client_pk: object) -> None:
    """The client's screen, handed over from a new draft note with goals, the
    check-in and a PHQ-9 (issue #22), then given back."""
    page.goto(f"{base}/clients/{client_pk}/sessions/new/")
    page.locator("#session-form textarea").first.fill("Fictional demo words.")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    form = page.locator("#hand-over-form")
    form.locator("input[value=measure]").check()
    form.locator("select[name=measure]").select_option("phq9")
    form.get_by_role("button").click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / "screen.png"))
    print("docs/screenshots/screen.png")
    page.get_by_role("link", name="How was today’s session for you?").click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / "screen-checkin.png"))
    print("docs/screenshots/screen-checkin.png")
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Give back to").click()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Take the screen back").click()
    page.wait_for_load_state("networkidle")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    signed = TherapySession.objects.filter(
        clinician__username="clinician", status=SessionStatus.SIGNED
    )
    note = signed.filter(addenda__isnull=False).first() or signed.first()
    assert note is not None
    client = note.client
    goal = (
        Goal.objects.filter(client__clinician__username="clinician")
        .annotate(rated=Count("ratings"))
        .order_by("-rated")
        .first()
    )
    assert goal is not None
    meeting = GroupMeeting.objects.filter(
        group__facilitators__username="clinician"
    ).first()
    assert meeting is not None, "the demo has a group meeting"
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            sign_in(page, base, "clinician")
            shot(page, base, "/clients/", "caseload")
            shot(page, base, f"/clients/{client.pk}/", "client")
            shot(page, base, f"/goals/{goal.pk}/", "goal")
            shot(page, base, f"/clients/{client.pk}/sessions/new/", "session-form")
            shot(page, base, f"/sessions/{note.pk}/", "signed-note")
            shot(page, base, "/today/", "today", full=True)
            shot(page, base, "/week/", "week")
            shot(page, base, f"/clients/{client.pk}/measures/", "measures", full=True)
            shot(page, base, meeting.get_absolute_url(), "group-meeting")
            hand_over(page, base, client.pk)
            sign_in(page, base, "supervisor")
            shot(page, base, "/team/", "team-dashboard")
            shot(page, base, "/team/week/", "team-week")
            shot(page, base, "/figures/", "figures-team")
            sign_in(page, base, "admin")
            shot(page, base, "/figures/", "figures-admin")
            shot(page, base, "/audit/", "audit-report")
            shot(page, base, "/staff/", "staff-list")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
