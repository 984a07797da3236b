"""Notice, consent and revocation pages (issue #19). Every page about a client opens it
through clients.access (404 outside visibility, 403 for a change someone may
only read); an admin sees none of it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from audit.models import Action
from clients.access import Access, open_client, open_client_child
from consents import selectors, services
from consents.forms import (
    ConsentForm,
    NoticeForm,
    RecipientFormSet,
    RevokeForm,
    SignForm,
)
from consents.models import TPO_DESIGNATION, Consent, ConsentKind
from hr_clinic.lib.forms import add_service_error
from staff.decorators import AuthenticatedHttpRequest


def _statements() -> dict[str, object]:
    return {"part2": settings.PART2_PROGRAM, "tpo_designation": TPO_DESIGNATION}


def _open_consent(
    request: AuthenticatedHttpRequest,
    pk: object,
    *,
    to_change: bool = False,
    read_as: str = Action.READ,
) -> tuple[Consent, Access]:
    return open_client_child(
        request,
        selectors.consent_get(user=request.user, pk=pk),
        pk,
        to_change=to_change,
        read_as=read_as,
    )


@require_safe
def notice(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The service's written summary of clients' privacy rights (§2.22),
    to print and give. Service text only: no client's data."""
    return render(
        request,
        "consents/notice.html",
        {**_statements(), "contact": settings.PRIVACY_CONTACT},
    )


@require_safe
def client_consents(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    client, access = open_client(request, client_pk)
    user = request.user
    return render(
        request,
        "consents/client_consents.html",
        {
            "client": client,
            "client_access": access,
            "tab_consent": True,
            "notice": selectors.notice_latest(client=client, user=user),
            "consents": selectors.consent_list(client=client, user=user),
            "disclosures": selectors.disclosure_list(client=client, user=user),
        },
    )


def notice_record(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    client, access = open_client(request, client_pk, to_change=True)
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_record(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Recorded that the privacy notice was given.")
            return redirect("consents:client", client.pk)
    return render(
        request,
        "consents/notice_form.html",
        {"client": client, "client_access": access, "tab_consent": True, "form": form},
    )


def consent_create(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    client, access = open_client(request, client_pk, to_change=True)
    form = ConsentForm(request.POST or None)
    recipients = RecipientFormSet(request.POST or None, prefix="recipient")
    if request.method == "POST" and form.is_valid() and recipients.is_valid():
        named = [
            services.RecipientIn(**r) for r in recipients.cleaned_data if r.get("name")
        ]
        try:
            consent = services.consent_create(
                client=client, by=request.user, recipients=named, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if consent.signed_how == "device":
                return redirect("consents:sign", consent.pk)
            messages.success(request, "Consent recorded.")
            return redirect(consent)
    return render(
        request,
        "consents/consent_form.html",
        {
            **_statements(),
            "client": client,
            "client_access": access,
            "tab_consent": True,
            "form": form,
            "recipients": recipients,
        },
    )


@require_safe
def consent_detail(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    print_view = request.GET.get("print") == "1"
    consent, access = _open_consent(
        request, pk, read_as=Action.PRINT if print_view else Action.READ
    )
    return render(
        request,
        "consents/consent_detail.html",
        {
            **_statements(),
            "consent": consent,
            "client": consent.client,
            "client_access": access,
            "tab_consent": True,
            "print_view": print_view,
        },
    )


def consent_sign(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """The client-facing screen: the consent in plain words and a place to
    sign, and nothing else of the record (no navigation, no other data)."""
    consent, _ = _open_consent(request, pk, to_change=True)
    signed = hasattr(consent, "device_signature") or consent.signed_how != "device"
    form = SignForm(request.POST or None)
    if request.method == "POST" and not signed and form.is_valid():
        try:
            services.consent_sign_on_device(
                consent=consent,
                by=request.user,
                typed_name=form.cleaned_data["typed_name"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("consents:sign", consent.pk)
    return render(
        request,
        "consents/consent_sign.html",
        {**_statements(), "consent": consent, "form": form, "signed": signed},
    )


def consent_revoke(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    consent, access = _open_consent(request, pk, to_change=True)
    open_recipients = selectors.recipients_open(consent)
    form = RevokeForm(
        request.POST or None, recipients=open_recipients, named=consent.recipients.all()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_revoke(
                consent=consent, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, "Revocation recorded: from now it covers nothing of that."
            )
            return redirect(consent)
    return render(
        request,
        "consents/consent_revoke.html",
        {
            "consent": consent,
            "client": consent.client,
            "client_access": access,
            "tab_consent": True,
            "form": form,
            "named": consent.kind != ConsentKind.TPO,
        },
    )
