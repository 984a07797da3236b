"""In-process rendering time of the list pages that draw many rows, and of the
record pages.

Times N requests of each page (caseload, team dashboard, note search, audit
report, a client's access history; the clinician's busiest client, its latest
signed note, a draft's edit page and an autosave of a draft; Today, the week,
the team week and the reach-out list of issue #21) through Django's test
client, in this process: no server, no network, so the numbers are the view,
its queries and its template. Prints milliseconds per page (median of rounds,
and the best).

Sessions live in signed cookies and the sign-in's last_login is rolled back.
Each request runs as it does on the server, in autocommit: its audit event
commits, as the events of `make bench` do. Wrapping each request in a
transaction to roll it back held the audit chain's lock (audit migration 0008)
for the whole request, so two of these scripts running at once waited on each
other (87 ms an audit INSERT, measured). Meant for the scaled bench database
after `make bench` has run once (its accounts then have authenticators):

    export DATABASE_URL='postgres://postgres@/hr_clinic_bench?host=...&port=5432'
    SECRET_KEY=local-bench .venv/bin/python bench/render_pages.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.in_process import setup  # noqa: E402

setup("hr_clinic.settings")

from django.conf import settings  # noqa: E402

# No collectstatic here: plain static URLs (the same cost before and after a change).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402

from bench.benchmark import _InProcessSaver  # noqa: E402
from staff.mfa import VERIFIED_USER_KEY  # noqa: E402
from staff.models import (  # noqa: E402
    Role,
    SealedTOTPDevice,  # noqa: E402
    User,
)


def _signed_in(user: User, **session_data: Any) -> HttpClient:
    """A test client signed in as `user`, second factor done, with the session in
    its cookie (settings above) and last_login left alone: nothing is written."""
    device = SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise SystemExit(f"{user.username} has no authenticator: run make bench once")
    http = HttpClient(HTTP_HOST="127.0.0.1")
    with transaction.atomic():
        http.force_login(user)
        transaction.set_rollback(True)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_USER_KEY] = user.pk
    session.update(session_data)
    session.save()
    assert session.session_key is not None
    http.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return http


def _made_on_first_call(make: Callable[[], Callable[[], Any]]) -> Callable[[], Any]:
    """A page whose first call makes what it needs (the session save's draft),
    so that a run without it writes nothing."""
    made: list[Callable[[], Any]] = []

    def call() -> Any:
        if not made:
            made.append(make())
        return made[0]()

    return call


def _time(get: Callable[[], Any], n: int, rounds: int) -> tuple[float, float]:
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            response = get()
            assert response.status_code == 200, response.status_code
        per_round.append((time.perf_counter() - start) * 1000 / n)
    return statistics.median(per_round), min(per_round)


def _profile(name: str, get: Callable[[], Any], n: int, top: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    _time(get, n, 1)
    profiler.disable()
    order = os.environ.get("PROFILE_SORT", "tottime")  # or "cumulative"
    if dump := os.environ.get("PROFILE_DUMP"):  # a pstats file, for print_callees
        profiler.dump_stats(f"{dump}.{name.replace(' ', '_')}")
    print(f"\n== {name}: {top} costliest functions by {order}, {n} requests")
    pstats.Stats(profiler).sort_stats(order).print_stats(top)


def _queries(name: str, get: Callable[[], Any]) -> None:
    from django.db import connection

    timed: list[tuple[float, str]] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - start) * 1000, sql))

    with connection.execute_wrapper(timer):
        _time(get, 1, 1)
    total = sum(ms for ms, _ in timed)
    print(f"\n== {name}: {len(timed)} queries, {total:.1f} ms in the database")
    for ms, sql in timed:
        print(f"{ms:7.2f} ms  {sql[:150]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clinician", default="scale-clinician-106")
    parser.add_argument("--supervisor", default="scale-supervisor-06")
    parser.add_argument("--admin", default="", help="default: the first active admin")
    parser.add_argument("--term", default="restless", help="the note search's words")
    parser.add_argument(
        "--common-term",
        default="housing",
        help="words in nearly every note, for the 'search common' pages",
    )
    parser.add_argument(
        "--mid-term", default="overdose", help="words in ~21%% of notes"
    )
    parser.add_argument("--big-supervisor", default="scale-big-supervisor")
    parser.add_argument("--big-clinician", default="scale-big-clinician")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of timing, profile each page (cProfile) and print its N "
        "costliest functions by own time (PROFILE_SORT=cumulative for inclusive)",
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="instead of timing, print each page's queries with their time",
    )
    args = parser.parse_args()

    from audit.models import AuditEvent
    from bench.benchmark import figures_year_query, working_day_query
    from clients.models import Client
    from sessions.models import SessionStatus, TherapySession
    from sessions.views.search import SEARCH_KEY

    clinician = User.objects.get(username=args.clinician)
    supervisor = User.objects.get(username=args.supervisor)
    admins = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")
    admin = admins.get(username=args.admin) if args.admin else admins.first()
    assert admin is not None, "no active admin"
    as_clinician = _signed_in(clinician, **{SEARCH_KEY: args.term})
    as_supervisor = _signed_in(supervisor)
    as_admin = _signed_in(admin)
    # The supervisor's client with the longest access history.
    busiest = (
        AuditEvent.objects.filter(
            client_id__in=Client.objects.visible_to(supervisor).values("pk")
        )
        .values("client_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None, "no access history for the supervisor's clients"
    history = reverse("audit:client_history", args=[busiest["client_id"]])
    # The clinician's client with the most notes, its latest signed note, and
    # the clinician's latest draft.
    record = (
        Client.objects.filter(clinician=clinician)
        .annotate(n=Count("sessions"))
        .order_by("-n")
        .first()
    )
    assert record is not None, f"{clinician.username} has no clients"
    notes = TherapySession.objects.order_by("-started_at")
    note = notes.filter(client=record, status=SessionStatus.SIGNED).first()
    draft = notes.filter(clinician=clinician, status=SessionStatus.DRAFT).first()
    assert note is not None and draft is not None, "no signed note or no draft"
    edit = reverse("sessions:update", args=[draft.pk])
    today = reverse("appointments:today") + working_day_query()
    figures = reverse("reports:figures") + figures_year_query()
    # The search for each persona and each word (issue #25): the big personas
    # come from `seed_scale --personas`.
    searches: dict[str, Callable[[], Any]] = {}
    personas = {
        "": clinician,
        " (supervisor)": supervisor,
        " (big supervisor)": User.objects.filter(username=args.big_supervisor).first(),
        " (big clinician)": User.objects.filter(username=args.big_clinician).first(),
    }
    words = {"": args.term, " mid": args.mid_term, " common": args.common_term}
    search_url = reverse("sessions:search_results")
    for persona, who in personas.items():
        for kind, term in words.items():
            if who is not None:
                http = _signed_in(who, **{SEARCH_KEY: term})
                searches[f"search{kind}{persona}"] = partial(http.get, search_url)
    pages: dict[str, Callable[[], Any]] = {
        "caseload": lambda: as_clinician.get(reverse("clients:list")),
        "team dashboard": lambda: as_supervisor.get(reverse("team:dashboard")),
        **searches,
        "audit report": lambda: as_admin.get(reverse("audit:report")),
        "access history": lambda: as_supervisor.get(history),
        "client page": lambda: as_clinician.get(record.get_absolute_url()),
        "note page": lambda: as_clinician.get(note.get_absolute_url()),
        "new note": lambda: as_clinician.get(
            reverse("sessions:create", args=[record.pk])
        ),
        "note edit": lambda: as_clinician.get(edit),
        # An autosave of the clinician's own draft, as `make bench` sends it.
        "session save": _made_on_first_call(
            lambda: _InProcessSaver(as_clinician, record.pk)
        ),
        "today": lambda: as_clinician.get(today),
        "week": lambda: as_clinician.get(reverse("appointments:week")),
        "team week": lambda: as_supervisor.get(reverse("appointments:team_week")),
        "reach-out list": lambda: as_clinician.get(reverse("clients:reach_out")),
        "figures (admin)": lambda: as_admin.get(figures),
        "figures (team)": lambda: as_supervisor.get(figures),
    }
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    heading = f"{'page':<32} {'median ms':>10} {'best ms':>8} {'rows':>5}"
    print(f"{heading}  ({args.n} requests x {args.rounds} rounds)")
    for name, get in pages.items():
        if only and name not in only:
            continue
        body = get().content  # warm: templates compiled, caches filled
        if args.profile:
            _profile(name, get, args.n, args.profile)
            continue
        if args.queries:
            _queries(name, get)
            continue
        rows = body.count(b"<tr") + body.count(b'<li class="list-group-item"') - 1
        median, best = _time(get, args.n, args.rounds)
        print(f"{name:<32} {median:>10.2f} {best:>8.2f} {rows:>5}")


if __name__ == "__main__":
    main()
