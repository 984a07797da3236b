"""Small-cell suppression for figures shown outside the clinical team
(issue #23, docs/design.md "Program figures"): a cell counting 1 to
SMALL_CELL_MAX distinct people shows "fewer than 11"; and where the hidden
value could be worked out from a total (a row or column with exactly one
hidden cell and its total shown), the total is hidden too, repeated until no
line gives a hidden cell away."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clients.access import SMALL_CELL_MAX

FEWER_THAN = f"fewer than {SMALL_CELL_MAX + 1}"
# A total hidden only so that a hidden cell cannot be worked out from it.
NOT_SHOWN = "not shown"


@dataclass
class Cell:
    """One figure: its value, how many distinct people it counts (None for a
    value that is not a count of people's records, such as an average whose
    own rule applies), and whether it is shown."""

    value: float | int | None
    people: int | None = None
    hidden: str = ""  # "", FEWER_THAN or NOT_SHOWN

    @property
    def shown(self) -> bool:
        return not self.hidden

    @property
    def text(self) -> str:
        """As the page and the CSV show it."""
        if self.hidden:
            return self.hidden
        if self.value is None:
            return "–"
        if isinstance(self.value, float):
            return f"{self.value:.1f}"
        return str(self.value)


def is_small(people: int | None) -> bool:
    return people is not None and 1 <= people <= SMALL_CELL_MAX


def hide_small(cells: Sequence[Cell]) -> None:
    """Primary suppression: every cell counting 1 to SMALL_CELL_MAX people."""
    for cell in cells:
        if is_small(cell.people):
            cell.hidden = FEWER_THAN


def protect(lines: Sequence[tuple[Sequence[Cell], Cell]]) -> None:
    """Complementary suppression over additive `lines` (members, their total;
    a cell may be in several lines, a total may be a member of another line):
    a line with exactly one hidden member and its total shown would give the
    member away, so its total is hidden, until no line does."""
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            hidden = sum(1 for cell in members if not cell.shown)
            if hidden == 1 and total.shown:
                total.hidden = NOT_SHOWN
                changed = True
