"""Correlated subqueries written as SQL, for annotations on hot pages.

Django's Subquery()/Exists() build and compile a whole inner queryset on every
request: about 0.3–0.8 ms of Python each, measured at scale, which on the note,
client and caseload pages was as much as the rest of the view. The SQL they
produce is simple, so these helpers write it directly. Table and column names
come from the models' _meta, never from input.

The outer table is referred to by its table name, which is the alias Django
gives a queryset's own table: use these only on a queryset of `outer` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Field, IntegerField, Model, QuerySet
from django.db.models.expressions import RawSQL


def _link(model: type[Model], fk: str, outer: type[Model]) -> tuple[str, str]:
    table = model._meta.db_table
    column = model._meta.get_field(fk).column  # type: ignore[union-attr]
    outer_pk = f"{outer._meta.db_table}.{outer._meta.pk.column}"  # type: ignore[union-attr]
    return table, f"{table}.{column} = {outer_pk}"


def exists(model: type[Model], fk: str, outer: type[Model]) -> RawSQL:
    """Whether `outer`'s row has rows of `model` pointing at it through `fk`."""
    table, link = _link(model, fk, outer)
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {table} WHERE {link})",  # nosec B608 B611 - names from models
        (),
        output_field=BooleanField(),
    )


def count(model: type[Model], fk: str, outer: type[Model]) -> RawSQL:
    """How many rows of `model` point at `outer`'s row through `fk`."""
    table, link = _link(model, fk, outer)
    return RawSQL(
        f"(SELECT COUNT(*) FROM {table} WHERE {link})",  # nosec B608 B611 - names from models
        (),
        output_field=IntegerField(),
    )


def nth_latest(
    model: type[Model],
    fk: str,
    outer: type[Model],
    *,
    value: str,
    order_by: tuple[str, ...],
    n: int,
    output_field: Field[Any, Any],
) -> RawSQL:
    """Field `value` of the n-th (0-based) row of `model` pointing at `outer`'s
    row, newest first by the `order_by` fields (all descending)."""
    table, link = _link(model, fk, outer)
    opts = model._meta
    column = opts.get_field(value).column  # type: ignore[union-attr]
    ordering = ", ".join(
        f"{table}.{opts.get_field(f).column} DESC"  # type: ignore[union-attr]
        for f in order_by
    )
    return RawSQL(
        f"(SELECT {table}.{column} FROM {table} WHERE {link}"  # nosec B608 B611 - names from models
        f" ORDER BY {ordering} LIMIT 1 OFFSET %s)",
        (n,),
        output_field=output_field,
    )


def value_where(
    model: type[Model],
    fk: str,
    outer: type[Model],
    *,
    value: str,
    where: tuple[str, Any],
    output_field: Field[Any, Any],
) -> RawSQL:
    """Field `value` of the row of `model` pointing at `outer`'s row through `fk`
    whose field where[0] equals where[1] (a unique pair, such as a goal's rating
    in one session), or NULL."""
    table, link = _link(model, fk, outer)
    opts = model._meta
    column = opts.get_field(value).column  # type: ignore[union-attr]
    match = opts.get_field(where[0]).column  # type: ignore[union-attr]
    return RawSQL(
        f"(SELECT {table}.{column} FROM {table} WHERE {link}"  # nosec B608 B611 - names from models
        f" AND {table}.{match} = %s LIMIT 1)",
        (where[1],),
        output_field=output_field,
    )


class CompiledOnce:
    """The SQL of a queryset, compiled once per process with stand-in values and
    then run with real values in their places.

    For a page whose query must be the ORM's own (the team dashboard counts the
    very querysets its lists show) but which costs far more to build and compile
    than to run. `build()` makes the queryset for the stand-ins, values that
    occur nowhere else in it (an impossible id, a date in 1901); `rows()` swaps
    each stand-in parameter for its real value. Raises ValueError at the first
    compile when a stand-in is not among the parameters (the query would run
    with it)."""

    def __init__(self) -> None:
        self._compiled: dict[Hashable, tuple[str, tuple[Any, ...]]] = {}

    def rows(
        self,
        key: Hashable,
        build: Callable[[], QuerySet[Any]],
        values: Mapping[Any, Any],
    ) -> list[tuple[Any, ...]]:
        """Run `build()`'s SQL (compiled once for `key`) with every stand-in of
        `values` (stand-in -> real value) replaced."""
        if key not in self._compiled:
            sql, params = build().query.sql_with_params()
            given = {p for p in params if isinstance(p, Hashable)}
            if not set(values) <= given:
                raise ValueError(f"stand-ins missing from the query {key!r}")
            self._compiled[key] = (sql, tuple(params))
        sql, params = self._compiled[key]
        real = [values.get(p, p) if isinstance(p, Hashable) else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, real)
            return cursor.fetchall()
