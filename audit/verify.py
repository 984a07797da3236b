"""Recompute the audit chain and find the first row that does not hold.

The chain alone cannot show rows cut from its end: what is left still links.
So the head (the last row's seq and hash) is also kept outside the table, in
two places, and verify_chain compares the table with them:

- every backup's manifest (`audit_chain_head`, audit/backup.py), and
- the application log, every AUDIT_HEAD_LOG_EVERY events (logger
  `hr_clinic.audit_head`, written by audit.services.record).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

BATCH = 5000
# Where the head is kept, for the messages that say so.
HEAD_KEPT = (
    "each backup's manifest (audit_chain_head) and the application log every "
    "AUDIT_HEAD_LOG_EVERY events (logger hr_clinic.audit_head)"
)
# A head line of the log (audit.services.HEAD_LOG_FORMAT), JSON or plain text.
HEAD_IN_LOG = re.compile(r"audit chain head seq=(\d+) hash=([0-9a-f]{64})")
HEAD_ARGUMENT = re.compile(r"(\d+):([0-9a-f]{64})")


class HeadError(ValueError):
    """A head that cannot be read (a malformed argument, manifest or log)."""


@dataclass(frozen=True)
class Head:
    """The chain's head as recorded outside the table, and where."""

    seq: int
    hash: str
    source: str


@dataclass(frozen=True)
class Break:
    seq: int
    event_id: int | None  # None: the row is missing
    reason: str


@dataclass(frozen=True)
class Result:
    rows: int
    head: str  # the last row's hash: record it somewhere else to pin the chain
    first_break: Break | None
    last_seq: int = 0


def head_from_argument(text: str) -> Head:
    """`SEQ:HASH`, as typed on the command line."""
    match = HEAD_ARGUMENT.fullmatch(text.strip())
    if match is None:
        raise HeadError(f"{text!r} is not SEQ:HASH (a number, a colon, 64 hex digits)")
    return Head(int(match[1]), match[2], "the --head argument")


def head_from_manifest(path: Path) -> Head:
    """The head a backup's manifest recorded. A manifest from before `seq` was
    written counts events instead: the same number on a gap-free chain, which
    the backup checked before writing it."""
    try:
        kept = json.loads(path.read_text())["audit_chain_head"]
        seq = int(kept.get("seq", kept["events"]))
        digest = str(kept["hash"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HeadError(f"no audit chain head in {path}: {exc}") from exc
    return Head(seq, digest, f"the backup manifest {path.name}")


def head_from_log(path: Path) -> Head | None:
    """The last head the log recorded (None if it holds none)."""
    found = None
    try:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if match := HEAD_IN_LOG.search(line):
                    found = (int(match[1]), match[2])
    except OSError as exc:
        raise HeadError(f"cannot read {path}: {exc}") from exc
    return Head(found[0], found[1], f"the log {path.name}") if found else None


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


def _missing_tail(last_seq: int, heads: Sequence[Head]) -> Break | None:
    """A break when a recorded head lies past the table's last row."""
    beyond = [head for head in heads if head.seq > last_seq]
    if not beyond:
        return None
    latest = max(beyond, key=lambda head: head.seq)
    missing = (
        f"row {latest.seq} is"
        if latest.seq == last_seq + 1
        else f"rows {last_seq + 1}–{latest.seq} are"
    )
    return Break(
        last_seq + 1,
        None,
        f"{missing} missing from the end: the trail ends at seq {last_seq}, but "
        f"{latest.source} recorded the head at seq {latest.seq}",
    )


def verify_chain(conn: Any = None, *, heads: Sequence[Head] = ()) -> Result:
    """Walk the chain in `seq` order: each row's hash must be the SHA-256 of its
    canonical text, its prev_hash the previous row's hash, and seq gap-free.
    Each of `heads` (recorded outside the table) must be a row of the chain
    with that hash: a head past the last row means rows were cut from the end.
    `conn`: a DB-API connection (a restored copy); default Django's."""
    expected_prev, expected_seq, count = "", 1, 0
    pinned = {head.seq: head for head in heads}
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
        head = pinned.get(seq)
        if head is not None and head.hash != stored_hash:
            reason = (
                f"its hash is not the head {head.source} recorded at this seq "
                "(the trail was rewritten from here or before)"
            )
            return Result(count, expected_prev, Break(seq, event_id, reason))
        expected_prev, expected_seq = stored_hash, seq + 1
    last_seq = expected_seq - 1
    return Result(count, expected_prev, _missing_tail(last_seq, heads), last_seq)
