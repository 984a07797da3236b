from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain. Exits non-zero and names the first "
        "broken row if any row was changed, removed or re-linked."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.first_break is not None:
            broken = result.first_break
            raise CommandError(
                f"Audit chain broken at row seq={broken.seq} (id {broken.event_id}): "
                f"{broken.reason}."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.rows} events, head {result.head or '-'}."
            )
        )
