"""The audit report as an admin reads it: each row's event number, action and
outcome, read from the page's table (the report's content is Jinja2, which
leaves no template context to read)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, NavigableString

from audit.models import Action, Outcome

_ACTIONS = {str(label): value for value, label in Action.choices}
_OUTCOMES = {str(label): value for value, label in Outcome.choices}


@dataclass(frozen=True)
class ReportRow:
    seq: int
    action: str  # the code of the action the row names
    outcome: str


def report_rows(response: Any) -> list[ReportRow]:
    """The rows of the report on `response`'s page (a test client's or
    WebTest's), in the page's order."""
    page = BeautifulSoup(response.text, "html.parser")
    rows = []
    for tr in page.select("table.audit-report tbody tr"):
        cells = tr.find_all("td", recursive=False)
        # The action's label comes first in its cell, before any count.
        label = next(c for c in cells[4].contents if isinstance(c, NavigableString))
        rows.append(
            ReportRow(
                seq=int(cells[0].get_text(strip=True)),
                action=_ACTIONS[label.strip()],
                outcome=_OUTCOMES[cells[7].get_text(strip=True)],
            )
        )
    return rows
