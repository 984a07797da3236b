"""Supervision: the team dashboard, the lists behind its figures, the reach-out
lists and the caseload summary export. Supervisors only (404 for everyone else);
a supervisee is found in clients.access.team(request.user), so anyone else's
clinician is a 404 too."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit import services as audit
from clients import selectors
from clients.access import in_team, team
from clients.models import Client
from hr_clinic.lib.csv import labelled_writer, safe_cell
from hr_clinic.lib.jinja_pages import render_content
from hr_clinic.lib.pages import counted_page
from sessions.checkin_items import ITEMS as CHECKIN_ITEMS
from sessions.checkin_items import TEAM_MIN_COUNT
from sessions.selectors import team_checkin_trends
from staff.decorators import AuthenticatedHttpRequest, caseload_only, supervisor_only

PAGE_SIZE = 25
CLIENT_LISTS = ("clients", "reach-out")
# What each dashboard figure lists, by URL keyword (selectors.TEAM_FIGURES).
TEAM_LISTS = {
    "clients": "Active clients",
    "reach-out": "Due a reach-out",
    "sessions": "Sessions in the last 30 days",
    "drafts": "Drafts to follow up",
    "waiting": "Notes waiting for co-signature",
    "returned": "Returned notes not yet answered",
}


@supervisor_only
@require_safe
def team_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    team = selectors.team_summary(supervisor=request.user)
    audit.listed(request.user, "team", len(team))
    # Jinja2 inside base.html (hr_clinic/jinja2.py): Django's templates were
    # half the page's Python calls here (docs/performance.md).
    return render_content(
        request,
        "clients/team_dashboard.jinja",
        {
            "team": team,
            # The review queue is the team's waiting notes (team_items).
            "queue_count": sum(member.waiting for member in team),
            "reach_out_days": selectors.reach_out_after_days(),
            "old_draft_days": selectors.OLD_DRAFT_DAYS,
            # Unreviewed grants stay here until the supervisor reviews them.
            "emergency_reviews": selectors.emergency_review_count(user=request.user),
            # Anonymised monthly check-in averages, for supervision (#22).
            "checkin_trends": team_checkin_trends(request.user, people=team),
            "checkin_items": CHECKIN_ITEMS,
            "checkin_min_count": TEAM_MIN_COUNT,
        },
        title="My team",
    )


@supervisor_only
@require_safe
def team_list(
    request: AuthenticatedHttpRequest, staff_pk: int, kind: str
) -> HttpResponse:
    """The list behind one dashboard figure for one supervisee: the same rows
    the figure counts (selectors.team_items)."""
    if kind not in TEAM_LISTS:
        raise Http404
    member = get_object_or_404(team(request.user, inactive=True), pk=staff_pk)
    items = selectors.team_items(supervisor=request.user, kind=kind).filter(
        clinician=member
    )
    if kind == "clients":
        items = items.order_by(*selectors.SORTS["name"])
    elif kind not in CLIENT_LISTS:
        items = items.select_related("client").order_by("-started_at", "pk")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.listed(
        request.user,
        "client" if kind in CLIENT_LISTS else "session",
        page.paginator.count,
        rows=page.object_list,
    )
    return render(
        request,
        "clients/team_list.html",
        {
            "member": member,
            "kind": kind,
            "title": TEAM_LISTS[kind],
            "lists_clients": kind in CLIENT_LISTS,
            "page": page,
            "reach_out_cutoff": selectors.due_reach_out_cutoff(),
        },
    )


@require_safe
@caseload_only
def reach_out_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A clinician's own reach-out list, with how each person wants to be reached."""
    clients = selectors.reach_out_due(
        Client.objects.visible_to(request.user).filter(clinician=request.user)
    )
    return _reach_out_page(request, clients, team=False, record=True)


@supervisor_only
@require_safe
def team_reach_out(request: AuthenticatedHttpRequest) -> HttpResponse:
    clients = selectors.reach_out_due(
        Client.objects.visible_to(request.user).filter(
            in_team(request.user, inactive=True, via="clinician__")
        )
    ).select_related("clinician")
    # A supervisor reads their team's attempts; the client's clinician records.
    return _reach_out_page(request, clients, team=True, record=False)


def _reach_out_page(
    request: AuthenticatedHttpRequest,
    clients: QuerySet[Any],
    *,
    team: bool,
    record: bool,
) -> HttpResponse:
    """A reach-out list page: each row with the latest attempt to reach the
    person (one query for the page) and, when `record` (the person's own
    caseload: they are each client's primary clinician), a "Tried to reach"
    link to the attempt form, which comes back here. The form is not drawn on
    every row: 25 forms were two thirds of the page's time (docs/performance.md,
    issue #21)."""
    # The total with the rows, in their query (as the caseload counts).
    page = counted_page(clients, request.GET.get("page"), PAGE_SIZE)
    rows = list(page.object_list)
    audit.listed(request.user, "client", page.paginator.count, rows=rows)
    latest = selectors.latest_attempts(rows)
    for client in rows:
        client.latest_attempt = latest.get(client.pk)
    # Jinja2 inside base.html (hr_clinic/jinja2.py): Django's templates cost
    # about 760 Python calls a row here, with the safe-contact include.
    return render_content(
        request,
        "clients/reach_out_list.jinja",
        {
            "page": page,
            "rows": rows,
            "team": team,
            "can_record": record,
            "reach_out_days": selectors.reach_out_after_days(),
        },
        title="Team reach-out list" if team else "Reach-out list",
    )


CSV_HEADER = [
    "client id",
    "chosen name",
    "clinician",
    "status",
    "last contact",
    "days since contact",
    "active goals",
]


@supervisor_only
@require_safe
def team_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The team's caseload summary as CSV: minimum necessary, no note text, and
    every cell neutralised against spreadsheet formula injection."""
    today = timezone.localdate()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="team-caseload-{today.isoformat()}.csv"'
    )
    writer = labelled_writer(response)
    writer.writerow(CSV_HEADER)
    rows = list(selectors.team_caseload_summary(supervisor=request.user))
    audit.exported(request.user, "client", rows)
    for client in rows:
        last = client.last_contact  # type: ignore[attr-defined]
        since = client.contact_since  # type: ignore[attr-defined]
        writer.writerow(
            [
                safe_cell(value)
                for value in (
                    client.pk,
                    client.chosen_name,
                    client.clinician.name,
                    client.get_status_display(),
                    last.isoformat() if last else "",
                    (today - since).days,
                    client.active_goals,  # type: ignore[attr-defined]
                )
            ]
        )
    return response
