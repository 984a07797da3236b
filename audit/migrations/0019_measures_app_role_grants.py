"""The app's database role may only add to the measure tables (issue #22),
here with the role's other grants (audit owns the app role's privileges;
0011's default privileges give every new table SELECT, INSERT, UPDATE and
DELETE), as for the consent tables (0014): the refusal is the role's own,
before the triggers of measures `measures_kept` run. Skipped where there is
no separate app role (audit.migrations.0011_app_role_grants.apply).
audit.backup re-applies it after a restore."""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

TABLES = import_module("measures.migrations.0002_measures_kept").TABLES

REVOKE = "REVOKE UPDATE, DELETE ON {tables} FROM {role};"
GRANT_BACK = "GRANT UPDATE, DELETE ON {tables} TO {role};"


def apply(cursor: Any, template: str = REVOKE) -> None:
    """REVOKE (or, undoing, GRANT back) UPDATE and DELETE on the measure
    tables for the app role through `cursor`; also used by
    audit.backup.restore after it re-grants a restored copy. The role is found
    as migration audit 0011 finds it."""
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
        ("audit", "0018_follow_up_grants"),
        ("measures", "0002_measures_kept"),
    ]

    operations = [migrations.RunPython(append_only, undo)]
