"""Pagination in one query.

slice_page: without a total count, for lists too long to count on every page
(the audit trail): one query of PAGE_SIZE + 1 rows tells whether there is a next
page. Offers the attributes templates/includes/_pagination.html uses.

counted_page: a Django Page whose total comes with its rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


@dataclass
class SlicePage:
    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def slice_page(queryset: QuerySet[Any], page: str | None, size: int) -> SlicePage:
    """Page `page` (1-based; anything else is page 1) of `queryset`."""
    try:
        number = max(1, int(page or 1))
    except ValueError:
        number = 1
    start = (number - 1) * size
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
        start = (number - 1) * size
        rows = list(
            queryset.annotate(**{TOTAL: Window(Count("*"))})[start : start + size]
        )
        if rows:
            paginator.count = getattr(rows[0], TOTAL)  # type: ignore[misc]
            return Page(rows, number, paginator)
    return paginator.get_page(page)
