"""Every page a person reaches is valid HTML, as the server sends it.

The browser journeys (tests/e2e/) run axe on the live DOM; this checks the
server's HTML itself with the Nu HTML checker (vnu), which the DOM would hide
(the parser repairs it). The demo data gives every state a page can be in
(drafts, signed notes with addenda, co-signed and returned notes, closed
clients); each persona fetches the pages it can reach, error states included
(forms posted with mistakes). All pages go to the checker in one run.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client
from goals.models import Goal
from sessions.models import ReviewStatus, SessionStatus, TherapySession
from sessions.services import therapy_session_discard, therapy_session_switch_format
from staff.models import User
from tests.factories import TherapySessionFactory
from tests.signin import signed_in
from tests.tools import require_vnu, vnu_errors


def _keep(
    pages: dict[str, str], name: str, response: object, *, status: int = 200
) -> None:
    assert response.status_code == status, (name, response.status_code)  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("text/html"), name  # type: ignore[index]
    pages[name] = response.content.decode()  # type: ignore[attr-defined]


def _get_all(
    http: HttpClient, persona: str, urls: list[str], pages: dict[str, str]
) -> None:
    for index, url in enumerate(urls):
        _keep(pages, f"{persona}-{index:02d}", http.get(url))


@pytest.mark.slow
@pytest.mark.django_db
def test_every_page_is_valid_html(tmp_path: Path) -> None:
    require_vnu()
    call_command("seed_demo", stdout=StringIO())
    users = {u.username: u for u in User.objects.all()}
    clinician, intern = users["clinician"], users["intern"]
    supervisor, admin = users["supervisor"], users["admin"]

    client = Client.objects.filter(clinician=clinician).order_by("chosen_name")[0]
    goal = Goal.objects.filter(client__clinician=clinician).first()
    assert goal is not None
    notes = TherapySession.objects.filter(clinician=clinician)
    draft = notes.filter(status=SessionStatus.DRAFT).first()
    signed = notes.filter(status=SessionStatus.SIGNED).order_by("-addenda").first()
    assert draft is not None and signed is not None
    intern_notes = TherapySession.objects.filter(clinician=intern)
    waiting = intern_notes.filter(review_status=ReviewStatus.WAITING).first()
    returned = intern_notes.filter(review_status=ReviewStatus.RETURNED).first()
    cosigned = intern_notes.filter(review_status=ReviewStatus.COSIGNED).first()
    assert waiting and returned and cosigned

    pages: dict[str, str] = {}

    anonymous = HttpClient()
    _keep(pages, "anon-sign-in", anonymous.get(reverse("login")))
    _keep(
        pages,
        "anon-sign-in-error",
        anonymous.post(reverse("login"), {"username": "nobody", "password": "x"}),
    )
    _keep(
        pages,
        "anon-bad-set-password-link",
        anonymous.get(reverse("set_password", args=["MQ", "bad-token"])),
    )
    # Past the password, before the second factor: set-up and code pages.
    first_timer = HttpClient()
    first_timer.force_login(users["clinician2"])
    _keep(pages, "mfa-enrol", first_timer.get(reverse("mfa_enrol")))
    _keep(
        pages,
        "mfa-enrol-error",
        first_timer.post(reverse("mfa_enrol"), {"code": "000000"}),
    )
    returning = HttpClient()
    signed_in(users["outsider"])  # gives outsider a confirmed device
    returning.force_login(users["outsider"])
    _keep(pages, "mfa-verify", returning.get(reverse("mfa_verify")))
    _keep(
        pages,
        "mfa-verify-error",
        returning.post(reverse("mfa_verify"), {"code": "000000"}),
    )

    http = signed_in(clinician)
    http.post(reverse("clients:search"), {"q": client.chosen_name[:4]})
    http.post(reverse("sessions:search"), {"q": "naloxone"})
    _get_all(
        http,
        "clinician",
        [
            reverse("clients:list"),
            reverse("clients:list") + "?status=all&sort=last_contact",
            reverse("clients:reach_out"),
            reverse("clients:create"),
            reverse("clients:detail", args=[client.pk]),
            reverse("clients:update", args=[client.pk]),
            reverse("clients:close", args=[client.pk]),
            reverse("goals:create", args=[client.pk]),
            reverse("goals:detail", args=[goal.pk]),
            reverse("goals:update", args=[goal.pk]),
            reverse("goals:rate", args=[goal.pk]),
            reverse("goals:change", args=[goal.pk]),
            reverse("sessions:list", args=[client.pk]),
            reverse("sessions:create", args=[client.pk]),
            reverse("sessions:create", args=[client.pk]) + "?note_format=soap",
            reverse("sessions:update", args=[draft.pk]),
            reverse("sessions:sign", args=[draft.pk]),
            reverse("sessions:discard", args=[draft.pk]),
            reverse("sessions:detail", args=[signed.pk]),
            reverse("sessions:addendum", args=[signed.pk]),
            reverse("sessions:print", args=[signed.pk]),
            reverse("sessions:mine"),
            reverse("sessions:search_results"),
            reverse("sessions:language_guide"),
        ],
        pages,
    )
    # A draft moved to another format (text left over above the note), and a
    # discarded draft.
    moved = TherapySessionFactory.create(
        client=client, sections={"brought": "x", "did": "y"}
    )
    therapy_session_switch_format(session=moved, by=clinician, note_format="soap")
    thrown = TherapySessionFactory.create(client=client)
    therapy_session_discard(session=thrown, by=clinician)
    _keep(
        pages,
        "clinician-leftovers",
        http.get(reverse("sessions:update", args=[moved.pk])),
    )
    _keep(pages, "clinician-discarded", http.get(thrown.get_absolute_url()))
    # Error states: forms sent with mistakes are shown again with the errors.
    _keep(pages, "clinician-client-error", http.post(reverse("clients:create"), {}))
    _keep(
        pages,
        "clinician-goal-error",
        http.post(reverse("goals:create", args=[client.pk]), {}),
    )
    _keep(
        pages,
        "clinician-session-error",
        http.post(
            reverse("sessions:create", args=[client.pk]),
            {"action": "save", "duration_minutes": "-5", "section_brought": "relapsed"},
        ),
    )
    _keep(
        pages,
        "clinician-addendum-error",
        http.post(reverse("sessions:addendum", args=[signed.pk]), {}),
    )

    intern_http = signed_in(intern)
    _keep(
        pages, "intern-returned", intern_http.get(reverse("sessions:mine") + "?all=1")
    )
    _keep(
        pages,
        "intern-returned-note",
        intern_http.get(reverse("sessions:detail", args=[returned.pk])),
    )

    sup = signed_in(supervisor)
    _get_all(
        sup,
        "supervisor",
        [
            reverse("team:dashboard"),
            reverse("team:reach_out"),
            reverse("team:member_clients", args=[intern.pk]),
            reverse("sessions:review_queue"),
            reverse("sessions:detail", args=[waiting.pk]),
            reverse("sessions:detail", args=[cosigned.pk]),
            reverse("sessions:print", args=[cosigned.pk]),
            reverse("sessions:return", args=[waiting.pk]),
            reverse("clients:reassign", args=[waiting.client_id]),
            reverse("audit:client_history", args=[waiting.client_id]),
        ],
        pages,
    )
    _keep(
        pages,
        "supervisor-return-error",
        sup.post(reverse("sessions:return", args=[waiting.pk]), {"comment": ""}),
    )

    adm = signed_in(admin)
    _get_all(
        adm,
        "admin",
        [
            reverse("staff:list"),
            reverse("staff:create"),
            reverse("staff:detail", args=[intern.pk]),
            reverse("staff:update", args=[intern.pk]),
            reverse("staff:needs_clinician"),
            reverse("staff:caseload"),
            reverse("audit:report"),
            reverse("audit:report") + "?action=view",
        ],
        pages,
    )
    _keep(pages, "admin-staff-error", adm.post(reverse("staff:create"), {}))

    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    errors = vnu_errors(tmp_path)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
