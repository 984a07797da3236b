from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench import benchmark

# Commas between names, not the one in "search (big supervisor, common word)".
_NAMES = re.compile(r",(?![^(]*\))")


class Command(BaseCommand):
    help = (
        "Benchmark the main pages under gunicorn against this (seed_scale-filled) "
        "database and print a table; `make bench` sets up everything it needs. "
        "Writes bench-results/bench.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765)
        # Two sync workers, as the peer was measured (issue #25) and as
        # gunicorn.conf.py serves on 2 cores.
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--threads", type=int, default=1, help="more than 1: gthread workers"
        )
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument(
            "--seconds", type=float, default=14.0, help="per page, over all rounds"
        )
        parser.add_argument(
            "--rounds",
            type=int,
            default=7,
            help="load every page this many times in turn, and add up",
        )
        parser.add_argument("--warmup", type=float, default=2.0)
        parser.add_argument(
            "--only",
            default="",
            help="comma-separated page names (and the baseline); a comma inside "
            "a name's parentheses belongs to the name",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=0,
            help="recycle each worker after this many requests (0: never)",
        )
        parser.add_argument("--out", default=str(settings.BASE_DIR / "bench-results"))

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEBUG:
            raise CommandError("Run with DEBUG=false (see `make bench`).")
        results = benchmark.run(
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            connections=options["connections"],
            seconds=options["seconds"],
            warmup=options["warmup"],
            rounds=options["rounds"],
            only={n.strip() for n in _NAMES.split(options["only"]) if n.strip()},
            max_requests=options["max_requests"],
            out=Path(options["out"]),
            log=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write(benchmark.table(results))
        self.stdout.write(f"\nResults: {Path(options['out']) / 'bench.json'}")
