"""Pagination without a total count, for lists too long to count on every page
(the audit trail): one query of PAGE_SIZE + 1 rows tells whether there is a next
page. Offers the attributes templates/includes/_pagination.html uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


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
