"""Record URLs without a full `reverse()` per row.

A list page links every row to its record. `reverse()` walks the resolver,
quotes and re-checks the result each time (about 25 µs); 25–50 rows of that is a
measurable share of a caseload or audit page. A record URL differs from row to
row only in its UUID, so it is reversed once per URL name and script prefix with
a marker id, and each row's id is put in the marker's place. A UUID's text
(hex digits and dashes) needs no quoting, so the result is the string
`reverse()` would return.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.urls import get_script_prefix, reverse

_MARKER = uuid.UUID(int=0)


@lru_cache(maxsize=64)
def _parts(name: str, prefix: str) -> tuple[str, str]:
    before, marker, after = reverse(name, args=[_MARKER]).partition(str(_MARKER))
    if not marker:  # pragma: no cover - a URL name whose pattern drops its argument
        raise ValueError(f"{name} does not put its id in the URL")
    return before, after


def record_url(name: str, pk: uuid.UUID) -> str:
    """`reverse(name, args=[pk])` for a URL pattern taking one UUID."""
    before, after = _parts(name, get_script_prefix())
    return f"{before}{pk}{after}"
