"""Hand-written SQL kept where the ORM's own was measured to cost too much.

Measured on the scaled bench database (issue #17, build + execute of the query
in process, interleaved with the ORM's equivalent):

- `count` (a timeline's addenda counts) 0.73 ms against 1.14 ms for a
  Coalesce(Subquery(...Count...)), and `nth_latest` (a client's latest and
  previous goal scores) 0.83 ms against 1.34 ms for two Subquery(...)[n:n+1]:
  together 0.9 ms, a tenth of the client page (8.8 ms in process), whose ratio
  sits near its target. (Exists() for the note page's flags and Subquery() for
  a session's ratings cost 0.16–0.4 ms more each and use the ORM.)
- `CompiledOnce` (the team dashboard's query): 13.3 ms against 24.9 ms for
  building and compiling the same querysets on every request; Today's
  queries and the week's (issues #21, #25): Today 24,900 Python calls a request
  against 54,000.

Table and column names come from the models' _meta, never from input. The
correlated subqueries refer to the outer row by the outer table's name, the
alias Django gives a queryset's own table: annotating a queryset of any other
model raises TypeError.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Iterator, Mapping
from functools import cached_property
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Field, IntegerField, Model, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]


class _Correlated(RawSQL):
    """A correlated subquery on rows of `outer`: refuses to annotate a queryset
    of any other model, where the outer table name would not be its alias."""

    def __init__(
        self, outer: type[Model], sql: str, params: Any, output_field: Field[Any, Any]
    ) -> None:
        super().__init__(sql, params, output_field=output_field)
        self.outer = outer

    def resolve_expression(self, query: Any = None, *args: Any, **kwargs: Any) -> Any:
        if query is not None and query.model is not self.outer:
            raise TypeError(
                f"a correlated subquery on {self.outer._meta.label} rows cannot"
                f" annotate a queryset of {query.model._meta.label}"
            )
        return super().resolve_expression(query, *args, **kwargs)


def _link(model: type[Model], fk: str, outer: type[Model]) -> tuple[str, str]:
    table = model._meta.db_table
    column = model._meta.get_field(fk).column  # type: ignore[union-attr]
    outer_pk = f"{outer._meta.db_table}.{outer._meta.pk.column}"  # type: ignore[union-attr]
    return table, f"{table}.{column} = {outer_pk}"


def count(model: type[Model], fk: str, outer: type[Model]) -> RawSQL:
    """How many rows of `model` point at `outer`'s row through `fk`."""
    table, link = _link(model, fk, outer)
    return _Correlated(
        outer,
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
    return _Correlated(
        outer,
        f"(SELECT {table}.{column} FROM {table} WHERE {link}"  # nosec B608 B611 - names from models
        f" ORDER BY {ordering} LIMIT 1 OFFSET %s)",
        (n,),
        output_field=output_field,
    )


def aggregated(queryset: QuerySet[Any], **aggregates: Any) -> QuerySet[Any]:
    """`queryset.aggregate(**aggregates)` as a queryset of one row (its values
    in `aggregates`' order), for CompiledOnce: with no GROUP BY, since a
    constant groups nothing. No row when nothing matches: its counts are 0."""
    return (
        queryset.order_by()
        .values(one=Value(1))
        .annotate(**aggregates)
        .values_list(*aggregates)
    )


# The year of every stand-in moment (see CompiledOnce).
STAND_IN_YEAR = 1901


class CompiledOnce:
    """The SQL of a queryset, compiled once per process with stand-in values and
    then run with real values in their places.

    For a page whose query must be the ORM's own (the team dashboard counts the
    very querysets its lists show) but which costs far more to build and compile
    than to run. `build()` makes the queryset for the stand-ins, values that
    occur nowhere else in it (an impossible id, a date in STAND_IN_YEAR);
    `rows()` swaps each stand-in parameter for its real value, and `objects()`
    does the same for a queryset of model instances. Raises ValueError at the
    first compile when a stand-in is not among the parameters (the query would
    run with it), or when another moment of STAND_IN_YEAR is (one worked out
    from a stand-in, which would run as compiled). A queryset that can match
    nothing (`none()`, an admin's clinical records) is compiled as no rows.

    The SQL's form must not depend on anything but the key: a key holds
    whatever decides the form (a role, whether a condition applies), and a
    `build()` for it uses stand-ins only where the values go."""

    def __init__(self) -> None:
        self._compiled: dict[Hashable, _Compiled | None] = {}

    def _compile(
        self,
        key: Hashable,
        build: Callable[[], QuerySet[Any]],
        values: Mapping[Any, Any],
    ) -> _Compiled | None:
        if key not in self._compiled:
            queryset = build()
            # A related manager's queryset: its objects are not ours to keep.
            if queryset._known_related_objects:  # type: ignore[attr-defined]
                raise ValueError(f"the query {key!r} holds the objects it came from")
            compiler = queryset.query.get_compiler(using=queryset.db)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:
                self._compiled[key] = None
                return None
            given = {p for p in params if isinstance(p, Hashable)}
            if not set(values) <= given:
                raise ValueError(f"stand-ins missing from the query {key!r}")
            # A moment worked out from a stand-in (a cutoff two weeks before a
            # stand-in day) would run as it was compiled: stand-in moments are
            # in 1901, so any other 1901 moment in the query is one of those.
            derived = [
                p
                for p in params
                if isinstance(p, datetime.date)
                and p.year == STAND_IN_YEAR
                and p not in values
            ]
            if derived:
                raise ValueError(
                    f"moments worked out from stand-ins in the query {key!r}: "
                    "pass each one as a stand-in of its own"
                )
            self._compiled[key] = _Compiled(sql, tuple(params), compiler)
        return self._compiled[key]

    def _execute(self, compiled: _Compiled, values: Mapping[Any, Any]) -> list[Any]:
        real = [
            values.get(p, p) if isinstance(p, Hashable) else p for p in compiled.params
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, real)
            return cursor.fetchall()

    def rows(
        self,
        key: Hashable,
        build: Callable[[], QuerySet[Any]],
        values: Mapping[Any, Any],
    ) -> list[tuple[Any, ...]]:
        """Run `build()`'s SQL (compiled once for `key`) with every stand-in of
        `values` (stand-in -> real value) replaced: its rows as the database
        driver returns them."""
        compiled = self._compile(key, build, values)
        return [] if compiled is None else self._execute(compiled, values)

    def objects(
        self,
        key: Hashable,
        build: Callable[[], QuerySet[Any]],
        values: Mapping[Any, Any],
    ) -> list[Any]:
        """As `rows`, for a queryset of model instances: the instances its own
        iteration would make (Django's ModelIterable), with their
        select_related objects and annotations, from the columns its compiler
        chose. The fields' converters (a sealed field's decryption, JSON) run
        as they do for the queryset."""
        compiled = self._compile(key, build, values)
        if compiled is None:
            return []
        return list(compiled.instances(self._execute(compiled, values)))


class _Compiled:
    """A compiled query, and how its rows become model instances: the same
    steps as Django's ModelIterable (django/db/models/query.py), worked out
    once. Nothing of it belongs to one connection: converters are given the
    connection of the thread that runs the query."""

    def __init__(self, sql: str, params: tuple[Any, ...], compiler: Any) -> None:
        self.sql = sql
        self.params = params
        self._compiler = compiler

    @cached_property
    def _building(self) -> tuple[Any, ...]:
        compiler = self._compiler
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:
            raise ValueError("objects() needs a queryset of model instances")
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        columns = [s[0] for s in select[: compiler.col_count]]
        return (
            klass_info["model"],
            init_list,
            start,
            end,
            list(compiler.get_converters(columns).items()),
            get_related_populators(klass_info, select, compiler.using),
            list(compiler.annotation_col_map.items()),
        )

    def instances(self, rows: list[Any]) -> Iterator[Model]:
        model, init_list, start, end, converters, related, annotations = self._building
        db = self._compiler.using
        for row in rows:
            if converters:
                row = list(row)
                for pos, (funcs, expression) in converters:
                    value = row[pos]
                    for convert in funcs:
                        value = convert(value, expression, connection)
                    row[pos] = value
            obj = model.from_db(db, init_list, row[start:end])
            for populator in related:
                populator.populate(row, obj)
            for name, pos in annotations:
                setattr(obj, name, row[pos])
            yield obj
