"""The team dashboard as a supervisor reads it: who has a row, and the figures
on each row (each the number on the link to the list behind it)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from clients.selectors import TEAM_FIGURES
from staff.models import User


def figure_url(kind: str, member: User) -> str:
    """The list behind one figure (a TEAM_FIGURES key) for `member`."""
    return reverse("team:member_" + kind.replace("-", "_"), args=[member.pk])


def figures(page: Any, member: User) -> dict[str, int]:
    """The figures the dashboard shows on `member`'s row, by TEAM_FIGURES key."""
    body = page.content.decode()
    found = {}
    for kind in TEAM_FIGURES:
        link = re.escape(figure_url(kind, member))
        number = re.search(rf'<a href="{link}">(\d+)</a>', body)
        assert number is not None, f"no {kind} figure for {member.username}"
        found[kind] = int(number.group(1))
    return found


def rows(page: Any) -> set[int]:
    """The staff ids with a row on the dashboard (each row's active-clients link)."""
    link = reverse("team:member_clients", args=[987654321])
    pattern = re.escape(f'<a href="{link}">').replace("987654321", r"(\d+)")
    return {int(pk) for pk in re.findall(pattern, page.content.decode())}


def has_row(page: Any, member: User) -> bool:
    return member.pk in rows(page)
