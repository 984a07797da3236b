from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.backup import BackupError, current_database, restore
from hr_clinic.lib.db_owner import as_owner


class Command(BaseCommand):
    help = (
        "Restore an archive made by `backup` into an empty database (created if "
        "missing), then verify row counts and the audit chain against its manifest. "
        "An encrypted archive needs the BACKUP_KEY it was made with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The .dump file (its .json beside it).")
        parser.add_argument(
            "--database",
            help="Target database on the same server (default: the configured "
            "one, which must then be empty).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["database"] or current_database()
        # As the owner (DATABASE_OWNER): it creates the database and its tables,
        # then gives the app role its privileges on them.
        try:
            with as_owner():
                done = restore(archive=Path(options["archive"]), database=target)
        except BackupError as exc:
            raise CommandError(f"Restore not trusted: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {done.tables} tables, {done.rows} rows into "
                f"{done.database}; counts match the manifest and the audit chain "
                f"({done.audit_events} events) is intact."
            )
        )
