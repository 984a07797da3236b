"""URLs without a full `reverse()` each time.

A page links to a dozen places, and a list page links every row to its record.
`reverse()` walks the resolver, quotes and re-checks the result each time (about
25 µs); two dozen of those is a measurable share of a page. A URL without
arguments is reversed once. A record URL differs from row to row only in its
id, so it is reversed once per URL name and script prefix with a marker id, and
each row's id is put in the marker's place. An id's text (a UUID's hex digits
and dashes, a number's digits) needs no quoting, so the result is the string
`reverse()` would return.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Marker ids: a UUID for records (clients, notes, goals), a number for staff;
# neither occurs in a script prefix or a fixed part of this project's routes.
_MARKERS: dict[type, uuid.UUID | int] = {uuid.UUID: uuid.UUID(int=0), int: 987654321}


@lru_cache(maxsize=256)
def _parts(name: str, kind: type, prefix: str, urlconf: str) -> tuple[str, str]:
    marker = _MARKERS[kind]
    before, found, after = reverse(name, args=[marker]).partition(str(marker))
    if not found:  # pragma: no cover - a URL name whose pattern drops its argument
        raise ValueError(f"{name} does not put its id in the URL")
    return before, after


def record_url(name: str, pk: uuid.UUID | int) -> str:
    """`reverse(name, args=[pk])` for a URL pattern taking one id: a UUID (a
    client, note or goal) or a number (a staff member)."""
    kind = uuid.UUID if isinstance(pk, uuid.UUID) else int
    before, after = _parts(name, kind, get_script_prefix(), _urlconf())
    return f"{before}{pk}{after}"


def record_urls(name: str) -> Callable[[uuid.UUID | int], str]:
    """`record_url` for many rows of one page: the URL's fixed parts are read
    once (the script prefix and URLconf do not change within a request), so
    each row only puts its id in place. For a loop over 100+ rows, where
    reading them per row (about 7 µs) is a measurable share of the page."""
    prefix, urlconf = get_script_prefix(), _urlconf()

    def url(pk: uuid.UUID | int) -> str:
        kind = uuid.UUID if isinstance(pk, uuid.UUID) else int
        before, after = _parts(name, kind, prefix, urlconf)
        return f"{before}{pk}{after}"

    return url


@lru_cache(maxsize=256)
def _plain(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name)


def plain_url(name: str) -> str:
    """`reverse(name)` for a URL pattern without arguments, reversed once."""
    return _plain(name, get_script_prefix(), _urlconf())


def _urlconf() -> str:
    # Part of the cache key: a request may set its own URLconf, and tests
    # override ROOT_URLCONF.
    return str(get_urlconf() or settings.ROOT_URLCONF)
