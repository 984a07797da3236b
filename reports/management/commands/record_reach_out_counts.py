from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reports.services import reach_out_counts_record


class Command(BaseCommand):
    help = (
        "Record today's reach-out list size per clinician for the program "
        "figures (run daily, e.g. from cron; running it again the same day "
        "replaces that day's counts)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counted = reach_out_counts_record()
        self.stdout.write(self.style.SUCCESS(f"Recorded {counted} reach-out counts."))
