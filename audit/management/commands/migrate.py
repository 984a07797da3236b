"""`migrate`, always as the owner of the tables (settings.DATABASE_OWNER).

The app's own role owns nothing and may not change the schema: only this
command, and restore, connect as the owner (docs/deployment.md, "The database
role"). pytest-django's test databases are migrated through here too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import migrate

from hr_clinic.lib.db_owner import as_owner


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        with as_owner(options["database"]):
            super().handle(*args, **options)
