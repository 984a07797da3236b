"""The app's database role may only add to the consent tables (issue #19),
here with the other grants (audit owns the app role's privileges; after 0011,
whose GRANT on every table would otherwise give these back),
as for the other append-only tables (migration audit `app_role_grants`): the
refusal is the role's own, before any trigger runs. Skipped where there is no
separate app role (audit.migrations.0011_app_role_grants.apply)."""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

# The tables migration 0002 makes append-only.
TABLES = import_module("consents.migrations.0002_append_only_and_ledger_rule").TABLES

REVOKE = "REVOKE UPDATE, DELETE ON {tables} FROM {role};"
GRANT_BACK = "GRANT UPDATE, DELETE ON {tables} TO {role};"


def apply(cursor: Any, template: str = REVOKE) -> None:
    """REVOKE (or, undoing, GRANT back) for the app role through `cursor`;
    also used by audit.backup.restore after it re-grants a restored copy.
    The role is found as migration audit 0011 finds it."""
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
        ("audit", "0013_disclose_and_revoke_actions"),
        ("consents", "0002_append_only_and_ledger_rule"),
    ]

    operations = [migrations.RunPython(append_only, undo)]
