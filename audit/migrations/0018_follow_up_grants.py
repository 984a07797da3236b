"""The app's database role never deletes a follow-up (issue #21), here with
the role's other grants (audit owns the app role's privileges; 0011's default
privileges give every new table SELECT, INSERT, UPDATE and DELETE), as for the
records tables (0015): the refusal is the role's own, before the trigger of
therapy_sessions `follow_ups_kept` runs. UPDATE stays: a follow-up is closed
(done, no longer needed) by an UPDATE. Skipped where there is no separate app
role (audit.migrations.0011_app_role_grants.apply). audit.backup re-applies it
after a restore."""

from typing import Any

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

TABLE = "therapy_sessions_followup"
REVOKE = "REVOKE DELETE ON {table} FROM {role};"
GRANT_BACK = "GRANT DELETE ON {table} TO {role};"


def apply(cursor: Any, template: str = REVOKE) -> None:
    """REVOKE (or, undoing, GRANT back) DELETE on follow-ups for the app role,
    through `cursor`; also used by audit.backup.restore after it re-grants a
    restored copy. The role is found as migration audit 0011 finds it."""
    role = settings.DATABASE_APP_ROLE
    cursor.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = %s AND rolname <> current_user",
        [role],
    )
    if cursor.fetchone() is None:
        return
    cursor.execute(
        sql.SQL(template).format(role=sql.Identifier(role), table=sql.Identifier(TABLE))
    )


def _apply(schema_editor: Any, template: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        apply(cursor, template)


def never_deleted(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, REVOKE)


def undo(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, GRANT_BACK)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0017_contact_attempt_app_role_grants"),
        ("therapy_sessions", "0020_follow_ups"),
    ]

    operations = [migrations.RunPython(never_deleted, undo)]
