"""The embedded server runs the hardened setup by itself (issue #18, part 4):
an owner role that migrates and owns the tables, an app role that owns nothing
and serves, both made automatically and again without harm; `migrate` switches
to the owner, everything else (the demo's seeding included) runs as the app
role. On another server the same split is DATABASE_URL plus DATABASE_OWNER_URL,
which is how these tests drive a fresh embedded server of their own."""

from __future__ import annotations

import os
import subprocess  # nosec B404 - manage.py in a fresh interpreter, as make does
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from hr_clinic import embedded_db

pytest.importorskip("pgserver")

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # a server of its own: initdb, migrate, seed


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("embedded")
    settings = embedded_db.database_settings(base, 0)
    yield {**settings, "base": base}
    embedded_db.stop(base)


def _connect(settings: dict[str, Any], user: str, dbname: str = "") -> Any:
    conn = psycopg2.connect(
        dbname=dbname or settings["NAME"],
        user=user,
        host=settings["HOST"],
        port=settings["PORT"],
    )
    conn.autocommit = True
    return conn


def _url(settings: dict[str, Any], user: str) -> str:
    return (
        f"postgres://{user}@/{settings['NAME']}"
        f"?host={settings['HOST']}&port={settings['PORT']}"
    )


def _manage(settings: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DEBUG": "true",
        "MFA_REQUIRED": "false",
        "DATABASE_URL": _url(settings, embedded_db.APP_ROLE),
        "DATABASE_OWNER_URL": _url(settings, embedded_db.OWNER_ROLE),
    }
    env.pop("DATABASE_APP_ROLE", None)
    return subprocess.run(  # nosec B603 - this interpreter, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_app_connects_as_a_role_that_is_neither_owner_nor_superuser(
    server: dict[str, Any],
) -> None:
    assert server["USER"] == embedded_db.APP_ROLE
    assert embedded_db.owner_settings()["USER"] == embedded_db.OWNER_ROLE
    conn = _connect(server, embedded_db.SUPERUSER)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles"
            " WHERE rolname IN (%s, %s) ORDER BY 1",
            [embedded_db.APP_ROLE, embedded_db.OWNER_ROLE],
        )
        assert cur.fetchall() == [
            (embedded_db.APP_ROLE, False, False, False),
            (embedded_db.OWNER_ROLE, False, True, False),
        ]
        cur.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
            [server["NAME"]],
        )
        assert cur.fetchone() == (embedded_db.OWNER_ROLE,)
    conn.close()
    # Made again without harm: every process that starts the server gets there.
    again = embedded_db.database_settings(server["base"], 0)
    assert again["USER"] == embedded_db.APP_ROLE


def test_migrate_runs_as_the_owner_and_the_demo_seeds_as_the_app_role(
    server: dict[str, Any],
) -> None:
    migrated = _manage(server, "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    seeded = _manage(server, "seed_demo")
    assert seeded.returncode == 0, seeded.stderr

    conn = _connect(server, embedded_db.SUPERUSER)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S')"
        )
        assert cur.fetchall() == [(embedded_db.OWNER_ROLE,)]
        cur.execute("SELECT count(*) FROM therapy_sessions_review")
        assert cur.fetchone()[0] > 0  # the demo's reviews moved its notes
        cur.execute(
            "SELECT count(*) FROM therapy_sessions_therapysession"
            " WHERE review_status = 'cosigned'"
        )
        assert cur.fetchone()[0] > 0
    conn.close()

    app = _connect(server, embedded_db.APP_ROLE)
    with app.cursor() as cur:
        cur.execute("SELECT count(*) FROM clients_client")
        assert cur.fetchone()[0] > 0
        for statement in (
            "TRUNCATE therapy_sessions_therapysession CASCADE",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
            "SET session_replication_role = replica",
            "UPDATE therapy_sessions_therapysession SET review_status = 'cosigned'"
            " WHERE review_status = 'waiting'",
        ):
            with pytest.raises(psycopg2.Error):
                cur.execute(statement)
    app.close()


def test_an_older_database_owned_by_the_superuser_is_handed_to_the_owner(
    server: dict[str, Any],
) -> None:
    name = "hr_clinic_older"
    conn = _connect(server, embedded_db.SUPERUSER, "postgres")
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {name}")
        cur.execute(f"CREATE DATABASE {name}")
    conn.close()
    older = _connect(server, embedded_db.SUPERUSER, name)
    with older.cursor() as cur:
        cur.execute("CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY)")
        cur.execute("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    older.close()

    embedded_db._ensure_database(
        server["HOST"], int(server["PORT"]), name, owner=embedded_db.OWNER_ROLE
    )
    check = _connect(server, embedded_db.SUPERUSER, name)
    with check.cursor() as cur:
        cur.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'notes'"
        )
        assert cur.fetchone() == (embedded_db.OWNER_ROLE,)
        cur.execute("SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'f'")
        assert cur.fetchone() == (embedded_db.OWNER_ROLE,)
    check.close()


def test_backups_run_as_the_app_role_and_restores_as_the_owner(
    server: dict[str, Any], tmp_path: Path
) -> None:
    migrated = _manage(server, "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    made = _manage(server, "backup", "--folder", str(tmp_path))
    assert made.returncode == 0, made.stderr
    archive = next(tmp_path.glob("*.dump"))
    restored = _manage(server, "restore", str(archive), "--database", "drill")
    assert restored.returncode == 0, restored.stderr

    conn = _connect(server, embedded_db.SUPERUSER, "drill")
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
        assert cur.fetchall() == [(embedded_db.OWNER_ROLE,)]
    conn.close()
    app = _connect(server, embedded_db.APP_ROLE, "drill")
    with app.cursor() as cur:
        cur.execute("SELECT count(*) FROM staff_user")  # the app may use the copy
        assert cur.fetchone() is not None
        with pytest.raises(psycopg2.Error):
            cur.execute("TRUNCATE audit_auditevent")
    app.close()
