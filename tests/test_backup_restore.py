"""A backup of the demo data restores into an empty database with identical rows
and an intact audit chain; backup and restore connect as Django does (a socket
folder given in the URL), write files only their owner can read, and never
carry signed-in sessions."""

from __future__ import annotations

import json
import stat
import subprocess  # nosec B404 - pg_restore, to read an archive back
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from psycopg2 import sql

from audit.backup import connect, pg_bin
from clients.models import Client
from staff.models import User
from tests.factories import ClientFactory
from tests.signin import signed_in


def _table_digests(conn: Any) -> dict[str, tuple[int, str]]:
    """Every public table: its row count and an MD5 of all its rows, in order."""
    digests = {}
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' "
                    "ORDER BY t::text), '')) FROM {} t"
                ).format(sql.Identifier(table))
            )
            digests[table] = cursor.fetchone()
    return digests


pytestmark = pytest.mark.slow  # pg_dump and pg_restore, on committed data


def test_backup_of_the_demo_restores_identically(
    committed_db: None, tmp_path: Path, restore_target: str
) -> None:
    call_command("seed_demo", stdout=StringIO())
    clinician = User.objects.get(username="clinician")
    http: HttpClient = signed_in(clinician)
    client = Client.objects.filter(clinician=clinician).first()
    assert client is not None
    http.get(reverse("clients:detail", args=[client.pk]))  # audit events to chain

    out = StringIO()
    call_command("backup", "--folder", str(tmp_path), stdout=out)
    archive = next(tmp_path.glob("*.dump"))
    manifest = json.loads(archive.with_suffix(".json").read_text())
    assert manifest["tables"]["therapy_sessions_therapysession"] > 100
    assert manifest["audit_chain_head"]["events"] >= 2
    assert manifest["schema_version"]["therapy_sessions"].startswith("00")

    call_command("restore", str(archive), "--database", restore_target, stdout=out)
    assert "audit chain" in out.getvalue()

    source = _table_digests(connection)
    restored_conn = connect(restore_target)
    try:
        restored = _table_digests(restored_conn)
    finally:
        restored_conn.close()
    # Everything but the signed-in sessions, which a backup leaves out.
    assert source.pop("django_session")[0] >= 1
    assert restored.pop("django_session")[0] == 0
    assert restored == source

    # A second restore into the same (now full) database is refused.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), "--database", restore_target)


def test_a_tampered_archive_is_refused(
    committed_db: None, tmp_path: Path, restore_target: str
) -> None:
    call_command("backup", "--folder", str(tmp_path), stdout=StringIO())
    archive = next(tmp_path.glob("*.dump"))
    with archive.open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(archive), "--database", restore_target)


def _count(database: str, table: str, where: str = "true", *args: Any) -> int:
    conn = connect(database)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                sql.SQL("SELECT count(*) FROM {} WHERE " + where).format(
                    sql.Identifier(table)
                ),
                args,
            )
            return int(cursor.fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def socket_folder_url() -> Iterator[str]:
    """The configured database reached as embedded_db.database_url writes it,
    `postgres://user@/name?host=/socket/folder&port=N`: no HOST, the folder in
    OPTIONS. Django connects through it; so must backup and restore."""
    params = connection.get_connection_params()
    folder = str(params.get("host") or "")
    if not folder.startswith("/"):
        pytest.skip("the test server is reached over TCP, not a socket folder")
    url = (
        f"postgres://{params['user']}@/{params['dbname']}"
        f"?host={folder}&port={params.get('port') or 5432}"
    )
    parsed = dj_database_url.parse(url)
    assert not parsed["HOST"] and parsed["OPTIONS"]["host"] == folder
    settings_dict = connection.settings_dict
    saved = (settings_dict["HOST"], settings_dict["PORT"], settings_dict["OPTIONS"])
    settings_dict["HOST"], settings_dict["PORT"] = parsed["HOST"], parsed["PORT"]
    settings_dict["OPTIONS"] = parsed["OPTIONS"]
    try:
        yield url
    finally:
        settings_dict["HOST"], settings_dict["PORT"], settings_dict["OPTIONS"] = saved


def test_backup_and_restore_connect_through_a_socket_folder_url(
    committed_db: None,
    tmp_path: Path,
    restore_target: str,
    socket_folder_url: str,
    clinician: User,
) -> None:
    marker = ClientFactory.create(clinician=clinician, chosen_name="Socket Marker")
    call_command("backup", "--folder", str(tmp_path), stdout=StringIO())
    archive = next(tmp_path.glob("*.dump"))
    manifest = json.loads(archive.with_suffix(".json").read_text())
    assert manifest["tables"]["clients_client"] == Client.objects.count()
    call_command(
        "restore", str(archive), "--database", restore_target, stdout=StringIO()
    )
    # The archive came from this test database, on this server.
    assert _count(restore_target, "clients_client", "id = %s", marker.pk) == 1


def test_backup_files_are_readable_by_their_owner_only(
    committed_db: None, tmp_path: Path
) -> None:
    folder = tmp_path / "new"
    call_command("backup", "--folder", str(folder), stdout=StringIO())
    archive = next(folder.glob("*.dump"))
    for path in (archive, archive.with_suffix(".json")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_backup_holds_no_sessions_and_a_restore_brings_none_back(
    committed_db: None, tmp_path: Path, restore_target: str, clinician: User
) -> None:
    http = signed_in(clinician)
    key = http.session.session_key
    assert key and _count(connection.settings_dict["NAME"], "django_session") >= 1

    call_command("backup", "--folder", str(tmp_path), stdout=StringIO())
    archive = next(tmp_path.glob("*.dump"))
    manifest = json.loads(archive.with_suffix(".json").read_text())
    assert manifest["tables"]["django_session"] == 0
    with connect() as conn:
        server_major = int(conn.server_version) // 10000
    conn.close()
    text = subprocess.run(  # nosec B603 - fixed program, argument list
        [pg_bin("pg_restore", server_major), "--file=-", str(archive)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "django_session" in text  # the table is there (empty) ...
    assert key not in text  # ... and no session is in the archive

    call_command(
        "restore", str(archive), "--database", restore_target, stdout=StringIO()
    )
    assert _count(restore_target, "django_session") == 0
    # The backup ended nobody's session on the live database.
    assert http.get(reverse("clients:list")).status_code == 200


def test_verify_against_a_backups_manifest_finds_rows_cut_from_the_end(
    committed_db: None, tmp_path: Path, admin_user: User
) -> None:
    http: HttpClient = signed_in(admin_user)
    for _ in range(3):
        http.get(reverse("audit:report"))  # audit events to chain
    call_command("backup", "--folder", str(tmp_path), stdout=StringIO())
    manifest_path = next(tmp_path.glob("*.json"))
    head = json.loads(manifest_path.read_text())["audit_chain_head"]
    assert head["seq"] == head["events"] >= 3
    out = StringIO()
    call_command("verify_audit", "--manifest", str(manifest_path), stdout=out)
    assert f"the backup manifest {manifest_path.name} recorded" in out.getvalue()
    with connection.cursor() as cursor:
        # Only the table's owner can: lift the guard and cut the last two rows.
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [head["seq"] - 2])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    with pytest.raises(
        CommandError,
        match=f"rows {head['seq'] - 1}–{head['seq']} are missing from the end.*"
        f"{manifest_path.name}",
    ):
        call_command("verify_audit", "--manifest", str(manifest_path))
