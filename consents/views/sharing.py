"""Sharing records (issue #19, item 5 and 6): under a consent, or without one
where Part 2 allows it; and the package each share made, to print or
download. Only the client's clinician shares (services); a supervisor and an
emergency-access holder read the packages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from audit.models import Action
from clients.access import Access, open_client, open_client_child
from clients.models import Client
from consents import selectors, services
from consents.forms import PackageForm, ShareForm, ShareWithoutConsentForm
from consents.models import ORDINARY_ITEMS, TPO_DESIGNATION, Disclosure
from consents.package import package_pdf
from hr_clinic.lib.forms import add_service_error
from hr_clinic.lib.pdf import pdf_response
from staff.decorators import AuthenticatedHttpRequest


def _picked(form: PackageForm, shareable: selectors.Shareable) -> services.Picked:
    """What the form's ticks name, in the order a reader goes through it
    (oldest first)."""
    data = form.cleaned_data
    attendance: list[Any] = []
    if data.get("attendance"):
        sessions = shareable.sessions.order_by("started_at")
        if data.get("attendance_from"):
            sessions = sessions.filter(started_at__date__gte=data["attendance_from"])
        attendance = list(sessions)
    return services.Picked(
        attendance=attendance,
        goals=list(data["goals"].order_by("set_on", "created_at"))
        if data.get("goals")
        else [],
        notes=list(data["notes"].order_by("started_at")) if data.get("notes") else [],
        counseling_notes=list(data["counseling_notes"].order_by("created_at"))
        if data.get("counseling_notes")
        else [],
    )


def _client_page(
    request: AuthenticatedHttpRequest,
    template: str,
    client: Client,
    access: Access,
    **context: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {"client": client, "client_access": access, "tab_consent": True, **context},
    )


def share(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    """Share records under a consent: first who it is for (an active consent
    and a recipient it names, `?to=`), then what, within that consent's
    scope only."""
    client, access = open_client(request, client_pk, to_change=True)
    key = request.POST.get("to") or request.GET.get("to") or ""
    option = selectors.share_option(client=client, key=key) if key else None
    if option is None:
        if key:
            messages.error(
                request,
                "That consent no longer covers sharing (it was revoked or has "
                "ended). Choose again; nothing was shared.",
            )
        return _client_page(
            request,
            "consents/share_choose.html",
            client,
            access,
            options=selectors.share_options(client=client),
            tpo_designation=TPO_DESIGNATION,
        )
    shareable = selectors.shareable(client=client, user=request.user)
    form = ShareForm(
        request.POST or None,
        scope=option.consent.scope,
        shareable=shareable,
        tpo=option.recipient is None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            disclosure = services.share_records(
                client=client,
                by=request.user,
                picked=_picked(form, shareable),
                consent=option.consent,
                recipient=option.recipient,
                recipient_name=form.cleaned_data.get("recipient_name", ""),
                recipient_facility=form.cleaned_data.get("recipient_facility", ""),
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                "Shared and recorded. Print the package or download it as a PDF "
                "to send.",
            )
            return redirect("consents:disclosure", disclosure.pk)
    return _client_page(
        request,
        "consents/share_form.html",
        client,
        access,
        option=option,
        form=form,
        tpo_designation=TPO_DESIGNATION,
    )


def share_without_consent(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    """Record a disclosure Part 2 allows without consent (a medical
    emergency, a court order, a report the law requires) and make its
    package. SUD counseling notes are never offered here."""
    client, access = open_client(request, client_pk, to_change=True)
    shareable = selectors.shareable(client=client, user=request.user)
    form = ShareWithoutConsentForm(
        request.POST or None, scope=set(ORDINARY_ITEMS), shareable=shareable
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disclosure = services.share_records(
                client=client,
                by=request.user,
                picked=_picked(form, shareable),
                kind=data["kind"],
                recipient_name=data["recipient_name"],
                recipient_facility=data["recipient_facility"],
                form_token=data["form_token"],
                occurred_at=data["occurred_at"],
                emergency_nature=data["emergency_nature"],
                court_order_reference=data["court_order_reference"],
                report_basis=data["report_basis"],
                what_detail=data["what_detail"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Recorded in the ledger.")
            return redirect("consents:disclosure", disclosure.pk)
    return _client_page(
        request, "consents/share_without_consent.html", client, access, form=form
    )


def _open_disclosure(
    request: AuthenticatedHttpRequest, pk: object, *, read_as: str
) -> tuple[Disclosure, Access]:
    disclosure, access = open_client_child(
        request,
        Disclosure.objects.visible_to(request.user)
        .filter(pk=pk)
        .select_related("disclosed_by", "consent", "recipient"),
        pk,
        read_as=read_as,
    )
    if disclosure.consent is not None:
        disclosure.consent.client = disclosure.client
    return disclosure, access


@require_safe
def disclosure_detail(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """The package as it was sent, with its ledger facts; `?print=1` is the
    version to print and send."""
    print_view = request.GET.get("print") == "1"
    disclosure, access = _open_disclosure(
        request, pk, read_as=Action.PRINT if print_view else Action.READ
    )
    return _client_page(
        request,
        "consents/disclosure_detail.html",
        disclosure.client,
        access,
        disclosure=disclosure,
        package=disclosure.package,
        contents=disclosure.package.get("contents", {}),
        consent=disclosure.consent,
        print_view=print_view,
        tpo_designation=TPO_DESIGNATION,
    )


@require_safe
def disclosure_pdf(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """The package as a PDF download (audited as an export)."""
    disclosure, _ = _open_disclosure(request, pk, read_as=Action.EXPORT)
    if disclosure.consent is not None:
        disclosure.consent = selectors.consent_get(
            user=request.user, pk=disclosure.consent_id
        ).get()
    return pdf_response(
        package_pdf(disclosure),
        filename=f"shared-{disclosure.disclosed_at:%Y-%m-%d}-{disclosure.pk}.pdf",
    )
