"""The embedded PostgreSQL used when DATABASE_URL is not set.

A real PostgreSQL server (from the `pgserver` package) runs from `.pgdata/` in the
project folder and listens on a unix socket only. It is started on first use and then
shared by every process (runserver's reloader, gunicorn workers, pytest); it is never
stopped implicitly, because a killed process would otherwise leave it in an unknown
state. `make db-stop` stops it.

It runs the hardened setup of docs/deployment.md ("The database role") by itself:
two roles, made here on every start if missing, and the app never connects as
either the superuser or the owner of the tables.

- OWNER_ROLE owns the database and its tables and runs `migrate` (settings'
  DATABASE_OWNER; the `migrate` command switches to it). It may create
  databases (pytest's test databases, restore drills).
- APP_ROLE is everything else: runserver, gunicorn, every other command. Not a
  superuser, owns nothing, so it cannot TRUNCATE, ALTER, DISABLE TRIGGER or set
  session_replication_role; its grants come from migration
  audit `app_role_grants` (and default privileges for later tables).

The superuser (`postgres`) only creates the roles and databases.
"""

from __future__ import annotations

import atexit
import json
import os
import warnings
from pathlib import Path
from typing import Any

DATABASE_NAME = "hr_clinic"
SUPERUSER = "postgres"
OWNER_ROLE = "hr_clinic_owner"
APP_ROLE = "hr_clinic_app"
# pgserver's list of the processes using the server. It rewrites the file in
# place (truncate, then write), so a process stopped in between (`make run`
# ended with SIGTERM: runserver exits through atexit in two processes at once)
# leaves it empty, and every later start failed with JSONDecodeError.
HANDLE_PIDS = ".handle_pids.json"


# pgserver keeps its lock file in the per-user runtime folder and warns when
# XDG_RUNTIME_DIR is unset (as on CI); the fallback it picks is fine.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def repair_handle_pids(pgdata: Path) -> bool:
    """Make pgserver's process list readable again if it is empty or corrupt
    (written whole, by rename, so it is never half-written itself). The list
    only matters to pgserver's "stop with the last process" mode, which is not
    used here: the server is stopped by `make db-stop`. Returns whether the
    file had to be repaired."""
    path = pgdata / HANDLE_PIDS
    try:
        pids = json.loads(path.read_text())
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        pids = None
    if isinstance(pids, list) and all(isinstance(pid, int) for pid in pids):
        return False
    spare = path.with_name(f"{HANDLE_PIDS}.{os.getpid()}.tmp")
    spare.write_text("[]")
    os.replace(spare, path)
    return True


def _server(pgdata: Path) -> Any:
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - depends on the install
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DATABASE_URL is not set and the embedded PostgreSQL (the `pgserver` "
            "package, a development dependency) is not installed. Run `make run` "
            "or set DATABASE_URL."
        ) from exc
    if pgdata.exists():
        # Under pgserver's own lock, so no other process is writing the list.
        with pgserver.PostgresServer._lock:
            repair_handle_pids(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    if server not in _guarded:
        # pgserver takes this process off the list at exit; a list emptied by
        # another process meanwhile must not end this one with a traceback.
        atexit.unregister(server._cleanup)
        atexit.register(_leave, server)
        _guarded.add(server)
    return server


_guarded: set[Any] = set()


def _leave(server: Any) -> None:
    """pgserver's exit clean-up (this process off its list), on a list that
    is readable first."""
    try:
        with server._lock:
            repair_handle_pids(server.pgdata)
        server._cleanup()
    except (OSError, ValueError):
        pass  # only pgserver's bookkeeping; the server itself keeps running


def _superuser_connection(host: str, port: int) -> Any:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user=SUPERUSER, host=host, port=port)
    conn.autocommit = True
    return conn


def _ensure_roles(host: str, port: int) -> None:
    """The owner and app roles, made if missing (under an advisory lock: every
    process that starts the server gets here, pytest's workers at once). The
    owner is a member of the app role, so that it (and the test suite, which
    connects as the owner to create its databases) can `SET ROLE` to the app's
    privileges; the app role is a member of nothing."""
    from psycopg2 import sql

    conn = _superuser_connection(host, port)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(hashtext('hr_clinic_roles'))")
            for role, attributes in (
                (OWNER_ROLE, "LOGIN CREATEDB NOSUPERUSER NOCREATEROLE"),
                (APP_ROLE, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"),
            ):
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                verb = "CREATE" if cur.fetchone() is None else "ALTER"
                # ALTER too: a role made earlier without LOGIN (the test suite
                # makes the app role NOLOGIN on a server of its own, and a run
                # pointed at this one before it first started leaves it so)
                # would stop the app connecting.
                cur.execute(
                    sql.SQL(verb + " ROLE {} " + attributes).format(  # nosec B608 - fixed words
                        sql.Identifier(role)
                    )
                )
            cur.execute(
                "SELECT 1 FROM pg_auth_members m"
                " JOIN pg_roles r ON r.oid = m.roleid AND r.rolname = %s"
                " JOIN pg_roles o ON o.oid = m.member AND o.rolname = %s",
                [APP_ROLE, OWNER_ROLE],
            )
            if cur.fetchone() is None:
                cur.execute(
                    sql.SQL("GRANT {} TO {}").format(
                        sql.Identifier(APP_ROLE), sql.Identifier(OWNER_ROLE)
                    )
                )
            cur.execute("SELECT pg_advisory_unlock(hashtext('hr_clinic_roles'))")
    finally:
        conn.close()


# An older .pgdata: the database and everything migrate made there belong to the
# superuser. Handed to the owner role (the tables, their sequences and views, our
# functions; not what an extension brought, nor a sequence that goes with its
# table), so that the app role's grants are the owner's to give.
_HAND_TO_OWNER = r"""
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
           AND pg_get_userbyid(c.relowner) = current_user
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', item.name, '{owner}');
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) = current_user
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', item.name, '{owner}');
    END LOOP;
END;
$$;
"""


def _ensure_database(host: str, port: int, name: str, owner: str = "") -> None:
    """Create database `name` if missing, owned by `owner` (the superuser when
    empty). An existing database owned by the superuser is handed to `owner`,
    with what is in it (an older .pgdata)."""
    import psycopg2
    from psycopg2 import errors, sql

    conn = _superuser_connection(host, port)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                [name],
            )
            row = cur.fetchone()
            if row is None:
                create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                if owner:
                    create += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
                try:
                    cur.execute(create)
                except errors.DuplicateDatabase:
                    pass  # another process created it between our check and now
                return
            if not owner or row[0] == owner:
                return
            cur.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(name), sql.Identifier(owner)
                )
            )
    finally:
        conn.close()
    inside = psycopg2.connect(dbname=name, user=SUPERUSER, host=host, port=port)
    try:
        with inside, inside.cursor() as cur:
            cur.execute(_HAND_TO_OWNER.replace("{owner}", owner))
    finally:
        inside.close()


def _socket(base_dir: Path) -> tuple[str, int]:
    """Start (or join) the server of `base_dir`/.pgdata, with its roles."""
    server = _server(base_dir / ".pgdata")
    info = server.get_postmaster_info()
    host, port = str(info.socket_dir), info.port or 5432
    _ensure_roles(host, port)
    return host, port


def database_settings(base_dir: Path, conn_max_age: int) -> dict[str, Any]:
    """Start (or join) the embedded server and return Django DATABASES["default"]:
    the app role's connection (owner_settings() is the owner's)."""
    host, port = _socket(base_dir)
    _ensure_database(host, port, DATABASE_NAME, owner=OWNER_ROLE)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": APP_ROLE,
        "PASSWORD": "",
        "HOST": host,
        "PORT": str(port),
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
    }


def owner_settings() -> dict[str, Any]:
    """What differs in the owner's connection (settings.DATABASE_OWNER): the
    same server and database, as OWNER_ROLE (peer/trust on the local socket)."""
    return {"USER": OWNER_ROLE, "PASSWORD": ""}


def stop(base_dir: Path) -> bool:
    """Stop the embedded server if it runs. Returns whether one was stopped.
    Also mends pgserver's process list (repair_handle_pids), so that the next
    start finds it readable."""
    import subprocess

    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

    pgdata = base_dir / ".pgdata"
    if pgdata.exists():
        import pgserver

        with pgserver.PostgresServer._lock:
            repair_handle_pids(pgdata)
    if not (pgdata / "postmaster.pid").exists():
        return False
    # pgserver runs the server as its own system user when started by root.
    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        return False  # a stale pid file: nothing was running
    return True


def database_url(base_dir: Path, name: str, role: str = SUPERUSER) -> str:
    """A DATABASE_URL for database `name` on the embedded server (started if
    needed, the database created if missing), e.g. the benchmark's own database,
    so the demo and test databases are never touched. As the superuser unless
    `role` says otherwise (the benchmark's bulk load bypasses the triggers, which
    only a superuser may)."""
    host, port = _socket(base_dir)
    _ensure_database(host, port, name, owner="" if role == SUPERUSER else OWNER_ROLE)
    return f"postgres://{role}@/{name}?host={host}&port={port}"
