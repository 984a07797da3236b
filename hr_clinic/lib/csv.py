"""CSV helpers for exports that people open in spreadsheets."""

from __future__ import annotations

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
