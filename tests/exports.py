"""Reading the files the service hands out, as a recipient's tools would."""

from __future__ import annotations

import csv
import io

from hr_clinic.lib.part2 import STATEMENT_2


def csv_rows(body: str) -> list[list[str]]:
    """The rows of an exported CSV after its first line, which must be the
    42 CFR §2.32 label (a one-cell "# ..." comment row); the header first."""
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [f"# {STATEMENT_2}"], rows[:1]
    return rows[1:]
