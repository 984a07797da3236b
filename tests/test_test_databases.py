"""Two test runs at once (two terminals, CI beside a developer) must not share a
test database: each pytest process gets its own, and stale ones are dropped."""

from __future__ import annotations

import os
import uuid

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from hr_clinic.lib.backup import conninfo
from tests.conftest import TEST_DB_PREFIX, _drop_stale_test_databases


@pytest.mark.django_db
def test_the_test_database_is_named_after_this_process() -> None:
    assert connection.settings_dict["NAME"].startswith(f"{TEST_DB_PREFIX}{os.getpid()}")


@pytest.mark.django_db
def test_a_dead_runs_database_is_dropped() -> None:
    dead_pid = 2**22 + 12345  # above Linux's pid_max default: never alive
    name = f"{TEST_DB_PREFIX}{dead_pid}_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(**conninfo("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    _drop_stale_test_databases()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
        assert cur.fetchone() == (0,)
    conn.close()
