"""Two test runs at once (two terminals, CI beside a developer) must not share a
test database: each pytest process gets its own, and stale ones are dropped."""

from __future__ import annotations

import os
import uuid

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from audit.backup import conninfo
from tests.conftest import (
    TEST_DB_PREFIX,
    _drop_stale_test_databases,
    end_other_sessions,
)


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


@pytest.mark.owner_role
@pytest.mark.django_db
def test_other_sessions_on_the_test_database_are_ended_before_it_is_dropped() -> None:
    # What a live-server thread's kept connection looks like to PostgreSQL.
    straggler = psycopg2.connect(**conninfo(connection.settings_dict["NAME"]))
    assert end_other_sessions(grace_seconds=0) == 1
    with pytest.raises(psycopg2.OperationalError), straggler.cursor() as cur:
        cur.execute("SELECT 1")
    straggler.close()
    # The ended session leaves on its own (within the grace): nothing to end.
    assert end_other_sessions() == 0
