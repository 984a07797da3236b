"""The clinician's day and week (issue #21): Today (their home), the week
view, and a supervisor's team week."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_safe

from appointments import days as reads
from audit import services as audit
from audit.models import Action
from clients.access import team
from clients.models import AttemptOutcome
from hr_clinic.lib.jinja_pages import render_content
from hr_clinic.lib.urls import plain_url
from staff.decorators import AuthenticatedHttpRequest, caseload_only, supervisor_only
from staff.models import User


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
        {v.client_id for v in day.visits}
        | {c["id"] for c in day.reach_outs}
        | {d["client_id"] for d in day.drafts},
    )
    is_today = day.day == timezone.localdate()
    return render_content(
        request,
        "appointments/today.jinja",
        {
            "today": day,
            "attempt_outcomes": dict(AttemptOutcome.choices),
            "is_today": is_today,
            "previous": day.day - dt.timedelta(days=1),
            "next": day.day + dt.timedelta(days=1),
        },
        title="Today" if is_today else date_format(day.day, "l j F"),
    )


@require_safe
@caseload_only
def week(request: AuthenticatedHttpRequest) -> HttpResponse:
    day = _day_param(request)
    days, grid = reads.week_for(user=request.user, day=day)
    mine = grid.get(request.user.pk, {d: [] for d in days})
    _listed(request, {a.client_id for d in days for a in mine[d]})
    return render_content(
        request,
        "appointments/week.jinja",
        {
            "days": days,
            "columns": [(d, mine[d]) for d in days],
            "labels": reads.week_labels(),
            "day_link": plain_url("appointments:today"),
            "previous": days[0] - dt.timedelta(days=7),
            "next": days[0] + dt.timedelta(days=7),
            "this_week": timezone.localdate() in days,
            "today_date": timezone.localdate(),
        },
        title=f"Week of {date_format(days[0], 'j F')}",
    )


@require_safe
@supervisor_only
def team_week(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The supervisor's team, a row per person, a column per day, each day's
    appointments counted (what was met, who didn't make it, notes to write);
    `?member=` one person's week, appointment by appointment."""
    day = _day_param(request)
    members = [
        request.user,
        *team(request.user, inactive=False).order_by(
            "first_name", "last_name", "username"
        ),
    ]
    by_id = {str(m.pk): m for m in members}
    member = by_id.get(request.GET.get("member", ""))
    if member is not None:
        return _member_week(request, member, day)
    days, grid = reads.team_week_counts(user=request.user, day=day, clinicians=members)
    rows = [
        (member, [(d, grid.get(member.pk, {}).get(d)) for d in days])
        for member in members
    ]
    audit.record(
        actor=request.user,
        action=Action.LIST,
        object_type="appointment",
        result_count=sum(
            c.booked + c.called_off for cells in grid.values() for c in cells.values()
        ),
        detail={"counts_only": True},
    )
    return render_content(
        request,
        "appointments/team_week.jinja",
        {
            "days": days,
            "rows": rows,
            "previous": days[0] - dt.timedelta(days=7),
            "next": days[0] + dt.timedelta(days=7),
            "today_date": timezone.localdate(),
        },
        title=f"Team week of {date_format(days[0], 'j F')}",
    )


def _member_week(
    request: AuthenticatedHttpRequest, member: User, day: dt.date
) -> HttpResponse:
    days, grid = reads.week_for(user=request.user, day=day, clinicians=[member])
    theirs = grid.get(member.pk, {d: [] for d in days})
    _listed(request, {a.client_id for d in days for a in theirs[d]})
    return render_content(
        request,
        "appointments/member_week.jinja",
        {
            "member": member,
            "days": days,
            "columns": [(d, theirs[d]) for d in days],
            "labels": reads.week_labels(),
            "day_link": "",
            "previous": days[0] - dt.timedelta(days=7),
            "next": days[0] + dt.timedelta(days=7),
            "today_date": timezone.localdate(),
        },
        title=f"{member.name}: week of {date_format(days[0], 'j F')}",
    )
