"""The database rules, tried as the role production runs the app as.

The test databases are made and migrated by the owner (tests/conftest.py); a
test that proves a rule switches its own transaction to the app role
(`SET LOCAL ROLE`, undone when the test's transaction rolls back), so every
refusal is the one the app would meet, and every allowed path is one the app
can take.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from psycopg2 import sql

# Every TRUNCATE guard is a trigger named *_no_truncate (audit_no_truncate and
# those of migrations staff `append_only_staff_history` and later).
_SWITCH_GUARDS = r"""
DO $$
DECLARE
    guard record;
BEGIN
    FOR guard IN
        SELECT tgrelid::regclass AS tbl, tgname FROM pg_trigger
         WHERE NOT tgisinternal AND tgname LIKE '%\_no\_truncate'
    LOOP
        EXECUTE format('ALTER TABLE %s {switch} TRIGGER %I', guard.tbl, guard.tgname);
    END LOOP;
END;
$$;
"""


def switch_truncate_guards(execute: Callable[[str], Any], *, enable: bool) -> None:
    """Switch every clinical table's TRUNCATE guard on or off in one statement
    (for Django's flush after a transactional test, which empties the tables
    with TRUNCATE; only the owner may)."""
    execute(_SWITCH_GUARDS.replace("{switch}", "ENABLE" if enable else "DISABLE"))


def become_app_role() -> None:
    """The rest of this test's transaction runs as the app role."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SET LOCAL ROLE {}").format(
                sql.Identifier(settings.DATABASE_APP_ROLE)
            )
        )


def refusal(statement: str, params: Any = None) -> str:
    """Run `statement` in a savepoint (undone either way); the error PostgreSQL
    gave, or "" when it was accepted."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
            raise _Accepted
    except _Accepted:
        return ""
    except DatabaseError as exc:
        return str(exc).splitlines()[0]


class _Accepted(Exception):
    pass
