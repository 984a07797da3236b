"""The program figures (issue #23): one page (`?print=1` its print version)
and its CSV, for supervisors (their team, or one person on it) and admins
(the whole service, small cells hidden). Who sees what is decided by
clients.access.figure_scope; the figures are reports.selectors'."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit import services as audit
from audit.models import Action
from clients.access import SMALL_CELL_MAX, FigureScope, figure_scope
from hr_clinic.lib import part2
from hr_clinic.lib.charts import bar_chart
from hr_clinic.lib.csv import labelled_writer, safe_cell
from hr_clinic.lib.jinja_pages import render_content
from reports import selectors
from reports.forms import PeriodForm
from reports.periods import Period
from staff.decorators import AuthenticatedHttpRequest, figures_only


def _asked(
    request: AuthenticatedHttpRequest,
) -> tuple[FigureScope, PeriodForm, Period]:
    member = request.GET.get("clinician") or None
    scope = figure_scope(request.user, member=member)
    if scope is None:
        raise Http404
    form = PeriodForm(
        request.GET or None, today=timezone.localdate(), people=scope.people
    )
    return scope, form, form.chosen_period()


def _record(
    request: AuthenticatedHttpRequest, action: str, period: Period, scope: FigureScope
) -> None:
    """The event: which figures were seen (the period, and whose work by
    staff id); no client is named in them, so no client id is recorded."""
    audit.record(
        actor=request.user,
        action=action,
        object_type="figures",
        object_id=period.slug,
        detail={"staff": list(scope.staff) if scope.staff is not None else "all"},
    )


def _chart(figure: selectors.Figure, months: list[datetime.date]) -> dict[str, Any]:
    headline = figure.headline
    if headline.cells:
        bars = [
            (f"{month:%b %y}", cell.value if cell.shown else None)
            for month, cell in zip(months, headline.cells, strict=True)
        ]
    else:  # a figure of the whole period only: its rows side by side
        bars = [
            (row.label, row.total.value if row.total.shown else None)
            for row in figure.rows
            if row.additive
        ]
    return bar_chart(bars)


# figures_only lets supervisors and admins in; clients.access.figure_scope
# decides the rest (a person outside a supervisor's team is a 404 too).
@figures_only
@require_safe
def figures(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope, form, period = _asked(request)
    printing = request.GET.get("print") == "1"
    report = selectors.report_figures(scope, period)
    _record(request, Action.PRINT if printing else Action.LIST, period, scope)
    query = request.GET.copy()
    query.pop("print", None)
    return render_content(
        request,
        "reports/figures.jinja",
        {
            "form": form,
            "report": report,
            "figures": [
                (figure, _chart(figure, report.months)) for figure in report.figures
            ],
            "print_view": printing,
            "query": query.urlencode(),
            "small_cell_max": SMALL_CELL_MAX,
            "member": next((p for p in scope.people if scope.staff == (p.pk,)), None),
            "now": timezone.now(),
            "part2_label": part2.statement_for("label") if printing else "",
        },
        title="Program figures",
        scripts=("js/print-view.js",) if printing else (),
    )


@figures_only
@require_safe
def figures_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The page's numbers as CSV, suppression applied as on the page, under
    the Part 2 label line."""
    scope, _, period = _asked(request)
    report = selectors.report_figures(scope, period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="program-figures-{period.slug}.csv"'
    )
    writer = labelled_writer(response)
    writer.writerow(["figure", "row", *(f"{m:%Y-%m}" for m in report.months), "total"])
    for figure in report.figures:
        for row in [*figure.rows, *([figure.footer] if figure.footer else [])]:
            # A figure of the whole period only leaves the months empty.
            texts = [cell.text for cell in row.cells] or [""] * len(report.months)
            writer.writerow(
                [
                    safe_cell(figure.title),
                    safe_cell(row.label),
                    *(safe_cell(text) for text in texts),
                    safe_cell(row.total.text),
                ]
            )
    _record(request, Action.EXPORT, period, scope)
    return response
