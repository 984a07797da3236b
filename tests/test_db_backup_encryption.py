"""Backups encrypted with BACKUP_KEY (issue #18, part 4): the archive on disk is
unreadable without the key (even to pg_restore), still mode 0600; restore opens
it with the key and checks it as before; a wrong or missing key is a clear
error before anything is restored; a cut or changed file is refused; and the
restored copy gives the app role its privileges."""

from __future__ import annotations

import io
import json
import stat
import subprocess  # nosec B404 - pg_restore, to show it cannot read the archive
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from psycopg2 import sql

from audit.backup import connect, pg_bin
from hr_clinic.lib.sealed import CHUNK, MAGIC, SealError, decrypt_stream, encrypt_stream
from staff.models import User
from tests.factories import ClientFactory

KEY = "a-backup-passphrase-for-the-tests-only-0123"


def _roundtrip(data: bytes, passphrase: str = KEY) -> bytes:
    sealed = b"".join(
        encrypt_stream(
            KEY, [data[i : i + 777] for i in range(0, len(data), 777)] or [b""]
        )
    )
    return b"".join(decrypt_stream(passphrase, io.BytesIO(sealed)))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5])
def test_files_come_back_whole(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    assert _roundtrip(data) == data


def test_a_wrong_key_a_cut_or_a_changed_file_is_refused() -> None:
    data = b"y" * (2 * CHUNK + 10)
    sealed = b"".join(encrypt_stream(KEY, [data]))
    assert sealed.startswith(MAGIC) and b"yyyy" not in sealed
    with pytest.raises(SealError, match="BACKUP_KEY does not open"):
        _roundtrip(data, passphrase="another-passphrase-of-enough-length-99")
    header = len(sealed) - (len(data) + 3 * 16)
    cut_at_a_chunk = sealed[: header + CHUNK + 16]  # the rest of the file lost
    changed = bytearray(sealed)
    changed[-20] ^= 1
    for broken in (cut_at_a_chunk, bytes(changed), sealed[:-1]):
        with pytest.raises(SealError):
            b"".join(decrypt_stream(KEY, io.BytesIO(broken)))


def _exists(database: str) -> bool:
    conn = connect("postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            return cursor.fetchone() is not None
    finally:
        conn.close()


@pytest.mark.slow
def test_an_encrypted_backup_restores_with_its_key_only(
    committed_db: None,
    tmp_path: Path,
    restore_target: str,
    clinician: User,
    settings: Any,
) -> None:
    marker = ClientFactory.create(clinician=clinician, chosen_name="Sealed Marker")
    settings.BACKUP_KEY = KEY
    call_command("backup", "--folder", str(tmp_path), stdout=StringIO())
    archive = next(tmp_path.glob("*.dump"))
    manifest = json.loads(archive.with_suffix(".json").read_text())
    assert manifest["encryption"]["key"] == "scrypt(BACKUP_KEY)"
    assert archive.read_bytes().startswith(MAGIC)
    for path in (archive, archive.with_suffix(".json")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with connect() as conn:
        major = int(conn.server_version) // 10000
    conn.close()
    listed = subprocess.run(  # nosec B603 - fixed program, argument list
        [pg_bin("pg_restore", major), "--list", str(archive)],
        capture_output=True,
        check=False,
    )
    assert listed.returncode != 0  # not a pg_dump archive without the key

    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="set BACKUP_KEY"):
        call_command("restore", str(archive), "--database", restore_target)
    settings.BACKUP_KEY = "the-wrong-passphrase-but-long-enough-000"
    with pytest.raises(CommandError, match="BACKUP_KEY does not open this archive"):
        call_command("restore", str(archive), "--database", restore_target)
    assert not _exists(restore_target)  # refused before anything was made

    settings.BACKUP_KEY = KEY
    out = StringIO()
    call_command("restore", str(archive), "--database", restore_target, stdout=out)
    assert "audit chain" in out.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        archive.name,
        archive.with_suffix(".json").name,
    ]  # the decrypted copy is gone

    restored = connect(restore_target)
    try:
        with restored.cursor() as cursor:
            cursor.execute(
                sql.SQL("SET ROLE {}").format(
                    sql.Identifier(django_settings.DATABASE_APP_ROLE)
                )
            )
            cursor.execute(
                "SELECT count(*) FROM clients_client WHERE id = %s", [marker.pk]
            )
            assert cursor.fetchone() == (1,)  # the app role may read the copy
        restored.rollback()
    finally:
        restored.close()
