from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench import scale


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with fictional records at the scale of a large "
        "service (default: 200 staff, 20,000 clients, 1,000,000 sessions, 60,000 "
        "goals, two appointments a week per active client for a year) for "
        "benchmarking. Staff are scale-*, with the password "
        f"{scale.SCALE_PASSWORD!r}. Refuses a database with other data (unless "
        "--force) or a second run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = scale.Sizes()
        parser.add_argument("--staff", type=int, default=defaults.staff)
        parser.add_argument("--clients", type=int, default=defaults.clients)
        parser.add_argument("--sessions", type=int, default=defaults.sessions)
        parser.add_argument("--goals", type=int, default=defaults.goals)
        parser.add_argument(
            "--ratings-per-goal", type=int, default=defaults.ratings_per_goal
        )
        parser.add_argument("--audit-events", type=int, default=defaults.audit_events)
        parser.add_argument(
            "--appointments-per-week",
            type=int,
            default=defaults.appointments_per_week,
            help="per active client, for a year (one weekly series each; 0: none)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add scale data even though the database holds other records.",
        )
        parser.add_argument(
            "--personas",
            action="store_true",
            help="Add the two big personas of issue #25 (scale-big-supervisor "
            "with 40 supervisees, scale-big-clinician with 2,000 open clients) "
            "to a database that holds scale data, once, and nothing else.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="When scale data is already there, add only what it lacks "
            "(appointments, for a database seeded before them) and succeed.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["personas"]:
            self._personas()
            return
        if options["if_empty"] and scale.scale_data_present():
            # A database seeded before appointments existed (issue #21) gets
            # them once; a second run adds nothing.
            started = time.monotonic()
            try:
                series, appointments = scale.seed_appointments(
                    per_week=options["appointments_per_week"], progress=self._progress
                )
            except scale.ScaleError as exc:
                raise CommandError(str(exc)) from exc
            if not appointments:
                self.stdout.write("Scale data is already there; nothing to do.")
                return
            self.stdout.write(
                self.style.SUCCESS(
                    f"Scale data was already there; added {appointments} "
                    f"appointments in {series} weekly series in "
                    f"{time.monotonic() - started:.0f} s."
                )
            )
            return
        sizes = scale.Sizes(
            staff=options["staff"],
            clients=options["clients"],
            sessions=options["sessions"],
            goals=options["goals"],
            ratings_per_goal=options["ratings_per_goal"],
            audit_events=options["audit_events"],
            appointments_per_week=options["appointments_per_week"],
        )
        started = time.monotonic()
        try:
            counts = scale.seed_scale(
                sizes, force=options["force"], progress=self._progress
            )
        except scale.ScaleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded in {time.monotonic() - started:.0f} s: {counts.admins} "
                f"admins, {counts.supervisors} supervisors, {counts.clinicians} "
                f"clinicians, {counts.clients} clients, {counts.sessions} sessions "
                f"({counts.drafts} drafts, {counts.reviews} reviews), {counts.goals} "
                f"goals, {counts.ratings} ratings, {counts.audit_events} audit "
                f"events, {counts.appointments} appointments in "
                f"{counts.appointment_series} series. Sign in as "
                f"scale-clinician-001 or scale-supervisor-01 with the password "
                f"{scale.SCALE_PASSWORD!r}."
            )
        )

    def _personas(self) -> None:
        if not scale.scale_data_present():
            raise CommandError("No scale data here: run seed_scale first.")
        started = time.monotonic()
        clients, sessions = scale.seed_personas(progress=self._progress)
        if not clients:
            self.stdout.write("The big personas are already there; nothing to do.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {scale.BIG_SUPERVISOR} (40 supervisees) and "
                f"{scale.BIG_CLINICIAN}: {clients} clients, {sessions} sessions in "
                f"{time.monotonic() - started:.0f} s."
            )
        )

    def _progress(self, label: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "." * (width - filled)
        self.stdout.write(f"\r{label:>16} [{bar}] {done:>9,}/{total:,}", ending="")
        if done >= total:
            self.stdout.write("")
        self.stdout.flush()
