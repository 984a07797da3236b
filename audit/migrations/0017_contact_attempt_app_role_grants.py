"""The app's database role may only add to the reach-out attempts (issue #21),
here with the other grants (audit owns the app role's privileges; 0011's
default privileges give every new table SELECT, INSERT, UPDATE and DELETE), as
for the consent (0014) and records (0015) tables: the refusal is the role's
own, before any trigger runs. Skipped where there is no separate app role
(audit.migrations.0011_app_role_grants.apply). audit.backup re-applies it
after a restore."""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

TABLES = import_module("clients.migrations.0011_contact_attempts").TABLES
# 0014's statements; its `apply` names the consent tables only (and a
# migration is never edited), so the role lookup is repeated here.
_consents = import_module("audit.migrations.0014_consents_app_role_grants")
REVOKE = _consents.REVOKE
GRANT_BACK = _consents.GRANT_BACK


def apply(cursor: Any, template: str = REVOKE) -> None:
    """REVOKE (or, undoing, GRANT back) UPDATE and DELETE on the attempts
    table for the app role, through `cursor`; also used by
    audit.backup.restore after it re-grants a restored copy."""
    role = settings.DATABASE_APP_ROLE
    cursor.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = %s AND rolname <> current_user",
        [role],
    )
    if cursor.fetchone() is None:
        return
    cursor.execute(
        sql.SQL(template).format(
            role=sql.Identifier(role),
            tables=sql.SQL(", ").join(map(sql.Identifier, TABLES)),
        )
    )


def _apply(schema_editor: Any, template: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        apply(cursor, template)


def append_only(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, REVOKE)


def undo(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, GRANT_BACK)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0016_appointments_app_role_grants"),
        ("clients", "0011_contact_attempts"),
    ]

    operations = [migrations.RunPython(append_only, undo)]
