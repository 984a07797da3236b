"""CSV helpers for exports that people open in spreadsheets."""

from __future__ import annotations

import csv
from typing import Any

from hr_clinic.lib.part2 import csv_label_line

# A cell starting with one of these is run as a formula by spreadsheet programs
# (OWASP "CSV injection"); tab and carriage return can hide such a start.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, with a leading apostrophe when a spreadsheet would
    otherwise treat it as a formula. Numbers are written as they are."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def labelled_writer(stream: Any) -> Any:
    """A csv writer on `stream` whose first row is the 42 CFR §2.32 label
    (hr_clinic/lib/part2.csv_label_line: one "# ..." cell), written only when
    the service is a Part 2 program. Every CSV that holds client data starts
    here, so a file never leaves without the statement."""
    writer = csv.writer(stream)
    label = csv_label_line()
    if label is not None:
        writer.writerow(label)
    return writer
