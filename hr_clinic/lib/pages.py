"""Pagination in one query.

slice_page: without a total count, for lists too long to count on every page
(the audit trail): one query of PAGE_SIZE + 1 rows tells whether there is a next
page. Offers the attributes templates/includes/_pagination.html uses.

counted_page: a Django Page whose total comes with its rows.

Both take the page number as typed in the URL: a number past the end shows the
last page, however large (never a database error), and anything that is not a
number the first.

page_offset: where a page starts, for the few lists that query by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


@dataclass
class SlicePage:
    """A page without a count, answering as Django's Page does (so one
    pagination partial or macro draws both)."""

    object_list: list[Any]
    number: int
    more: bool  # whether a next page has rows

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


# PostgreSQL takes OFFSET as a bigint: a page starting further on than this
# is past the end of any list, and asking for it would be a database error.
MAX_OFFSET = 2**63 - 1 - 10_000


def page_offset(number: int, size: int) -> int:
    """The first row of page `number` (1-based) of `size` rows, at most
    MAX_OFFSET (past the end of any list, and still a valid OFFSET)."""
    return min(max(number - 1, 0) * size, MAX_OFFSET)


def page_number(page: str | None) -> int:
    """The page number typed in a URL: 1-based; anything else is page 1."""
    try:
        return max(1, int(page or 1))
    except ValueError:
        return 1


def slice_page(queryset: QuerySet[Any], page: str | None, size: int) -> SlicePage:
    """Page `page` (1-based; anything that is not a number is page 1) of
    `queryset`. Past the end, the last page: only then are the rows counted."""
    number = page_number(page)
    start = page_offset(number, size)
    rows = list(queryset[start : start + size + 1])
    if not rows and number > 1:
        number = max(1, math.ceil(queryset.count() / size))
        start = page_offset(number, size)
        rows = list(queryset[start : start + size + 1])
    return SlicePage(rows[:size], number, len(rows) > size)


TOTAL = "page_total"


def counted_page(queryset: QuerySet[Any], page: str | None, size: int) -> Page:
    """Page `page` of `queryset` as Paginator.get_page gives it (the last page for
    a number past the end, the first for anything that is not a number), with the
    total counted by the page's own query: `COUNT(*) OVER ()` on its rows, so a
    list page costs one query instead of a COUNT and a SELECT. Past the end (no
    rows to carry the total), it falls back to Paginator."""
    paginator = Paginator(queryset, size)
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        return paginator.get_page(page)
    if number >= 1:
        start = page_offset(number, size)
        rows = list(
            queryset.annotate(**{TOTAL: Window(Count("*"))})[start : start + size]
        )
        if rows:
            paginator.count = getattr(rows[0], TOTAL)  # type: ignore[misc]
            return Page(rows, number, paginator)
    return paginator.get_page(page)
