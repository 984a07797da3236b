"""How long the client's copy of a large record takes to make (issue #20).

Builds, inside a transaction that is rolled back at the end, one client with
N signed notes (each with the harm-reduction format's sections, a check-in
and, for every tenth, an addendum and a co-signature), six goals with a
rating for every fifth session, then times what the background job does:
reading the record (records.selectors.record_copy) and laying out the PDF
(records.documents.record_copy_pdf). Prints seconds, pages and the ratio to
the 10-second budget the issue sets (below 1.0 is within it).

    export DATABASE_URL='postgres://postgres@/hr_clinic?host=$PWD/.pgdata&port=5432'
    DEBUG=true .venv/bin/python bench/record_export.py --notes 500
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hr_clinic.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from clients.models import Client  # noqa: E402
from goals.models import Goal, GoalRating  # noqa: E402
from records.documents import record_copy_pdf  # noqa: E402
from records.selectors import record_copy  # noqa: E402
from sessions.models import Addendum, Review, SessionStatus, TherapySession  # noqa: E402
from staff.models import Role, User  # noqa: E402

BUDGET_SECONDS = 10.0
WORDS = (
    "Talked about the week, what helped and what did not, and what they want "
    "to try before we meet again. "
)


class _RolledBack(Exception):
    pass


def _seed(notes: int) -> Client:
    supervisor = User.objects.create(
        username=f"bench-export-sup-{time.time_ns()}",
        role=Role.SUPERVISOR,
        display_name="Bench Supervisor (demo)",
    )
    clinician = User.objects.create(
        username=f"bench-export-{time.time_ns()}",
        role=Role.CLINICIAN,
        credentials="LPCC",
        display_name="Bench Clinician (demo)",
        supervisor=supervisor,
    )
    client = Client.objects.create(
        chosen_name="Bench Client (demo)", pronouns="they/them", clinician=clinician
    )
    start = timezone.now() - dt.timedelta(days=notes * 3)
    sessions = TherapySession.objects.bulk_create(
        TherapySession(
            client=client,
            clinician=clinician,
            client_clinician=clinician,
            started_at=start + dt.timedelta(days=3 * n),
            duration_minutes=50,
            sections={
                "brought": f"Session {n}: " + WORDS * 3,
                "did": WORDS * 4,
                "response": WORDS * 2,
                "next": "Meet again next week.",
            },
            naloxone_on_hand=True,
            test_strips_given=n % 4,
            status=SessionStatus.SIGNED,
            signed_at=start + dt.timedelta(days=3 * n, hours=2),
            # Every tenth waits for the co-signature given below.
            review_status="waiting" if n % 10 == 0 else "",
        )
        for n in range(notes)
    )
    Addendum.objects.bulk_create(
        Addendum(session=s, author=clinician, reason="Correction", text=WORDS)
        for s in sessions[::10]
    )
    Review.objects.bulk_create(
        Review(session=s, reviewer=supervisor, decision="cosigned")
        for s in sessions[::10]
    )
    goals = Goal.objects.bulk_create(
        Goal(client=client, wording=f"Goal {g} in my own words", created_by=clinician)
        for g in range(6)
    )
    GoalRating.objects.bulk_create(
        GoalRating(
            goal=goals[n % 6],
            score=n % 11,
            rated_on=(start + dt.timedelta(days=3 * n)).date(),
            recorded_by=clinician,
        )
        for n in range(0, notes, 5)
    )
    return Client.objects.select_related("clinician").get(pk=client.pk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    reads, layouts, pages, size = [], [], 0, 0
    try:
        with transaction.atomic():
            client = _seed(args.notes)
            for _ in range(args.rounds):
                began = time.perf_counter()
                copy = record_copy(client=client, user=client.clinician)
                read = time.perf_counter()
                doc = record_copy_pdf(copy)
                data = doc.output()
                done = time.perf_counter()
                reads.append(read - began)
                layouts.append(done - read)
                pages, size = doc.page_count, len(data)
            raise _RolledBack
    except _RolledBack:
        pass
    read_s, layout_s = statistics.median(reads), statistics.median(layouts)
    total = read_s + layout_s
    megabytes = size / 1e6
    print(
        f"record copy of {args.notes} signed notes: {pages} pages, {megabytes:.1f} MB"
    )
    print(f"  read   {read_s:6.2f} s (median of {args.rounds})")
    print(f"  layout {layout_s:6.2f} s")
    print(f"  total  {total:6.2f} s = {total / BUDGET_SECONDS:.2f} of the 10 s budget")


if __name__ == "__main__":
    main()
