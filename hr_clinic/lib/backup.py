"""Backups with pg_dump's custom format, a manifest, and verified restores.

The archive is made by the server's own pg_dump: the embedded server's when
DATABASE_URL is unset, otherwise the one in PG_BIN_DIR (or on PATH), which must
be the server's major version or newer. Next to `NAME.dump` goes `NAME.json`:
time, schema version (the last applied migration of each app), row counts per
table, the audit chain's head, and the archive's SHA-256. A restore goes only
into an empty database and is then checked against the manifest: the same
tables with the same counts, and an intact audit chain ending in the same head.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess  # nosec B404 - runs pg_dump/pg_restore with argument lists
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
from django.conf import settings
from django.db import connection
from psycopg2 import sql

from audit.verify import verify_chain


class BackupError(Exception):
    """A backup or restore that must not be trusted; the message says why."""


def pg_bin(name: str) -> str:
    """The path of a PostgreSQL client program that matches the server."""
    if not os.environ.get("DATABASE_URL"):
        from pgserver._commands import POSTGRES_BIN_PATH  # type: ignore[attr-defined]

        return str(Path(POSTGRES_BIN_PATH) / name)
    folder = os.environ.get("PG_BIN_DIR")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: set PG_BIN_DIR to the server's binaries")
    return found


def _conninfo(database: str | None = None) -> dict[str, str]:
    db = settings.DATABASES["default"]
    params = {
        "dbname": database or str(db["NAME"]),
        "user": str(db.get("USER") or ""),
        "password": str(db.get("PASSWORD") or ""),
        "host": str(db.get("HOST") or ""),
        "port": str(db.get("PORT") or ""),
    }
    return {key: value for key, value in params.items() if value}


def _env(params: dict[str, str]) -> dict[str, str]:
    """libpq environment for the client programs (keeps the password off the
    command line, where other local users could read it)."""
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
    }
    return {**os.environ, **{names[key]: value for key, value in params.items()}}


def _connect(database: str | None = None) -> Any:
    return psycopg2.connect(**_conninfo(database))


def table_counts(conn: Any) -> dict[str, int]:
    """Row counts of every table in the public schema."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            )
            counts[table] = cursor.fetchone()[0]
    return counts


def schema_version(conn: Any) -> dict[str, str]:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app"
        )
        return dict(cursor.fetchall())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Backup:
    archive: Path
    manifest: Path
    tables: int
    rows: int


def backup(*, folder: Path, stamp: datetime.datetime | None = None) -> Backup:
    """Dump the configured database into `folder`; return where it went.

    The manifest's counts and the audit head are read in the same snapshot as
    the dump (pg_dump --snapshot), so they describe exactly what was archived."""
    stamp = stamp or datetime.datetime.now(datetime.UTC)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"hr_clinic-{stamp:%Y%m%dT%H%M%SZ}"
    archive, manifest = folder / f"{name}.dump", folder / f"{name}.json"
    params = _conninfo()
    conn = _connect()
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        result = subprocess.run(  # nosec B603 - fixed program, argument list
            [
                pg_bin("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={archive}",
            ],
            env=_env(params),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        counts = table_counts(conn)
        head = verify_chain(conn)
        version = schema_version(conn)
    finally:
        conn.rollback()
        conn.close()
    if head.first_break is not None:
        raise BackupError(
            f"the audit chain is broken at seq {head.first_break.seq}; "
            "the archive was written but must be investigated"
        )
    data = {
        "created_at": stamp.isoformat(),
        "archive": archive.name,
        "sha256": _sha256(archive),
        "schema_version": version,
        "tables": counts,
        "audit_chain_head": {"events": head.rows, "hash": head.head},
    }
    manifest.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return Backup(archive, manifest, len(counts), sum(counts.values()))


def _is_empty(database: str) -> bool:
    conn = _connect(database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            return cursor.fetchone()[0] == 0
    finally:
        conn.close()


def _create_database(database: str) -> None:
    conn = _connect("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
                )
    finally:
        conn.close()


@dataclass(frozen=True)
class Restored:
    database: str
    tables: int
    rows: int
    audit_events: int


def restore(*, archive: Path, database: str) -> Restored:
    """Restore `archive` into `database` (created if missing; must be empty),
    then check it against the manifest beside the archive. Raises BackupError
    when anything differs: the restored copy is then not to be trusted."""
    manifest_path = archive.with_suffix(".json")
    if not manifest_path.exists():
        raise BackupError(f"no manifest beside the archive ({manifest_path.name})")
    manifest = json.loads(manifest_path.read_text())
    if _sha256(archive) != manifest["sha256"]:
        raise BackupError("the archive does not match its manifest's SHA-256")
    _create_database(database)
    if not _is_empty(database):
        raise BackupError(f"database {database} is not empty; restore into a new one")
    result = subprocess.run(  # nosec B603 - fixed program, argument list
        [
            pg_bin("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={database}",
            str(archive),
        ],
        env=_env(_conninfo(database)),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    conn = _connect(database)
    try:
        counts = table_counts(conn)
        chain = verify_chain(conn)
    finally:
        conn.close()
    if counts != manifest["tables"]:
        differ = sorted(
            table
            for table in set(counts) | set(manifest["tables"])
            if counts.get(table) != manifest["tables"].get(table)
        )
        raise BackupError(f"row counts differ from the manifest: {', '.join(differ)}")
    if chain.first_break is not None:
        raise BackupError(
            f"the restored audit chain breaks at seq {chain.first_break.seq}"
        )
    if chain.head != manifest["audit_chain_head"]["hash"]:
        raise BackupError(
            "the restored audit chain does not end in the manifest's head"
        )
    return Restored(database, len(counts), sum(counts.values()), chain.rows)


def current_database() -> str:
    return str(connection.settings_dict["NAME"])
