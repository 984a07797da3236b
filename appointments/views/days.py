"""The clinician's day and week (issue #21): Today (their home), the week
view, and a supervisor's team week."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from appointments import days as reads
from audit import services as audit
from audit.models import Action
from clients.access import team
from staff.decorators import AuthenticatedHttpRequest, caseload_only, supervisor_only


def _day_param(request: AuthenticatedHttpRequest) -> dt.date:
    """`?day=YYYY-MM-DD`, or today in the service's time zone."""
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


def _listed(request: AuthenticatedHttpRequest, clients: set[object]) -> None:
    audit.record(
        actor=request.user,
        action=Action.LIST,
        object_type="appointment",
        result_count=len(clients),
        detail={"clients": sorted(str(c) for c in clients)},
    )


@require_safe
@caseload_only
def today(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who the clinician sees today, and what they want at hand for each."""
    day = reads.today_for(user=request.user, day=_day_param(request))
    _listed(
        request,
        {v.appointment.client_id for v in day.visits}
        | {c.pk for c in day.reach_outs}
        | {d.client_id for d in day.drafts},
    )
    return render(
        request,
        "appointments/today.html",
        {
            "today": day,
            "is_today": day.day == timezone.localdate(),
            "previous": day.day - dt.timedelta(days=1),
            "next": day.day + dt.timedelta(days=1),
        },
    )


@require_safe
@caseload_only
def week(request: AuthenticatedHttpRequest) -> HttpResponse:
    day = _day_param(request)
    days, grid = reads.week_for(user=request.user, day=day)
    mine = grid.get(request.user.pk, {d: [] for d in days})
    _listed(request, {a.client_id for d in days for a in mine[d]})
    return render(
        request,
        "appointments/week.html",
        {
            "days": days,
            "columns": [(d, mine[d]) for d in days],
            "previous": days[0] - dt.timedelta(days=7),
            "next": days[0] + dt.timedelta(days=7),
            "this_week": timezone.localdate() in days,
            "today_date": timezone.localdate(),
        },
    )


@require_safe
@supervisor_only
def team_week(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The supervisor's team, a row per person, a column per day."""
    day = _day_param(request)
    members = [
        request.user,
        *team(request.user, inactive=False).order_by(
            "first_name", "last_name", "username"
        ),
    ]
    days, grid = reads.week_for(user=request.user, day=day, clinicians=members)
    rows = [
        (member, [(d, grid.get(member.pk, {}).get(d, [])) for d in days])
        for member in members
    ]
    _listed(
        request,
        {a.client_id for _, cells in rows for _, items in cells for a in items},
    )
    return render(
        request,
        "appointments/team_week.html",
        {
            "days": days,
            "rows": rows,
            "previous": days[0] - dt.timedelta(days=7),
            "next": days[0] + dt.timedelta(days=7),
            "today_date": timezone.localdate(),
        },
    )
