"""The app's database role never deletes a group, a membership, a meeting or
an attendance (issue #24): 0011's default privileges gave the new tables
SELECT, INSERT, UPDATE and DELETE; DELETE is taken back here, so the refusal
is the role's own before any trigger runs (groups `groups_kept` refuses it for
every role). Rows change (a leaving date, a draft meeting's shared part), so
UPDATE stays. The facilitators' table keeps DELETE: who facilitates is not a
record of care. Skipped where there is no separate app role
(audit.migrations.0011_app_role_grants.apply). audit.backup re-applies it
after a restore."""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

TABLES = import_module("groups.migrations.0002_groups_kept").TABLES

REVOKE = "REVOKE DELETE ON {tables} FROM {role};"
GRANT_BACK = "GRANT DELETE ON {tables} TO {role};"


def apply(cursor: Any, template: str = REVOKE) -> None:
    """REVOKE (or, undoing, GRANT back) DELETE on the group tables for the app
    role through `cursor`; also used by audit.backup.restore after it
    re-grants a restored copy. The role is found as 0011 finds it."""
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


def no_delete(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, REVOKE)


def undo(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, GRANT_BACK)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0022_reports_grants"),
        ("groups", "0002_groups_kept"),
    ]

    operations = [migrations.RunPython(no_delete, undo)]
