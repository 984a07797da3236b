"""A backup of the demo data restores into an empty database with identical rows
and an intact audit chain."""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from psycopg2 import sql

from clients.models import Client
from hr_clinic.lib.backup import _conninfo
from staff.models import User
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


@pytest.fixture
def restore_target() -> Any:
    name = f"restore_{uuid.uuid4().hex[:12]}"
    yield name
    conn = psycopg2.connect(**_conninfo("postgres"))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
    conn.close()


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
    restored_conn = psycopg2.connect(**_conninfo(restore_target))
    try:
        restored = _table_digests(restored_conn)
    finally:
        restored_conn.close()
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
