from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit import selectors, services
from audit.forms import AuditFilterForm, sort_key
from audit.models import Action, AuditEvent, Outcome
from clients.access import clients_with_clinician, open_client
from clients.selectors import emergency_grants_for_client
from hr_clinic.lib.csv import labelled_writer, safe_cell
from hr_clinic.lib.jinja_pages import render_content
from staff.decorators import AuthenticatedHttpRequest, admin_only, supervisor_only

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_HEADER = [
    "seq",
    "time (UTC)",
    "staff id",
    "role",
    "action",
    "object type",
    "object id",
    "client id",
    "outcome",
    "result count",
    "source address",
    "request id",
    "hash",
]


def _filters(
    request: AuthenticatedHttpRequest,
) -> tuple[AuditFilterForm, dict[str, Any]]:
    """The report's filter form and the filters that are valid. A field in
    error (shown on the form) is left out, never all of them: an unknown order
    must not quietly widen the report to every event."""
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, {}
    form.is_valid()
    return form, form.cleaned_data


@admin_only
@require_safe
def audit_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every access and change, filtered by staff member, client id, action and
    dates; sortable, paginated. Ids only: no clinical text, no client names."""
    form, filters = _filters(request)
    # No total count: counting millions of events on every page costs more than
    # the page itself. The event records how many rows were shown.
    page = selectors.report_page(
        filters=filters, page=request.GET.get("page"), size=PAGE_SIZE
    )
    services.listed(
        request.user, "audit_event", len(page.object_list), rows=page.object_list
    )
    chosen = filters.get("actor")
    return render_content(
        request,
        "audit/audit_report.jinja",
        {
            "form": form,
            "page": page,
            "staff_choices": selectors.staff_choices(),
            "chosen_actor": chosen.pk if chosen else None,
            "sort": sort_key(filters.get("sort")),
            # The time column's heading names the zone the times are in.
            "zone": timezone.get_current_timezone_name(),
        },
        title="Audit report",
    )


@admin_only
@require_safe
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered report as CSV (at most EXPORT_LIMIT rows). With a filter in
    error, the report itself, where the error shows: a file of other rows than
    asked for would pass unnoticed."""
    form, filters = _filters(request)
    if form.errors:
        return redirect(f"{reverse('audit:report')}?{request.GET.urlencode()}")
    rows = list(selectors.event_list(filters=filters)[:EXPORT_LIMIT])
    services.exported(request.user, "audit_event", rows)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    writer = labelled_writer(response)
    writer.writerow(EXPORT_HEADER)
    for event in rows:
        cells = (
            event.seq,
            event.occurred_at.astimezone(datetime.UTC).isoformat(),
            event.actor_id or "",
            event.actor_role,
            event.action,
            event.object_type,
            event.object_id,
            event.client_id or "",
            event.outcome,
            "" if event.result_count is None else event.result_count,
            event.source_ip or "",
            event.request_id,
            event.hash,
        )
        writer.writerow([safe_cell(value) for value in cells])
    return response


@admin_only
@require_safe
def event_detail(request: AuthenticatedHttpRequest, seq: int) -> HttpResponse:
    """One event in full, with every client id a list, search or export held,
    each a link to that client's events in the report."""
    try:
        event = selectors.event_get(seq=seq)
    except AuditEvent.DoesNotExist:
        raise Http404 from None
    services.record(
        actor=request.user,
        action=Action.READ,
        object_type="audit_event",
        object_id=str(event.seq),
    )
    return render(request, "audit/event_detail.html", {"event": event})


@supervisor_only
@require_safe
def client_access_history(
    request: AuthenticatedHttpRequest, pk: object
) -> HttpResponse:
    """Who opened this record and when: for a supervisor, about a client on their
    own or their team's caseload (visible_to; anyone else's is a 404), with
    every emergency-access grant on it and the pages opened under each. A
    record opened through emergency access does not open its history (403)."""
    client, access = open_client(
        request,
        pk,
        records=clients_with_clinician,
        read_event=False,
    )
    if not access.review:
        services.record(
            actor=request.user,
            action=Action.READ,
            obj=client,
            outcome=Outcome.DENIED,
            emergency_grant_id=access.grant_id,
        )
        raise PermissionDenied("Only the care team's supervisors see this history.")
    services.read(request.user, client)
    events = selectors.client_access_history(client=client)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    grants = list(emergency_grants_for_client(client=client))
    grant_events = selectors.emergency_grant_events(grant_ids=[g.pk for g in grants])
    return render(
        request,
        "audit/client_access_history.html",
        {
            "client": client,
            "page": page,
            "client_access": access,
            "grants": [(grant, grant_events[grant.pk]) for grant in grants],
        },
    )
