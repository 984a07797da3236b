"""The program figures as a person reaches them (tests/test_reports.py,
tests/test_figures_kept.py): the nav, the period form, and a figure's table
read from the page."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django_webtest import DjangoTestApp
from webtest import TestResponse

from staff.models import User

Web = Callable[[User], DjangoTestApp]
Q2 = {"period": "quarter", "start": "2026-04"}


def figures(web: Web, user: User, query: dict[str, str] | None = None) -> TestResponse:
    """The figures as a person reaches them: the nav, then the period form."""
    page = web(user).get(reverse("home")).follow().click("Program figures")
    form = page.forms["period-form"]
    for key, value in (query or Q2).items():
        form[key] = value
    return form.submit()


def table(page: TestResponse, key: str) -> dict[str, list[str]]:
    """A figure's table: each row's label to its cells (months, then total)."""
    section = page.html.find("section", attrs={"data-figure": key})
    rows = {}
    for tr in section.find_all("tr")[1:]:
        cells = [cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])]
        rows[cells[0]] = cells[1:]
    return rows
