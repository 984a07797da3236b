"""The embedded PostgreSQL used when DATABASE_URL is not set.

A real PostgreSQL server (from the `pgserver` package) runs from `.pgdata/` in the
project folder and listens on a unix socket only. It is started on first use and then
shared by every process (runserver's reloader, gunicorn workers, pytest); it is never
stopped implicitly, because a killed process would otherwise leave it in an unknown
state. `make db-stop` stops it.
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


def _ensure_database(host: str, port: int, name: str) -> None:
    import psycopg2
    from psycopg2 import errors, sql

    conn = psycopg2.connect(dbname="postgres", user=SUPERUSER, host=host, port=port)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                try:
                    cur.execute(
                        sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                    )
                except errors.DuplicateDatabase:
                    pass  # another process created it between our check and now
    finally:
        conn.close()


def database_settings(base_dir: Path, conn_max_age: int) -> dict[str, Any]:
    """Start (or join) the embedded server and return Django DATABASES["default"]."""
    pgdata = base_dir / ".pgdata"
    server = _server(pgdata)
    info = server.get_postmaster_info()
    host = str(info.socket_dir)
    port = info.port or 5432
    _ensure_database(host, port, DATABASE_NAME)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": SUPERUSER,
        "PASSWORD": "",
        "HOST": host,
        "PORT": str(port),
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
    }


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


def database_url(base_dir: Path, name: str) -> str:
    """A DATABASE_URL for database `name` on the embedded server (started if
    needed, the database created if missing), e.g. the benchmark's own database,
    so the demo and test databases are never touched."""
    server = _server(base_dir / ".pgdata")
    info = server.get_postmaster_info()
    host = str(info.socket_dir)
    port = info.port or 5432
    _ensure_database(host, port, name)
    return f"postgres://{SUPERUSER}@/{name}?host={host}&port={port}"
