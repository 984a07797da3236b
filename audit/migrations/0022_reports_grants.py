"""The app's database role never deletes what the program figures are counted
from (issue #23): the summary of signed notes, which only PostgreSQL writes
and only ever adds to (reports `count_signed_notes`), and the daily reach-out
counts. 0011's default privileges gave the new tables SELECT, INSERT, UPDATE
and DELETE; DELETE is taken back here (the trigger that keeps the summary
runs as the role that signs the note, so it keeps INSERT and UPDATE; the
rebuild runs as the owner). Skipped where there is no separate app role
(audit.migrations.0011_app_role_grants.apply). audit.backup re-applies it
after a restore."""

from typing import Any

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

TABLES = ["reports_sessionmonth", "reports_clientmonth", "reports_reachoutcount"]

REVOKE = "REVOKE DELETE ON {tables} FROM {role};"
GRANT_BACK = "GRANT DELETE ON {tables} TO {role};"


def apply(cursor: Any, template: str = REVOKE) -> None:
    """REVOKE (or, undoing, GRANT back) DELETE on the figures' tables for the
    app role through `cursor`; also used by audit.backup.restore after it
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


def kept(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, REVOKE)


def undo(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, GRANT_BACK)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0021_checkin_and_wants_grants"),
        ("reports", "0002_count_signed_notes"),
    ]

    operations = [migrations.RunPython(kept, undo)]
