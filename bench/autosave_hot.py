"""How autosaves write into the notes table: HOT updates and index growth.

Drives N autosaves (default 10,000) through the real view, in this process, as
the note form's script sends them (POST to sessions:update with X-Autosave and
the version the previous save returned; bench.benchmark._InProcessSaver), over
a few drafts of one clinician in turn, as people typing: each draft is a note
of seed_scale's vocabulary and length, typed from nothing to its end over the
first half of its saves and reworded at the end over the second. Prints,
before and after: the notes table's updates and HOT updates
(pg_stat_user_tables), its storage options, the drafts' row sizes, the size of
each of its indexes (pg_relation_size), and the HOT ratio of the run.

Writes drafts and audit events: run it in a database of your own, never the
shared bench database. Seed it first at a small size, with the same code as the
run, for example:

    createdb hr_clinic_hot   # CREATE DATABASE, as postgres over the socket
    export DATABASE_URL='postgres://postgres@/hr_clinic_hot?host=...&port=5432'
    export SECRET_KEY=local-bench DEBUG=false DJANGO_SETTINGS_MODULE=bench.settings
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_scale --staff 20 --clients 1000 \\
        --sessions 50000 --goals 2000 --audit-events 1000 --appointments-per-week 0
    .venv/bin/python bench/autosave_hot.py [--saves 10000] [--drafts 20]

The table is vacuumed first (outside the counts), so the run starts from a
clean table; the counters are read as differences, after the run's statistics
are flushed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.in_process import setup  # noqa: E402

setup("bench.settings")

from django.db import connection  # noqa: E402
from django.urls import resolve, reverse  # noqa: E402

from bench.benchmark import _draft_form, pick_cast, verified_test_client  # noqa: E402
from bench.scale import NoteWriter  # noqa: E402

TABLE = "therapy_sessions_therapysession"


def _stats() -> tuple[int, int, dict[str, int]]:
    """(updates, HOT updates, {index: bytes}) of the notes table, now."""
    with connection.cursor() as cursor:
        # Counters are flushed by each backend now and then: this one's first,
        # then a fresh snapshot (stats_fetch_consistency caches within one).
        cursor.execute("SELECT pg_stat_force_next_flush()")
    time.sleep(1.5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
            " WHERE relid = %s::regclass",
            [TABLE],
        )
        updates, hot = cursor.fetchone()
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        sizes = dict(cursor.fetchall())
    return updates, hot, sizes


def _vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE, INDEX_CLEANUP ON) {TABLE}")


def _table_facts() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(array_to_string(reloptions, ', '), 'defaults'),"
            " (SELECT attgenerated FROM pg_attribute WHERE attrelid = c.oid"
            "  AND attname = 'search_vector')"
            " FROM pg_class c WHERE c.oid = %s::regclass",
            [TABLE],
        )
        options, generated = cursor.fetchone()
    kind = "stored generated column" if generated == "s" else "ordinary column"
    return f"storage options: {options}; search_vector: {kind}"


def _row_sizes(urls: list[str]) -> str:
    """The drafts' row sizes, uncompressed (pg_column_size of the whole row):
    a HOT update needs the room of one more on the row's own page."""
    ids = [resolve(url).kwargs["pk"] for url in urls]  # sessions:update
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT avg(pg_column_size(note.*))::int, max(pg_column_size(note.*))"
            " FROM therapy_sessions_therapysession note WHERE note.id = ANY(%s)",
            [ids],
        )
        average, largest = cursor.fetchone()
    return (
        f"the drafts' rows, uncompressed: {average} bytes on average, {largest} at most"
    )


def _sections(draft: int, save: int, saves: int) -> dict[str, str]:
    """Draft `draft` at its `save`th autosave of `saves`, as someone typing: a
    note of seed_scale's vocabulary and length (rows the size of real ones,
    about 1.5 kB with their words) typed from its first character to its last
    over the first half of its saves, then reworded at the end (the second
    half)."""
    note = NoteWriter(random.Random(draft)).sections("hr")
    typed = min(1.0, 2 * (save + 1) / max(saves, 1))
    sections = {key: text[: round(len(text) * typed)] for key, text in note.items()}
    if typed == 1.0:
        sections["next"] += f" Reworded {save % 7}."
    return sections


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=10_000)
    parser.add_argument("--drafts", type=int, default=20)
    args = parser.parse_args(argv)

    cast = pick_cast()
    c = verified_test_client(cast.clinician)
    print(_table_facts())
    drafts: list[list[Any]] = []
    per_draft = args.saves // args.drafts
    for i, client_id in enumerate(cast.client_ids[: args.drafts]):
        create = reverse("sessions:create", args=[client_id])
        form = _draft_form(_sections(i, 0, per_draft), form_token=str(uuid.uuid4()))
        answer = c.post(create, form, headers={"X-Autosave": "1"}).json()
        drafts.append([answer["url"], answer["version"], i])
    _vacuum()
    updates0, hot0, sizes0 = _stats()
    started = time.monotonic()
    for n in range(1, args.saves + 1):
        draft = drafts[n % len(drafts)]
        url, version, i = draft
        typed = _sections(i, n // len(drafts), per_draft)
        form = _draft_form(typed, version=str(version))
        response = c.post(url, form, headers={"X-Autosave": "1"})
        if response.status_code != 200:
            raise SystemExit(f"save {n}: status {response.status_code}")
        draft[1] = response.json()["version"]
    elapsed = time.monotonic() - started
    updates1, hot1, sizes1 = _stats()
    updates, hot = updates1 - updates0, hot1 - hot0
    print(
        f"{args.saves} autosaves over {len(drafts)} drafts in {elapsed:.0f} s: "
        f"{updates} updates of the notes table, {hot} HOT "
        f"({100 * hot / max(updates, 1):.1f}%)"
    )
    print(_row_sizes([url for url, _, _ in drafts]))
    print(f"{'index':<58} {'before kB':>10} {'after kB':>10} {'growth kB':>10}")
    for name in sorted(sizes1):
        before, after = sizes0.get(name, 0), sizes1[name]
        print(
            f"{name:<58} {before // 1024:>10} {after // 1024:>10}"
            f" {(after - before) // 1024:>10}"
        )
    total0, total1 = sum(sizes0.values()), sum(sizes1.values())
    print(
        f"{'all indexes':<58} {total0 // 1024:>10} {total1 // 1024:>10}"
        f" {(total1 - total0) // 1024:>10}"
    )


if __name__ == "__main__":
    main()
