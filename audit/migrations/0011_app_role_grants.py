"""What the app's own database role may do (issue #18; docs/deployment.md,
"The database role").

The app connects as a role that owns nothing (settings.DATABASE_APP_ROLE;
`hr_clinic_app` on the embedded server); `migrate` connects as the owner, so
this runs as the owner, who gives:

- USAGE on the schema; SELECT, INSERT, UPDATE, DELETE on every table and USAGE,
  SELECT on every sequence; the same by default on what later migrations make
  (ALTER DEFAULT PRIVILEGES, for the role that migrates).
- Never TRUNCATE, REFERENCES or TRIGGER; and as it owns nothing it cannot ALTER
  a table, DISABLE TRIGGER or (not a superuser) SET session_replication_role.
- Less where records are written once (APPEND_ONLY: INSERT and SELECT only),
  and no DELETE where rows are closed, never removed (NEVER_DELETED). Triggers
  refuse the same for every role (earlier migrations); the grants make the
  refusal the role's own, before any trigger runs.

Skipped, with nothing to undo, when the role does not exist or is the one
migrating (a single-role setup: not hardened, see docs/deployment.md).
"""

from typing import Any

from django.conf import settings
from django.db import migrations
from psycopg2 import sql

APPEND_ONLY = [
    "audit_auditevent",
    "therapy_sessions_addendum",
    "therapy_sessions_review",
    "goals_goalrevision",
    "goals_goalstatuschange",
    "clients_statuschange",
    "clients_reassignment",
    "staff_staffchange",
    "clients_emergencygrant",
    "clients_emergencygrantreview",
]
NEVER_DELETED = [
    "clients_client",
    "goals_goal",
    "therapy_sessions_therapysession",
    "staff_user",
]

GRANT = """
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO {role};
REVOKE UPDATE, DELETE ON {append_only} FROM {role};
REVOKE DELETE ON {never_deleted} FROM {role};
"""

REVOKE = """
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    REVOKE USAGE, SELECT ON SEQUENCES FROM {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {role};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role};
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
REVOKE USAGE ON SCHEMA public FROM {role};
"""


def apply(cursor: Any, template: str) -> None:
    """GRANT or REVOKE for the app role, through `cursor` (also used by
    audit.backup.restore for a restored copy)."""
    role = settings.DATABASE_APP_ROLE
    cursor.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = %s AND rolname <> current_user",
        [role],
    )
    if cursor.fetchone() is None:
        return
    tables = sql.SQL(", ").join
    cursor.execute(
        sql.SQL(template).format(
            role=sql.Identifier(role),
            append_only=tables(map(sql.Identifier, APPEND_ONLY)),
            never_deleted=tables(map(sql.Identifier, NEVER_DELETED)),
        )
    )


def grant(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        apply(cursor, GRANT)


def revoke(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        apply(cursor, REVOKE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0010_report_sort_indexes"),
        ("clients", "0009_clients_never_deleted"),
        ("goals", "0004_append_only_history"),
        ("therapy_sessions", "0017_review_status_from_reviews"),
        ("staff", "0010_seal_totp_secrets"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sessions", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
