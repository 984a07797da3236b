from __future__ import annotations

from collections.abc import Sequence
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.operations import RunSQL, SeparateDatabaseAndState
from django.db.migrations.operations.base import Operation


@pytest.mark.django_db
def test_no_migrations_are_pending() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # pragma: no cover - the failure path
        pytest.fail(f"Pending model changes without a migration:\n{out.getvalue()}")


# The project's own apps (the sessions app's label is therapy_sessions).
PROJECT_APPS = ("staff", "clients", "goals", "therapy_sessions", "audit")

# What PostgreSQL holds besides rows: each migration's RunSQL writes functions,
# triggers, index and table options that Django's model state knows nothing
# about.
# Constraints and indexes are compared without their names: Django names a
# unique constraint that a reverse puts back (`…_uniq`) apart from the one that
# CREATE TABLE made (`…_key`).
SCHEMA_QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, is_nullable, column_default
          FROM information_schema.columns WHERE table_schema = 'public'""",
    "constraints": """
        SELECT conrelid::regclass::text, pg_get_constraintdef(c.oid), count(*)
          FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = 'public' GROUP BY 1, 2""",
    "indexes": """
        SELECT tablename, regexp_replace(indexdef, ' INDEX [^ ]+ ON ', ' INDEX ON '),
               count(*)
          FROM pg_indexes WHERE schemaname = 'public' GROUP BY 1, 2""",
    "table options": """
        SELECT c.relname, array_to_string(c.reloptions, ',')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r'
           AND c.reloptions IS NOT NULL""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled
          FROM pg_trigger WHERE NOT tgisinternal""",
    "functions": """
        SELECT p.proname, pg_get_functiondef(p.oid)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' AND NOT EXISTS (
               SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')""",
}

Node = tuple[str, str]


def _schema() -> dict[str, set[tuple[object, ...]]]:
    with connection.cursor() as cursor:
        schema = {}
        for kind, query in SCHEMA_QUERIES.items():
            cursor.execute(query)
            schema[kind] = set(cursor.fetchall())
    return schema


def _runs_sql(operations: Sequence[Operation]) -> bool:
    return any(
        isinstance(op, RunSQL)
        or (
            isinstance(op, SeparateDatabaseAndState)
            and _runs_sql(op.database_operations)
        )
        for op in operations
    )


def _latest_per_app(graph: MigrationGraph, nodes: set[Node]) -> list[Node]:
    """Targets that apply exactly `nodes` (closed under dependencies) forwards."""
    return [
        max((node for node in nodes if node[0] == app), key=lambda n: n[1])
        for app in {app for app, _ in nodes}
    ]


def _migrate(
    executor: MigrationExecutor, targets: Sequence[tuple[str, str | None]]
) -> None:
    executor.loader.build_graph()  # what is applied now
    executor.migrate(targets)
    executor.loader.build_graph()


@pytest.mark.slow
def test_every_runsql_migration_runs_back_and_forth(committed_db: None) -> None:
    """Every migration with SQL of its own (triggers, functions, index options)
    is undone and done again: going back, the database at each step is the one
    that going forward builds (so each reverse undoes exactly its forward); at
    zero no function of ours is left behind; at the end all is as before."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    everything = set(executor.loader.applied_migrations)
    with_sql = sorted(
        (
            key
            for key, migration in executor.loader.disk_migrations.items()
            if key[0] in PROJECT_APPS and _runs_sql(migration.operations)
        ),
        key=lambda key: len(graph.forwards_plan(key)),
    )
    assert len(with_sql) >= 11, with_sql
    for key in with_sql:
        operations = executor.loader.disk_migrations[key].operations
        assert all(op.reversible for op in operations), f"{key} cannot be undone"

    # states[i]: everything but what depends on with_sql[i:]; each is closed
    # under dependencies and inside the next, so going forward reaches each.
    states = []
    for i in range(len(with_sql)):
        undone = {n for key in with_sql[i:] for n in graph.backwards_plan(key)}
        states.append(everything - undone)
    initial = _schema()
    backwards = []
    try:
        for key in reversed(with_sql):
            # Back to the migration before it in its app (each app is a line).
            parents = [n for n in graph.node_map[key].parents if n[0] == key[0]]
            _migrate(executor, parents or [(key[0], None)])
            backwards.append(_schema())
        _migrate(executor, [(app, None) for app in PROJECT_APPS])
        at_zero = _schema()
        assert not at_zero["functions"], at_zero["functions"]
        assert not at_zero["triggers"], at_zero["triggers"]
        forwards = []
        for state in states:
            _migrate(executor, _latest_per_app(graph, state))
            assert set(executor.loader.applied_migrations) == state
            forwards.append(_schema())
    finally:
        _migrate(executor, graph.leaf_nodes())
    assert _schema() == initial
    # The latest first: a broken reverse shows first where it was run.
    for key, back, forth in zip(
        reversed(with_sql), backwards, reversed(forwards), strict=True
    ):
        for kind in SCHEMA_QUERIES:
            assert back[kind] == forth[kind], (
                f"before {key}, going back: {kind} differ",
                back[kind] - forth[kind],
                forth[kind] - back[kind],
            )
