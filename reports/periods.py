"""The periods the program figures are counted over: whole months in the
service's time zone (a month, a calendar quarter, a calendar year, or a
custom run of months), grouped by month (issue #23)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# A custom period is at most this many months: five years of columns.
MAX_MONTHS = 60


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months from `start` (the first day of the first month) up to,
    not including, `end` (the first day of the month after the last)."""

    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.start
        while month < self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def last_month(self) -> datetime.date:
        return add_months(self.end, -1)

    @property
    def label(self) -> str:
        first, last = self.start, self.last_month
        if self.kind == "quarter":
            return f"Q{(first.month - 1) // 3 + 1} {first.year}"
        if self.kind == "year":
            return str(first.year)
        if first == last:
            return f"{first:%B %Y}"
        return f"{first:%B %Y} to {last:%B %Y}"

    @property
    def slug(self) -> str:
        """For file names: ids and dates only."""
        return f"{self.start:%Y-%m}-to-{self.last_month:%Y-%m}"


def period_of(kind: str, month: datetime.date, until: datetime.date | None) -> Period:
    """The period of `kind` that holds `month` (for "custom", `month` to
    `until`'s month, at most MAX_MONTHS; the two swapped if given the wrong
    way round)."""
    month = month.replace(day=1)
    if kind == "quarter":
        start = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        return Period(kind, start, add_months(start, 3))
    if kind == "year":
        start = month.replace(month=1)
        return Period(kind, start, add_months(start, 12))
    if kind == "custom" and until is not None:
        first, last = sorted((month, until.replace(day=1)))
        last = min(last, add_months(first, MAX_MONTHS - 1))
        return Period(kind, first, add_months(last, 1))
    return Period("month", month, add_months(month, 1))


def last_full_quarter(today: datetime.date) -> Period:
    """The default: the last calendar quarter that has ended, what a funder's
    quarterly return asks about."""
    this_quarter = period_of("quarter", today, None)
    return period_of("quarter", add_months(this_quarter.start, -3), None)
