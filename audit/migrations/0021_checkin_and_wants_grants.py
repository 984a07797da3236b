"""The app's database role never changes or deletes a relationship check-in
or a version of "What I want from coming here" (issue #22): 0011's default
privileges gave the new tables SELECT, INSERT, UPDATE and DELETE; UPDATE and
DELETE are taken back here, so the refusal is the role's own before the
append-only triggers (therapy_sessions `checkins_kept`, clients `wants_kept`)
run. Skipped where there is no separate app role
(audit.migrations.0011_app_role_grants.apply). audit.backup re-applies it
after a restore."""

from typing import Any

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

TABLES = ["therapy_sessions_relationshipcheckin", "clients_wants"]

REVOKE = "REVOKE UPDATE, DELETE ON {tables} FROM {role};"
GRANT_BACK = "GRANT UPDATE, DELETE ON {tables} TO {role};"


def apply(cursor: Any, template: str = REVOKE) -> None:
    """REVOKE (or, undoing, GRANT back) UPDATE and DELETE on the check-in and
    wants tables for the app role through `cursor`; also used by
    audit.backup.restore after it re-grants a restored copy. The role is found
    as 0011 finds it."""
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
        ("audit", "0020_client_screen_actions"),
        ("therapy_sessions", "0023_checkins_kept"),
        ("clients", "0013_wants_kept"),
    ]

    operations = [migrations.RunPython(kept, undo)]
