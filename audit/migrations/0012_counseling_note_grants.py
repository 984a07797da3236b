"""What the app's database role may do with SUD counseling notes (issue #19),
after audit `app_role_grants` (which gave it SELECT, INSERT, UPDATE, DELETE on
them by default): no DELETE on notes (never deleted), no UPDATE or DELETE on
their revisions (append-only), so the refusal is the role's own before the
triggers of therapy_sessions `counseling_notes_kept` run.

Here in audit, with the role's other grants, and after them: the grants on
every table come last (a later GRANT ON ALL TABLES would give these back).
Skipped, with nothing to undo, when the role does not exist or is the one
migrating (a single-role setup).
"""

from typing import Any

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

NOTES = "therapy_sessions_counselingnote"
REVISIONS = "therapy_sessions_counselingnoterevision"

REVOKE = (
    "REVOKE DELETE ON {notes} FROM {role};"
    " REVOKE UPDATE, DELETE ON {revisions} FROM {role};"
)
REGRANT = (
    "GRANT DELETE ON {notes} TO {role}; GRANT UPDATE, DELETE ON {revisions} TO {role};"
)


def _apply(schema_editor: Any, template: str) -> None:
    """As `app_role_grants` does: only for an app role that exists and is not
    the one migrating."""
    role = settings.DATABASE_APP_ROLE
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s AND rolname <> current_user",
            [role],
        )
        if cursor.fetchone() is None:
            return
        cursor.execute(
            sql.SQL(template).format(
                role=sql.Identifier(role),
                notes=sql.Identifier(NOTES),
                revisions=sql.Identifier(REVISIONS),
            )
        )


def revoke(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, REVOKE)


def regrant(apps: Any, schema_editor: Any) -> None:
    _apply(schema_editor, REGRANT)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0011_app_role_grants"),
        ("therapy_sessions", "0019_counseling_notes_kept"),
    ]

    operations = [migrations.RunPython(revoke, regrant)]
