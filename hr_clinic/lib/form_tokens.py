"""One record per filled-in form: the guard against double submits.

A double click, a re-sent POST after a slow response or a reload of the result
page must not make a second client, goal, rating, addendum or staff account.
Each create form carries a hidden `form_token` (FormTokenField), fresh on every
render. The record stores it under a unique constraint scoped to where the
record lives (its parent and author), and the service makes the record through
create_once(): a repeat of the same form returns the record the first submit
made, so the view redirects to it as it did the first time.

Concurrent submits of one form are serialised on the token (a PostgreSQL
advisory lock held until the transaction ends), so the second waits for the
first and then finds its record: it never reaches the unique constraint, and
never shows a raw "already exists" message. The constraint stays the backstop.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

FIELD_NAME = "form_token"


class FormTokenField(forms.UUIDField):
    """A hidden token naming one rendering of a form. The initial value is a
    callable, so every unbound render of the form gets a new one."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> uuid.UUID | None:  # type: ignore[override]
        # A mangled token only costs the double-submit guard: never an error on
        # a field the person cannot see or fix.
        try:
            return super().to_python(value)  # type: ignore[no-any-return]
        except ValidationError:
            return None


class FormAlreadyUsed(ValidationError):
    """This form was sent before and made a record, but now carries different
    content (the page was sent, then changed and sent again). Nothing is saved;
    the view shows the form again, with what was typed and a new token, so a
    second send makes a second record on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


def renew_token(form: forms.BaseForm) -> None:
    """Give a bound form a new token, keeping everything else that was typed."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data[form.add_prefix(FIELD_NAME)] = str(uuid.uuid4())
    form.data = data


def same_values(record: Model, values: Mapping[str, Any]) -> bool:
    """Whether `record` holds exactly `values` (attribute name → value)."""
    return all(getattr(record, name) == value for name, value in values.items())


def _lock(token: uuid.UUID, scope: str) -> None:
    """Serialise every create with `token` in `scope` until this transaction
    ends. Two-key advisory locks: a key space of their own, apart from the
    audit chain's one-key lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))",
            [scope, str(token)],
        )


def create_once(
    *,
    earlier: QuerySet[M],
    token: uuid.UUID | None,
    same: Callable[[M], bool],
    create: Callable[[], M],
    already_used: str,
) -> tuple[M, bool]:
    """Make a record with `create()` once per form token; returns (record,
    created).

    `earlier` is where a record made by an earlier submit of this form would be,
    matching the unique constraint on its token (for example the note's addenda
    by this author). `create` saves a record carrying `token`. When a record
    with this token is there already and `same(record)` says it holds what was
    sent again, that record is returned (created is False) and nothing is
    written. When it holds something else, FormAlreadyUsed(`already_used`) is
    raised. Without a token (an old page, a script), `create` simply runs.

    Call it before anything in the same transaction writes the audit trail:
    the audit chain's lock must be taken after this one, never before.
    """
    if token is None:
        return create(), True
    with transaction.atomic():
        _lock(token, earlier.model._meta.db_table)
        existing = earlier.filter(**{FIELD_NAME: token}).first()
        if existing is None:
            return create(), True
        if not same(existing):
            raise FormAlreadyUsed(already_used)
        return existing, False
