"""Supervision: the team dashboard, the lists behind its figures, the reach-out
lists and the caseload summary export. Supervisors only (404 for everyone else);
a supervisee is found through `supervisor=request.user`, so anyone else's
clinician is a 404 too."""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit import services as audit
from audit.models import Action
from clients import selectors
from clients.models import Client
from hr_clinic.lib.csv import safe_cell
from hr_clinic.lib.http import AuthenticatedHttpRequest, supervisor_only
from sessions.models import ReviewStatus, TherapySession
from staff.models import User

PAGE_SIZE = 25
CLIENT_LISTS = ("clients", "reach-out")
# What each dashboard figure lists, by URL keyword.
TEAM_LISTS = {
    "clients": "Active clients",
    "reach-out": "Due a reach-out",
    "sessions": "Sessions in the last 30 days",
    "drafts": "Drafts older than 3 days",
    "waiting": "Notes waiting for co-signature",
    "returned": "Returned notes not yet answered",
}


@supervisor_only
@require_safe
def team_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    team = selectors.team_summary(supervisor=request.user)
    audit.listed(request.user, "team", len(team))
    return render(
        request,
        "clients/team_dashboard.html",
        {
            "team": team,
            "queue_count": sum(member.waiting for member in team),
            "reach_out_days": selectors.reach_out_after_days(),
        },
    )


@supervisor_only
@require_safe
def team_list(
    request: AuthenticatedHttpRequest, staff_pk: int, kind: str
) -> HttpResponse:
    """The list behind one dashboard figure for one supervisee."""
    if kind not in TEAM_LISTS:
        raise Http404
    member = get_object_or_404(User, pk=staff_pk, supervisor=request.user)
    theirs = Client.objects.visible_to(request.user).filter(clinician=member)
    notes = TherapySession.objects.visible_to(request.user).filter(clinician=member)
    now = timezone.now()
    items: QuerySet[Any]
    if kind == "clients":
        items = selectors.client_list(user=request.user, owner=member, status="active")
    elif kind == "reach-out":
        items = selectors.reach_out_due(theirs)
    else:
        if kind == "sessions":
            since = now - datetime.timedelta(days=selectors.RECENT_SESSION_DAYS)
            notes = notes.not_discarded().filter(started_at__gte=since)
        elif kind == "drafts":
            cutoff = now - datetime.timedelta(days=selectors.OLD_DRAFT_DAYS)
            notes = notes.drafts().filter(created_at__lt=cutoff)
        elif kind == "waiting":
            notes = notes.filter(review_status=ReviewStatus.WAITING)
        else:
            notes = notes.filter(review_status=ReviewStatus.RETURNED)
        items = notes.select_related("client").order_by("-started_at")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.listed(
        request.user,
        "client" if kind in CLIENT_LISTS else "session",
        page.paginator.count,
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
def reach_out_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A clinician's own reach-out list, with how each person wants to be reached."""
    if not request.user.carries_caseload:
        raise Http404
    clients = selectors.reach_out_due(
        Client.objects.visible_to(request.user).filter(clinician=request.user)
    )
    return _reach_out_page(request, clients, team=False)


@supervisor_only
@require_safe
def team_reach_out(request: AuthenticatedHttpRequest) -> HttpResponse:
    clients = selectors.reach_out_due(
        Client.objects.visible_to(request.user).filter(
            clinician__supervisor=request.user
        )
    ).select_related("clinician")
    return _reach_out_page(request, clients, team=True)


def _reach_out_page(
    request: AuthenticatedHttpRequest, clients: QuerySet[Any], *, team: bool
) -> HttpResponse:
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.listed(request.user, "client", page.paginator.count)
    return render(
        request,
        "clients/reach_out_list.html",
        {
            "page": page,
            "team": team,
            "reach_out_days": selectors.reach_out_after_days(),
        },
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
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    rows = list(selectors.team_caseload_summary(supervisor=request.user))
    audit.record(
        actor=request.user,
        action=Action.EXPORT,
        object_type="client",
        result_count=len(rows),
    )
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
