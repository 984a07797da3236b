"""Requests to change the record (HIPAA §164.526, issue #20): the client's
list, the request form, the request page with its decision and statement
forms. Every page opens the client (or the request through its client)
through clients.access: another clinician's client is a 404; recording a
request is the primary clinician's (403 for a supervisor, who reads);
deciding and recording a statement is the primary clinician's or their
supervisor's (clients.access.may_decide_amendment)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from clients.access import Access, may_decide_amendment, open_client, open_client_child
from hr_clinic.lib.forms import add_service_error
from records import amendments as services
from records import selectors
from records.forms import (
    AmendmentDecisionForm,
    AmendmentRequestForm,
    AmendmentStatementForm,
)
from records.models import AmendmentRequest
from staff.decorators import AuthenticatedHttpRequest


@require_safe
def amendment_list(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    client, access = open_client(request, client_pk)
    return render(
        request,
        "records/amendment_list.html",
        {
            "client": client,
            "client_access": access,
            "tab_overview": True,
            "amendments": selectors.amendment_list(client=client, user=request.user),
        },
    )


def amendment_create(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    client, access = open_client(request, client_pk, to_change=True)
    user = request.user
    form = AmendmentRequestForm(
        request.POST or None,
        notes=selectors.amendable_notes(client=client, user=user),
        goals=selectors.amendable_goals(client=client, user=user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.amendment_request_record(
                client=client, by=user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Request recorded. It is due by {amendment.due_on:%d %b %Y}.",
            )
            return redirect(amendment)
    return render(
        request,
        "records/amendment_form.html",
        {"client": client, "client_access": access, "tab_overview": True, "form": form},
    )


def _open(
    request: AuthenticatedHttpRequest, pk: object
) -> tuple[AmendmentRequest, Access]:
    return open_client_child(
        request, selectors.amendment_get(user=request.user, pk=pk), pk
    )


def _detail(
    request: AuthenticatedHttpRequest,
    amendment: AmendmentRequest,
    access: Access,
    **forms: Form,
) -> HttpResponse:
    decided = hasattr(amendment, "decision")
    may_decide = may_decide_amendment(request.user, amendment.client, access.grant)
    context: dict[str, Any] = {
        "amendment": amendment,
        "decision": amendment.decision if decided else None,  # type: ignore[attr-defined]
        "statement": getattr(amendment, "statement", None),
        "client": amendment.client,
        "client_access": access,
        "tab_overview": True,
        "may_decide": may_decide,
        "privacy_contact": settings.PRIVACY_CONTACT,
    }
    if may_decide and not decided:
        context["decide_form"] = forms.get("decide_form") or AmendmentDecisionForm()
    if may_decide and context["decision"] and context["decision"].is_denied:
        context["statement_form"] = (
            forms.get("statement_form") or AmendmentStatementForm()
        )
    return render(request, "records/amendment_detail.html", context)


@require_safe
def amendment_detail(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    amendment, access = _open(request, pk)
    return _detail(request, amendment, access)


@require_POST
def amendment_decide(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    amendment, access = _open(request, pk)
    form = AmendmentDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.amendment_decide(
                request=amendment, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            if services.DECIDED not in exc.messages:
                add_service_error(form, exc)
                return _detail(request, amendment, access, decide_form=form)
            # Decided already (elsewhere, or by this very form): the page
            # shows the decision, with why nothing more was recorded.
            messages.error(request, services.DECIDED)
        else:
            messages.success(request, "Decision recorded.")
        return redirect(amendment)
    return _detail(request, amendment, access, decide_form=form)


@require_POST
def amendment_statement(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    amendment, access = _open(request, pk)
    form = AmendmentStatementForm(request.POST)
    if form.is_valid():
        try:
            services.amendment_statement_record(
                request=amendment, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            # Nothing the person can fix on the form (there is no decision
            # to disagree with, or a statement is already recorded): the
            # page says why, with what is recorded.
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "The client's statement is recorded.")
        return redirect(amendment)
    return _detail(request, amendment, access, statement_form=form)
