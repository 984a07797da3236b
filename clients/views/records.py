from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from appointments.selectors import upcoming_shown
from audit import services as audit
from audit.models import Action
from clients import documents, selectors, services
from clients.access import open_client, open_client_to_change
from clients.forms import (
    ClientForm,
    ClientSearchForm,
    CloseForm,
    ReassignForm,
    ReviewOnForm,
)
from clients.models import Client, ClientStatus, EmergencyGrant, StatusChange
from consents.selectors import notice_given_on
from goals.selectors import goal_list_for_client, split_by_status
from hr_clinic.lib import part2
from hr_clinic.lib.forms import add_service_error
from hr_clinic.lib.jinja_pages import render_content
from hr_clinic.lib.pages import counted_page
from hr_clinic.lib.pdf import pdf_response
from measures.selectors import client_safety_prompts_shown
from records.selectors import amendments_on_record
from screens.selectors import consent_is_waiting
from screens.steps import offered as hand_over_steps
from screens.templatetags.screens_tags import screen_measure_choices
from sessions.selectors import (
    latest_checkin_answers,
    low_items,
    recent_sessions,
    waiting_counts,
)
from staff.decorators import AuthenticatedHttpRequest, caseload_only
from staff.models import User
from staff.selectors import people_attach

PAGE_SIZE = 25
# What a caseload row shows (and what it is sorted and counted from): loading
# only these keeps contact details and notes fields out of a list that does not
# show them, and builds each row faster.
LIST_FIELDS = (
    "id",
    "chosen_name",
    "pronouns",
    "status",
    "intake_date",
    "last_contact_at",
    # A paused record's review date: its "Reach out" badge when it has come.
    "review_on",
)
RECENT_SESSIONS = 5
# The search words live in the server-side session, never in a URL: a name is
# health information once it is tied to this service.
SEARCH_KEY = "clients:search"
STATUS_CHOICES = [
    ("open", "Active and paused"),
    ("active", "Active"),
    ("paused", "Paused"),
    ("closed", "Closed"),
    ("all", "All"),
]
SORT_CHOICES = [("name", "By name"), ("last_contact", "Longest without contact")]


@require_safe
@caseload_only
def client_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    sort = request.GET.get("sort", "name")
    search = request.session.get(SEARCH_KEY, "")
    clients = selectors.client_list(
        user=request.user, status=status, search=search, sort=sort
    ).only(*LIST_FIELDS)
    page = counted_page(clients, request.GET.get("page"), PAGE_SIZE)
    if search:
        audit.searched(
            request.user, "client", page.paginator.count, rows=page.object_list
        )
    else:
        audit.listed(
            request.user, "client", page.paginator.count, rows=page.object_list
        )
    # Jinja2 inside base.html (hr_clinic/jinja2.py): Django's templates cost
    # about 550 Python calls a row here, half the page (docs/performance.md).
    return render_content(
        request,
        "clients/client_list.jinja",
        {
            "page": page,
            "status": status if status in selectors.STATUS_FILTERS else "open",
            "sort": sort if sort in selectors.SORTS else "name",
            "search": search,
            "reach_out_cutoff": selectors.due_reach_out_cutoff(),
            "reach_out_days": selectors.reach_out_after_days(),
            "status_choices": STATUS_CHOICES,
            "sort_choices": SORT_CHOICES,
            "waiting": waiting_counts(user=request.user),
            # The primary clinician is told of emergency access at once.
            "emergency_notice": selectors.emergency_notice_count(user=request.user),
            "emergency_notice_days": selectors.EMERGENCY_NOTICE_DAYS,
        },
        title="My caseload",
    )


@require_POST
@caseload_only
def client_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ClientSearchForm(request.POST)
    if (
        form.is_valid()
        and form.cleaned_data["q"].strip()
        and "clear" not in request.POST
    ):
        request.session[SEARCH_KEY] = form.cleaned_data["q"].strip()
        status = "all"  # a search finds closed records too
    else:
        request.session.pop(SEARCH_KEY, None)
        status = "open"
    return redirect(f"{reverse('clients:list')}?status={status}")


@caseload_only
def client_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(
                client=form.save(commit=False),
                by=request.user,
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Added {client.chosen_name}.")
            return redirect(client)
    return render(request, "clients/client_form.html", {"form": form})


def _record_page_client(_: User) -> QuerySet[Client]:
    """The record's client (clients.access.open_client), with what its page
    shows at the top."""
    return Client.objects.annotate(
        has_history=Exists(StatusChange.objects.filter(client=OuterRef("pk"))),
        # Marks the access-history link for the supervisor.
        had_emergency_access=Exists(
            EmergencyGrant.objects.filter(client=OuterRef("pk"))
        ),
        # Shown at the top of the record, and the gentle prompt after a
        # low check-in: with the client's own query, not two more.
        wants_words=selectors.current_wants_words(),
        last_checkin=latest_checkin_answers(),
    )


def _open_record(
    request: AuthenticatedHttpRequest, pk: object, *, read_as: str
) -> dict[str, Any]:
    """The client's record as its page, print version and PDF show it, opened
    (scoped, 404 outside the person's visibility) and audited as `read_as`."""
    client, access = open_client(
        request, pk, records=_record_page_client, read_as=read_as
    )
    # Most records were never paused, closed or reopened: their (empty) history
    # is not read.
    history = (
        list(client.status_changes.select_related("changed_by")[:20])
        if client.has_history  # type: ignore[attr-defined]
        else []
    )
    goals = split_by_status(goal_list_for_client(client=client))
    recent = recent_sessions(client=client, n=RECENT_SESSIONS)
    # Attempts to reach the person are on the timeline too, never as sessions.
    timeline = selectors.record_timeline(
        client=client,
        sessions=recent,
        complete=len(recent) < RECENT_SESSIONS,
    )
    people_attach(
        request.user,
        [
            (client, "clinician"),
            *((s, "clinician") for s in recent),
            *((e, "by") for e in timeline if hasattr(e, "tried_at")),
        ],
    )
    return {
        "client": client,
        "client_access": access,
        "history": history,
        "goals": goals,
        "recent_sessions": recent,
        "timeline": timeline,
        "wants_words": client.wants_words,  # type: ignore[attr-defined]
        "checkin_low": low_items(client.last_checkin),  # type: ignore[attr-defined]
    }


@require_safe
def client_detail(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """The client's record with their goals; `?print=1` is its print version,
    recorded as a print rather than a read (the one audited way to paper)."""
    printing = request.GET.get("print") == "1"
    record = _open_record(
        request, pk, read_as=Action.PRINT if printing else Action.READ
    )
    client, access = record["client"], record["client_access"]
    # Every section is read here, none from the template (Jinja2 content,
    # hr_clinic/jinja2.py): the print version leaves out what is for the
    # screen only (prompts, the notice line, appointments, the hand-over).
    sections: dict[str, Any] = {
        "amendment_entries": amendments_on_record(client=client, user=request.user)
    }
    if printing:
        sections |= {"now": timezone.now(), "part2_label": part2.statement_for("label")}
    else:
        sections |= {
            "safety_prompts": client_safety_prompts_shown(
                user=request.user, client=client
            ),
            "notice_given_on": notice_given_on(client=client, user=request.user),
            "upcoming": upcoming_shown(user=request.user, client=client),
        }
        if access.change:
            sections["offer"] = hand_over_steps(
                consent_waiting=consent_is_waiting(client=client, user=request.user)
            )
            sections["measures"] = screen_measure_choices()
    return render_content(
        request,
        "clients/client_detail.jinja",
        {**record, **sections, "tab_overview": True, "print_view": printing},
        title=client.chosen_name,
        scripts=("js/print-view.js",) if printing else (),
    )


@require_safe
def client_record_pdf(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """The print version as a PDF download: a file that leaves the service,
    recorded as an export of this client (the print version records a print)."""
    record = _open_record(request, pk, read_as=Action.EXPORT)
    data = documents.client_record_pdf(
        client=record["client"],
        goals=record["goals"],
        recent_sessions=record["recent_sessions"],
        history=record["history"],
        emergency_grant=getattr(request, "emergency_grant", None),
    )
    return pdf_response(
        data,
        filename=f"client-record-{record['client'].pk}-"
        f"{timezone.localdate().isoformat()}.pdf",
    )


def client_update(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    client = open_client_to_change(request, pk)
    form = ClientForm(request.POST or None, instance=client, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=form.save(commit=False), by=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(client)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


def client_close(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    client = open_client_to_change(request, pk)
    if client.is_closed:
        messages.info(request, "This record is already closed.")
        return redirect(client)
    form = CloseForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_close(
                client=client,
                by=request.user,
                reason=form.cleaned_data["reason"],
                closed_on=form.cleaned_data["closed_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The record is closed. It can be reopened.")
            return redirect(client)
    return render(
        request, "clients/client_close.html", {"form": form, "client": client}
    )


@require_POST
def client_status_update(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Pause, resume or reopen a record."""
    client = open_client_to_change(request, pk)
    to_status = {
        "pause": ClientStatus.PAUSED,
        "resume": ClientStatus.ACTIVE,
        "reopen": ClientStatus.ACTIVE,
    }.get(request.POST.get("action", ""))
    if to_status is None:
        messages.error(request, "That change is not available.")
        return redirect(client)
    # A pause may carry the day to look at the record again.
    review = ReviewOnForm(request.POST)
    if to_status == ClientStatus.PAUSED and not review.is_valid():
        messages.error(request, " ".join(map(str, review.errors["review_on"])))
        return redirect(client)
    try:
        services.client_set_open_status(
            client=client,
            by=request.user,
            to_status=to_status,
            review_on=review.cleaned_data.get("review_on")
            if to_status == ClientStatus.PAUSED
            else None,
        )
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The record is now {to_status.label.lower()}.")
    return redirect(client)


def client_reassign(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Change a client's primary clinician: supervisors within their team, admins
    across the service. The page shows the chosen name and clinicians only."""
    client = audit.open_record(
        request,
        Client.objects.reassignable_by(request.user).select_related("clinician"),
        pk=pk,
    )
    form = ReassignForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_reassign(
                client=client,
                to_clinician=form.cleaned_data["clinician"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"{client.chosen_name} now has {form.cleaned_data['clinician'].name} "
                "as primary clinician.",
            )
            if (
                request.user.carries_caseload
                and Client.objects.visible_to(request.user)
                .filter(pk=client.pk)
                .exists()
            ):
                return redirect(client)
            return redirect("home")
    return render(
        request, "clients/client_reassign.html", {"form": form, "client": client}
    )
