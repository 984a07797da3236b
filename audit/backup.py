"""Backups with pg_dump's custom format, a manifest, and verified restores.

Both connect exactly as Django does (`connection.get_connection_params()`: a
socket folder given as ?host=, sslmode and every other OPTIONS entry), and run a
pg_dump/pg_restore that can work with the server: PG_BIN_DIR's if set,
otherwise the embedded server's own or the system's, of the server's major
version or newer. Next to `NAME.dump` goes `NAME.json`: time, schema version
(the last applied migration of each app), row counts per table, the audit
chain's head, and the archive's SHA-256. Both files are readable by their owner
only. Signed-in sessions are never archived (nor restored from an older
archive). A restore goes only into an empty database and is then checked
against the manifest: the same tables with the same counts, and an intact audit
chain ending in the same head.

With BACKUP_KEY set, the archive is encrypted as pg_dump writes it (never on
disk in the clear; hr_clinic/lib/sealed.py: AES-256-GCM in 1 MiB chunks, key
from BACKUP_KEY by scrypt with a salt per file); the manifest stays readable
(counts, the audit head, no clinical data) and says so. A restore opens it with
the same BACKUP_KEY: the whole file is authenticated first (a wrong key or a
changed file stops there, before anything is restored), then decrypted into a
private temporary folder beside the archive for pg_restore, and removed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess  # nosec B404 - runs pg_dump/pg_restore with argument lists
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
from django.conf import settings
from django.db import connection
from psycopg2 import sql
from psycopg2.extensions import make_dsn

from audit.verify import verify_chain
from hr_clinic.lib.sealed import (
    SealError,
    decrypt_stream,
    encrypt_stream,
    is_encrypted_file,
)


class BackupError(Exception):
    """A backup or restore that must not be trusted; the message says why."""


# What a backup leaves out: signed-in sessions. Restoring them would sign back
# in everyone who had signed out or timed out since (the table's rows are
# counted as 0 in the manifest, and its schema is kept).
EXCLUDED_DATA = ("django_session",)

# Keys of Django's connection parameters that are Python objects for the
# driver, not libpq settings.
_DRIVER_ONLY = {"cursor_factory", "context", "prepare_threshold"}


def _candidates(name: str) -> list[str]:
    folder = os.environ.get("PG_BIN_DIR")
    if folder:
        return [str(Path(folder) / name)]
    found = []
    try:
        with warnings.catch_warnings():
            # platformdirs warns on import when XDG_RUNTIME_DIR is unset (CI).
            warnings.simplefilter("ignore")
            from pgserver._commands import (  # type: ignore[attr-defined]
                POSTGRES_BIN_PATH,
            )
    except ImportError:
        pass  # production: no embedded server, the system's client programs
    else:
        found.append(str(Path(POSTGRES_BIN_PATH) / name))
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    return found


def _major_version(program: str) -> int | None:
    """The major version a client program reports, None if it does not run."""
    try:
        result = subprocess.run(  # nosec B603 - fixed program, argument list
            [program, "--version"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    words = result.stdout.split()
    if result.returncode != 0 or not words:
        return None
    version = words[-1] if words[-1][:1].isdigit() else words[2]
    return int(version.split(".")[0]) if version.split(".")[0].isdigit() else None


def pg_bin(name: str, server_major: int) -> str:
    """The path of a PostgreSQL client program that can work with a server of
    major version `server_major`: the one in PG_BIN_DIR if set, otherwise the
    same major version (the embedded server's own programs, or the system's),
    else the oldest newer one. pg_dump refuses a newer server than itself."""
    usable = []
    for program in _candidates(name):
        major = _major_version(program)
        if major is not None and major >= server_major:
            usable.append((major != server_major, major, program))
    if not usable:
        raise BackupError(
            f"no {name} for PostgreSQL {server_major} or newer: set PG_BIN_DIR "
            "to the server's binaries"
        )
    return min(usable)[2]


def conninfo(database: str | None = None) -> dict[str, Any]:
    """libpq parameters for the configured database (or `database` on the same
    server), from Django's own: every OPTIONS entry (a socket folder given as
    ?host=, sslmode, certificates, a service) as Django itself connects."""
    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if key not in _DRIVER_ONLY and value not in (None, "")
    }
    if database:
        params["dbname"] = database
    return params


def _client_args(params: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The `--dbname=` argument and environment for pg_dump/pg_restore: every
    parameter in a connection string, except the password, which goes in the
    environment (a command line can be read by other local users)."""
    visible = {key: value for key, value in params.items() if key != "password"}
    env = dict(os.environ)
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return [f"--dbname={make_dsn(**visible)}"], env


def connect(database: str | None = None) -> Any:
    """A new psycopg2 connection to the configured database (or `database` on
    the same server)."""
    return psycopg2.connect(**conninfo(database))


def table_counts(conn: Any, *, excluded: tuple[str, ...] = ()) -> dict[str, int]:
    """Row counts of every table in the public schema; the `excluded` tables
    (whose data a backup leaves out) count 0."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            if table in excluded:
                counts[table] = 0
                continue
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


def _private_file(path: Path) -> int:
    """A new file at `path` that only its owner may read (0600): an archive
    holds every clinical record. Never overwrites one."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise BackupError(f"{path} exists already; nothing was overwritten") from exc


# What the manifest says of an encrypted archive (the details are in its header).
ENCRYPTION = {"cipher": "AES-256-GCM, 1 MiB chunks", "key": "scrypt(BACKUP_KEY)"}


def _dump(command: list[str], env: dict[str, str], out: Any) -> str:
    """Run pg_dump into `out`, through the cipher when BACKUP_KEY is set (the
    clear archive only ever passes through this process's memory). Returns
    pg_dump's error output when it failed, "" otherwise."""
    with tempfile.TemporaryFile() as errors:
        if not settings.BACKUP_KEY:
            done = subprocess.run(  # nosec B603 - fixed program, argument list
                command, env=env, stdout=out, stderr=errors, check=False
            )
            code = done.returncode
        else:
            with subprocess.Popen(  # nosec B603 - fixed program, argument list
                command, env=env, stdout=subprocess.PIPE, stderr=errors
            ) as dump:
                stdout = dump.stdout
                assert stdout is not None
                try:
                    pieces = iter(lambda: stdout.read(CHUNK_READ), b"")
                    for piece in encrypt_stream(settings.BACKUP_KEY, pieces):
                        out.write(piece)
                except BaseException:
                    dump.kill()  # else it waits forever on a full pipe
                    raise
            code = dump.returncode
        errors.seek(0)
        return errors.read().decode(errors="replace").strip() if code else ""


CHUNK_READ = 1 << 20


def backup(*, folder: Path, stamp: datetime.datetime | None = None) -> Backup:
    """Dump the configured database into `folder`; return where it went. The
    archive and manifest are readable by their owner only (0600); signed-in
    sessions are left out (EXCLUDED_DATA).

    The manifest's counts and the audit head are read in the same snapshot as
    the dump (pg_dump --snapshot), so they describe exactly what was archived."""
    stamp = stamp or datetime.datetime.now(datetime.UTC)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"hr_clinic-{stamp:%Y%m%dT%H%M%SZ}"
    archive, manifest = folder / f"{name}.dump", folder / f"{name}.json"
    dbname, env = _client_args(conninfo())
    conn = connect()
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        program = pg_bin("pg_dump", int(conn.server_version) // 10000)
        excluded = [f"--exclude-table-data={table}" for table in EXCLUDED_DATA]
        command = [program, "--format=custom", f"--snapshot={snapshot}"]
        with os.fdopen(_private_file(archive), "wb") as out:
            failure = _dump([*command, *excluded, *dbname], env, out)
        if failure:
            raise BackupError(f"pg_dump failed: {failure}")
        counts = table_counts(conn, excluded=EXCLUDED_DATA)
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
        "encryption": ENCRYPTION if settings.BACKUP_KEY else None,
        "sha256": _sha256(archive),
        "schema_version": version,
        "tables": counts,
        # Also the head `verify_audit --manifest` checks the live trail against.
        "audit_chain_head": {
            "events": head.rows,
            "seq": head.last_seq,
            "hash": head.head,
        },
    }
    with os.fdopen(_private_file(manifest), "w") as out:
        out.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return Backup(archive, manifest, len(counts), sum(counts.values()))


def _is_empty(database: str) -> bool:
    conn = connect(database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            return cursor.fetchone()[0] == 0
    finally:
        conn.close()


def _create_database(database: str) -> int:
    """Create `database` if missing; return the server's major version."""
    conn = connect("postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
                )
        return int(conn.server_version) // 10000
    finally:
        conn.close()


def _clear_excluded(conn: Any) -> None:
    """Empty the EXCLUDED_DATA tables of a restored database: an archive made
    before they were left out still holds their rows (sessions that ended)."""
    with conn.cursor() as cursor:
        for table in EXCLUDED_DATA:
            cursor.execute("SELECT to_regclass(%s)", [f"public.{table}"])
            if cursor.fetchone()[0] is not None:
                cursor.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))
    conn.commit()


def _check_key(archive: Path) -> None:
    """Authenticate the whole encrypted archive with BACKUP_KEY before anything
    is restored: a wrong key or a changed file is a clear error here."""
    if not settings.BACKUP_KEY:
        raise BackupError("the archive is encrypted: set BACKUP_KEY to restore it")
    try:
        with archive.open("rb") as handle:
            for _ in decrypt_stream(settings.BACKUP_KEY, handle):
                pass
    except SealError as exc:
        raise BackupError(str(exc)) from exc


def _opened(archive: Path, folder: Path) -> Path:
    """The archive decrypted into `folder` (made 0700 by TemporaryDirectory;
    the file 0600), for pg_restore, which needs a file it can seek in."""
    clear = folder / archive.name
    try:
        with archive.open("rb") as source, os.fdopen(_private_file(clear), "wb") as out:
            for block in decrypt_stream(settings.BACKUP_KEY, source):
                out.write(block)
    except SealError as exc:
        raise BackupError(str(exc)) from exc
    return clear


def _grant_to_app_role(database: str) -> None:
    """The restored tables are the restoring role's (the owner's: `restore`
    connects as the owner); the app role gets its privileges as migrate gave
    them (migration audit `app_role_grants`), since --no-privileges leaves the
    archive's grants out (its roles may not exist on a drill server)."""
    from importlib import import_module

    grants = import_module("audit.migrations.0011_app_role_grants")
    # Later append-only tables (issue #19) take back what the grant gave.
    counseling = import_module("audit.migrations.0012_counseling_note_grants")
    consents = import_module("audit.migrations.0014_consents_app_role_grants")
    # And the amendment tables (issue #20).
    amendments = import_module("audit.migrations.0015_records_app_role_grants")
    # And the appointment tables, never deleted (issue #21).
    appointments = import_module("audit.migrations.0016_appointments_app_role_grants")
    # And the reach-out attempts (issue #21).
    attempts = import_module("audit.migrations.0017_contact_attempt_app_role_grants")
    # And follow-ups, never deleted (issue #21).
    follow_ups = import_module("audit.migrations.0018_follow_up_grants")
    # And the measure tables, append-only (issue #22).
    measures = import_module("audit.migrations.0019_measures_app_role_grants")
    # And check-ins and "What I want", kept whole (issue #22).
    kept = import_module("audit.migrations.0021_checkin_and_wants_grants")
    # And what the program figures are counted from, never deleted (issue #23).
    figures = import_module("audit.migrations.0022_reports_grants")
    # And the group tables, never deleted (issue #24).
    groups = import_module("audit.migrations.0023_groups_app_role_grants")
    conn = connect(database)
    try:
        with conn, conn.cursor() as cursor:
            grants.apply(cursor, grants.GRANT)
            cursor.execute(
                sql.SQL(counseling.REVOKE).format(
                    role=sql.Identifier(settings.DATABASE_APP_ROLE),
                    notes=sql.Identifier(counseling.NOTES),
                    revisions=sql.Identifier(counseling.REVISIONS),
                )
            )
            consents.apply(cursor)
            amendments.apply(cursor)
            appointments.apply(cursor)
            attempts.apply(cursor)
            follow_ups.apply(cursor)
            measures.apply(cursor)
            kept.apply(cursor)
            figures.apply(cursor)
            groups.apply(cursor)
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
    with archive.open("rb") as handle:
        encrypted = is_encrypted_file(handle.read(len(b"HRCENC1\n")))
    if encrypted:
        _check_key(archive)
    server_major = _create_database(database)
    if not _is_empty(database):
        raise BackupError(f"database {database} is not empty; restore into a new one")
    dbname, env = _client_args(conninfo(database))
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".restore-") as tmp:
        readable = _opened(archive, Path(tmp)) if encrypted else archive
        result = subprocess.run(  # nosec B603 - fixed program, argument list
            [
                pg_bin("pg_restore", server_major),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *dbname,
                str(readable),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    _grant_to_app_role(database)
    conn = connect(database)
    try:
        _clear_excluded(conn)
        counts = table_counts(conn)
        chain = verify_chain(conn)
    finally:
        conn.close()
    # An archive made before sessions were left out still lists their count.
    expected = {
        table: 0 if table in EXCLUDED_DATA else count
        for table, count in manifest["tables"].items()
    }
    if counts != expected:
        differ = sorted(
            table
            for table in set(counts) | set(expected)
            if counts.get(table) != expected.get(table)
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
