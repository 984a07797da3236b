from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a pg_dump custom-format archive of the database, with a manifest "
        "(time, schema version, row counts, audit-chain head) beside it; both "
        "readable by their owner only. Signed-in sessions are left out. With "
        "BACKUP_KEY set the archive is encrypted (the manifest stays readable)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--folder",
            default="backups",
            help="Where to write NAME.dump and NAME.json (default: ./backups).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            made = backup(folder=Path(options["folder"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {made.tables} tables, {made.rows} rows to {made.archive} "
                f"(manifest {made.manifest.name})."
            )
        )
