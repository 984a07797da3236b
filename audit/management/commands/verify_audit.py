from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verify import (
    HEAD_KEPT,
    Head,
    HeadError,
    head_from_argument,
    head_from_log,
    head_from_manifest,
    verify_chain,
)


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain. Exits non-zero and names the first "
        "broken row if any row was changed, removed or re-linked, and names the "
        "missing rows if the trail ends before a head recorded outside the table "
        f"({HEAD_KEPT}): pass them with --manifest, --log or --head."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A head recorded earlier (repeatable).",
        )
        parser.add_argument(
            "--manifest",
            action="append",
            default=[],
            type=Path,
            help="A backup's manifest (NAME.json) whose audit_chain_head to check "
            "(repeatable).",
        )
        parser.add_argument(
            "--log",
            action="append",
            default=[],
            type=Path,
            help="An application log file: its last 'audit chain head' line is "
            "checked (repeatable).",
        )

    def _heads(self, options: dict[str, Any]) -> list[Head]:
        heads = [head_from_argument(text) for text in options["head"]]
        heads += [head_from_manifest(path) for path in options["manifest"]]
        for path in options["log"]:
            head = head_from_log(path)
            if head is None:
                self.stdout.write(self.style.WARNING(f"No audit head in {path}."))
            else:
                heads.append(head)
        return heads

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            heads = self._heads(options)
        except HeadError as exc:
            raise CommandError(str(exc)) from exc
        result = verify_chain(heads=heads)
        if result.first_break is not None:
            broken = result.first_break
            row = f"row seq={broken.seq}" + (
                f" (id {broken.event_id})" if broken.event_id is not None else ""
            )
            raise CommandError(f"Audit chain broken at {row}: {broken.reason}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.rows} events, head seq "
                f"{result.last_seq} {result.head or '-'}."
            )
        )
        if heads:
            for head in heads:
                self.stdout.write(
                    f"Matches the head {head.source} recorded (seq {head.seq})."
                )
        else:
            self.stdout.write(
                "No head from outside the table was given, so rows cut from the "
                f"end would not show. The head is kept in {HEAD_KEPT}: pass "
                "--manifest, --log or --head."
            )
