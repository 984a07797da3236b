"""Recompute the audit chain and find the first row that does not hold."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection

BATCH = 5000


@dataclass(frozen=True)
class Break:
    seq: int
    event_id: int
    reason: str


@dataclass(frozen=True)
class Result:
    rows: int
    head: str  # the last row's hash: record it somewhere else to pin the chain
    first_break: Break | None


def _rows(conn: Any) -> Iterator[tuple[int, int, str, str, str]]:
    with conn.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                "SELECT e.seq, e.id, e.prev_hash, e.hash, audit_event_canonical(e)"
                " FROM audit_auditevent e WHERE e.seq > %s ORDER BY e.seq LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]


def verify_chain(conn: Any = None) -> Result:
    """Walk the chain in `seq` order: each row's hash must be the SHA-256 of its
    canonical text, its prev_hash the previous row's hash, and seq gap-free.
    `conn`: a DB-API connection (a restored copy); default Django's."""
    expected_prev, expected_seq, count = "", 1, 0
    for seq, event_id, prev_hash, stored_hash, canonical in _rows(conn or connection):
        count += 1
        if seq != expected_seq:
            reason = f"row {expected_seq} is missing"
            return Result(count, expected_prev, Break(seq, event_id, reason))
        if prev_hash != expected_prev:
            reason = "does not link to the row before it"
            return Result(count, expected_prev, Break(seq, event_id, reason))
        if hashlib.sha256(canonical.encode()).hexdigest() != stored_hash:
            reason = "its content does not match its hash (changed after writing)"
            return Result(count, expected_prev, Break(seq, event_id, reason))
        expected_prev, expected_seq = stored_hash, seq + 1
    return Result(count, expected_prev, None)
