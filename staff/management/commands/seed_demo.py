from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from appointments.demo import seed_appointments
from clients.demo import seed_clients
from consents.demo import seed_consents
from goals.demo import seed_goals
from groups.demo import seed_groups
from measures.demo import seed_voice
from records.demo import seed_records
from sessions.demo import seed_sessions
from staff.demo import seed_staff


class Command(BaseCommand):
    help = (
        "Create or refresh obviously fictional demo data (staff, and the clinical "
        "records later apps add). Safe to run again: it never duplicates."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        steps: list[tuple[str, Callable[[], tuple[int, int]]]] = [
            ("staff", seed_staff),
            ("clients", seed_clients),
            ("goals", seed_goals),
            ("sessions", seed_sessions),
            ("consents", seed_consents),
            ("records", seed_records),
            ("appointments", seed_appointments),
            ("the client's own voice", seed_voice),
            ("groups", seed_groups),
        ]
        for number, (label, step) in enumerate(steps, start=1):
            self.stdout.write(f"[{number}/{len(steps)}] {label} … ", ending="")
            self.stdout.flush()
            created, existing = step()
            self.stdout.write(
                self.style.SUCCESS(f"{created} created, {existing} already there")
            )
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
