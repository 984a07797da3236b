from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from django.db import connection, connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.test import Client as HttpClient
from django_webtest import DjangoTestApp

from audit.backup import conninfo
from clients.models import Client
from staff.models import User
from tests.db_roles import become_app_role, switch_truncate_guards
from tests.factories import (
    AdminFactory,
    ClientFactory,
    ClinicianFactory,
    SupervisorFactory,
)
from tests.signin import signed_in
from tests.urlwalk import post_routes_file
from tests.web import SUBMISSIONS_DIR, open_app, sign_in

TEST_DB_PREFIX = "test_hr_clinic_pid"


def pytest_configure(config: pytest.Config) -> None:
    """The controller (not an xdist worker) gives every process one folder to
    note the routes its browser-like form submissions reached (tests/web.py);
    workers inherit it through the environment."""
    if hasattr(config, "workerinput") or os.environ.get(SUBMISSIONS_DIR):
        return
    os.environ[SUBMISSIONS_DIR] = tempfile.mkdtemp(prefix="hr-clinic-forms-")


def _whole_run(config: pytest.Config) -> bool:
    option = config.option
    return (
        config.args_source == pytest.Config.ArgsSource.TESTPATHS
        and not option.keyword
        and not option.markexpr
        and not getattr(option, "lf", False)
        and not getattr(option, "deselect", None)
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After a whole run: every route that accepts a POST (found by
    tests/test_post_routes.py) was submitted at least once as a browser does,
    from its rendered form with CSRF checks on; else the run fails, naming them."""
    config = session.config
    folder = os.environ.get(SUBMISSIONS_DIR)
    if hasattr(config, "workerinput") or not folder:
        return
    routes_file = Path(post_routes_file(folder))
    if _whole_run(config) and routes_file.exists() and exitstatus == 0:
        submitted = {
            line.strip()
            for log in Path(folder).glob("*.txt")
            for line in log.read_text().splitlines()
        }
        missing = sorted(set(json.loads(routes_file.read_text())) - submitted)
        if missing:
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            message = (
                "These routes accept a POST but no test submits their form as "
                "rendered, with CSRF checks on (tests/web.py): " + ", ".join(missing)
            )
            if reporter is not None:
                reporter.write_line(message, red=True, bold=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    shutil.rmtree(folder, ignore_errors=True)


def _drop_stale_test_databases() -> None:
    """Drop test databases left by runs whose process is gone (killed, crashed).
    Connects as Django does (every part of DATABASE_URL, a socket folder given
    as ?host= too), to the maintenance database."""
    import psycopg2
    from psycopg2 import sql

    try:
        conn = psycopg2.connect(**conninfo("postgres"))
    except psycopg2.Error:
        return  # no rights on the maintenance database: nothing to tidy
    conn.autocommit = True  # DROP DATABASE cannot run in a transaction block
    with conn.cursor() as cur:
        cur.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [TEST_DB_PREFIX + "%"],
        )
        for (name,) in cur.fetchall():
            pid_part = name.removeprefix(TEST_DB_PREFIX).split("_", 1)[0]
            if pid_part.isdigit() and not psutil.pid_exists(int(pid_part)):
                try:
                    cur.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )
                except psycopg2.errors.InsufficientPrivilege:
                    pass  # made by another role (the superuser, before #18)
    conn.close()


def _ensure_app_role(role: str) -> None:
    """The app role must exist before the test databases are migrated (its
    grants are given then). The embedded server makes it; on another server
    (DATABASE_URL of a superuser or a role that may create roles) it is made
    here, without LOGIN: tests only `SET ROLE` to it."""
    import psycopg2
    from psycopg2 import errors, sql

    conn = psycopg2.connect(**conninfo("postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cur.fetchone() is None:
                try:
                    cur.execute(
                        sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role))
                    )
                except (errors.DuplicateObject, errors.UniqueViolation):
                    pass  # another worker made it meanwhile
    finally:
        conn.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """Give every pytest process its own test database.

    Two runs at once (two terminals, or CI next to a developer) would otherwise
    fight over one `test_hr_clinic`. The process id makes the name unique per
    run, and the xdist worker name per worker.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    # pytest-django creates and migrates the test databases: the owner's work
    # (the app role may create nothing). Tests that prove the database rules
    # switch to the app role (tests/db_roles.py).
    for key, value in settings.DATABASE_OWNER.items():
        db[key] = {**db.get("OPTIONS", {}), **value} if key == "OPTIONS" else value
    _ensure_app_role(settings.DATABASE_APP_ROLE)
    _drop_stale_test_databases()
    test = db.setdefault("TEST", {})
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    test["NAME"] = f"{TEST_DB_PREFIX}{os.getpid()}" + (f"_{worker}" if worker else "")


# How long the other sessions on a test database get to end on their own before
# it is dropped (the live server's threads close theirs as the browser hangs up).
OTHER_SESSIONS_GRACE_SECONDS = 5.0


def end_other_sessions(grace_seconds: float = OTHER_SESSIONS_GRACE_SECONDS) -> int:
    """End every other client session on this process's test database: wait up
    to `grace_seconds` for them to close, then terminate what is left (a request
    still in flight in the live server, a thread's forgotten connection).
    Returns how many had to be terminated. Without this, Django's DROP DATABASE
    fails ("being accessed by other users"), pytest-django only warns, and the
    database is left behind."""
    query = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    deadline = time.monotonic() + grace_seconds
    with connection.cursor() as cursor:
        while True:
            # Inside a transaction PostgreSQL keeps showing the same snapshot.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(query)
            pids = [pid for (pid,) in cursor.fetchall()]
            if not pids or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    return len(pids)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test databases; before they are dropped, every other
    session on them is ended (end_other_sessions), so that the drop succeeds.
    Session fixtures that hold connections (the browser tests' live server)
    depend on this one, so they are torn down first."""
    yield
    with django_db_blocker.unblock():
        end_other_sessions()


@pytest.fixture(autouse=True)
def _as_the_app_role(request: pytest.FixtureRequest) -> None:
    """Every test on a rolled-back database runs as the role the app runs as
    in production (tests/db_roles.py): what the app does must work with the
    app role's privileges, not the owner's. A test that sets up what only the
    owner may (switching a trigger off to forge a row) is marked
    `owner_role`. Transactional tests (live server, pg_dump) stay the owner:
    their flush empties the tables."""
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if request.node.get_closest_marker("owner_role"):
        return
    if {"transactional_db", "live_server", "committed_db"} & set(names) or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        return
    if "db" in names:
        request.getfixturevalue("db")
    elif marker is not None:
        request.getfixturevalue("_django_db_helper")
    else:
        return
    become_app_role()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _record_exports_in_the_request(settings: Any) -> None:
    """A record's PDF is made in the request, inside the test's transaction
    (records.jobs); tests/test_records_copy.py runs the thread for real."""
    settings.RECORD_EXPORT_INLINE = True


@pytest.fixture
def clinician(db: None) -> User:
    supervisor = SupervisorFactory.create(username="supervisor")
    return ClinicianFactory.create(username="clinician", supervisor=supervisor)


@pytest.fixture
def supervisor(clinician: User) -> User:
    assert clinician.supervisor is not None
    return clinician.supervisor


@pytest.fixture
def outsider(db: None) -> User:
    """A clinician on another team, who must never see `clinician`'s records."""
    other_supervisor = SupervisorFactory.create(username="supervisor2")
    return ClinicianFactory.create(username="outsider", supervisor=other_supervisor)


@pytest.fixture
def other_supervisor(outsider: User) -> User:
    assert outsider.supervisor is not None
    return outsider.supervisor


@pytest.fixture
def admin_user(db: None) -> User:
    return AdminFactory.create(username="admin")


def _logged_in(user: User) -> HttpClient:
    """Signed in with both factors (see tests/signin.py): MFA stays on in tests."""
    return signed_in(user)


@pytest.fixture
def as_clinician(clinician: User) -> Iterator[HttpClient]:
    yield _logged_in(clinician)


@pytest.fixture
def as_outsider(outsider: User) -> Iterator[HttpClient]:
    yield _logged_in(outsider)


@pytest.fixture
def as_supervisor(supervisor: User) -> Iterator[HttpClient]:
    yield _logged_in(supervisor)


@pytest.fixture
def as_other_supervisor(other_supervisor: User) -> Iterator[HttpClient]:
    yield _logged_in(other_supervisor)


@pytest.fixture
def as_admin(admin_user: User) -> Iterator[HttpClient]:
    yield _logged_in(admin_user)


@pytest.fixture
def web(db: None) -> Iterator[Callable[[User | None], DjangoTestApp]]:
    """`web(user)`: a browser-like WebTest app signed in as `user` (or anonymous
    with `web(None)`), CSRF checks on; see tests/web.py."""
    apps: list[Generator[DjangoTestApp, None, None]] = []

    def make(user: User | None) -> DjangoTestApp:
        gen = open_app()
        app = next(gen)
        apps.append(gen)
        return sign_in(app, user) if user is not None else app

    yield make
    for gen in reversed(apps):
        gen.close()


@pytest.fixture
def bench_app(settings: Any) -> None:
    """What bench.settings adds for `make bench` (the product's settings know
    nothing of it): the bench app, with seed_scale and run_bench, and the URL
    conf that routes the baseline page."""
    from bench import settings as bench_settings

    settings.INSTALLED_APPS = bench_settings.INSTALLED_APPS
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF


@pytest.fixture
def client_record(clinician: User) -> Client:
    """A client on `clinician`'s caseload (pytest-django's `client` is the HTTP one)."""
    return ClientFactory.create(clinician=clinician, chosen_name="Robin Example")


@receiver(post_migrate, dispatch_uid="tests_guard_audit_again")
def _guard_the_audit_table_again(sender: Any, using: str, **kwargs: Any) -> None:
    """Django sends post_migrate after a transactional test's flush: the
    clinical tables' TRUNCATE guards (tests.db_roles.switch_truncate_guards), lifted
    for that flush (see `committed_db`), are back on for the next test."""
    if getattr(sender, "label", "") != "audit":
        return
    with connections[using].cursor() as cursor:
        switch_truncate_guards(cursor.execute, enable=True)


@pytest.fixture
def restore_target() -> Iterator[str]:
    """The name of a database for a restore to make; dropped afterwards."""
    import uuid

    from psycopg2 import sql

    from audit.backup import connect

    name = f"restore_{uuid.uuid4().hex[:12]}"
    yield name
    conn = connect("postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
    conn.close()


@pytest.fixture
def committed_db(transactional_db: None) -> Iterator[None]:
    """A test database whose writes commit at once, for tests where another
    connection must see them (pg_dump, a browser against live_server).

    Django empties the database after such a test with TRUNCATE, which every
    clinical table refuses (append-only records). The test role owns the tables,
    so the guards are lifted just for that flush and put back by
    `_guard_the_audit_table_again`."""
    yield
    with connection.cursor() as cursor:
        switch_truncate_guards(cursor.execute, enable=False)
