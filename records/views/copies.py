"""The client's copy of their record (issue #20): the "Their copy" tab,
requests for a copy and their fulfilment, the PDF made in the background and
its download, and the list of requests due."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from audit import services as audit
from audit.models import Action
from clients.access import open_client, open_client_child
from hr_clinic.lib.forms import add_service_error
from hr_clinic.lib.pdf import pdf_response
from records import jobs, selectors, services
from records.forms import CopyRequestForm, ExportForm, FulfilForm
from records.models import CopyFulfilment, CopyRequest, ExportState, RecordExport
from staff.decorators import AuthenticatedHttpRequest, caseload_only


@require_safe
def client_copy(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    """Their copy: the requests for it, the PDFs made and the machine-readable
    copy."""
    client, access = open_client(request, client_pk)
    user = request.user
    return render(
        request,
        "records/client_copy.html",
        {
            "client": client,
            "client_access": access,
            "tab_copy": True,
            "requests": selectors.copy_requests(client=client, user=user),
            "exports": selectors.exports(client=client, user=user)[:10],
            "export_form": ExportForm(),
        },
    )


def copy_request_create(
    request: AuthenticatedHttpRequest, client_pk: object
) -> HttpResponse:
    client, access = open_client(request, client_pk, to_change=True)
    form = CopyRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.copy_request_log(
                client=client, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Request logged. It is due within 30 days.")
            return redirect("records:client", client.pk)
    return render(
        request,
        "records/copy_request_form.html",
        {"client": client, "client_access": access, "tab_copy": True, "form": form},
    )


@require_POST
def export_create(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    """Start the PDF; the export's page shows its progress."""
    client, _ = open_client(request, client_pk, to_change=True)
    form = ExportForm(request.POST)
    request_pk = request.POST.get("request")
    copy_request = (
        selectors.copy_requests(client=client, user=request.user)
        .filter(pk=request_pk)
        .first()
        if request_pk
        else None
    )
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
        return redirect("records:client", client.pk)
    try:
        export = services.export_start(
            client=client, by=request.user, request=copy_request, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("records:client", client.pk)
    return redirect(export)


def _open_export(
    request: AuthenticatedHttpRequest,
    pk: object,
    *,
    to_change: bool = False,
    read_as: str = Action.READ,
) -> tuple[RecordExport, object]:
    return open_client_child(  # type: ignore[no-any-return]
        request,
        selectors.export_get(user=request.user, pk=pk).select_related("requested_by"),
        pk,
        to_change=to_change,
        read_as=read_as,
    )


@require_safe
def export_detail(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """The export's progress (the page reloads itself while it runs) and,
    once made, its download."""
    export, access = _open_export(request, pk)
    stale, expired = jobs.is_stale(export), jobs.is_expired(export)
    return render(
        request,
        "records/export_detail.html",
        {
            "client": export.client,
            "client_access": access,
            "tab_copy": True,
            "export": export,
            "stale": stale,
            "expired": expired,
            "waiting": export.state in (ExportState.QUEUED, ExportState.RUNNING)
            and not stale,
        },
    )


@require_safe
def export_download(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """The made PDF (audited as an export of the client), under a file name
    that does not name them."""
    export, _ = _open_export(request, pk, read_as=Action.EXPORT)
    data = (
        RecordExport.objects.filter(pk=export.pk, state=ExportState.READY)
        .values_list("content", flat=True)
        .first()
    )
    if data is None or jobs.is_expired(export):
        messages.error(request, "This PDF is no longer kept. Make it again.")
        return redirect("records:client", export.client_id)
    return pdf_response(
        bytes(data),
        filename=f"record-{export.client_id}-{export.created_at:%Y-%m-%d}.pdf",
    )


@require_POST
def export_retry(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    export, _ = _open_export(request, pk, to_change=True)
    try:
        again = services.export_again(export=export, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(export)
    return redirect(again)


def copy_fulfil(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Record that the copy asked for was given."""
    copy_request, access = open_client_child(
        request,
        CopyRequest.objects.visible_to(request.user).filter(pk=pk),
        pk,
        to_change=True,
    )
    if hasattr(copy_request, "fulfilment"):
        messages.info(request, "This request was fulfilled already.")
        return redirect("records:client", copy_request.client_id)
    exports = selectors.exports(client=copy_request.client, user=request.user).filter(
        state=ExportState.READY
    )
    form = FulfilForm(request.POST or None, exports=exports)
    if request.method == "POST" and form.is_valid():
        try:
            services.copy_fulfil(
                request=copy_request, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            # A second send of the form (another tab) found it fulfilled.
            if CopyFulfilment.objects.filter(request=copy_request).exists():
                return redirect("records:client", copy_request.client_id)
            add_service_error(form, exc)
        else:
            messages.success(request, "Recorded that the copy was given.")
            return redirect("records:client", copy_request.client_id)
    return render(
        request,
        "records/copy_fulfil.html",
        {
            "client": copy_request.client,
            "client_access": access,
            "tab_copy": True,
            "copy_request": copy_request,
            "form": form,
        },
    )


@require_safe
@caseload_only
def due_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Requests from clients still to answer on the person's caseload (a
    supervisor: and their team's), the soonest due first."""
    due = list(selectors.copy_requests_due(user=request.user))
    changes = list(
        selectors.open_amendments(user=request.user).select_related("client__clinician")
    )
    audit.record(
        actor=request.user,
        action=Action.LIST,
        object_type="copy_request",
        result_count=len(due) + len(changes),
        detail={
            "clients": sorted(
                {str(r.client_id) for r in due} | {str(r.client_id) for r in changes}
            )
        },
    )
    return render(
        request,
        "records/due_list.html",
        {"copy_requests": due, "amendments": changes},
    )
