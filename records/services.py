"""Writes for the client's copy of their record (issue #20): logging a
request for a copy, making an export, recording that the copy was given.
Each checks who may write, writes in one transaction and records its audit
event."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from audit.models import Action
from clients.access import may_change_client
from clients.models import Client
from hr_clinic.lib.form_tokens import create_once, same_values
from records import jobs
from records.models import (
    COPY_DUE_DAYS,
    CopyFulfilment,
    CopyRequest,
    ExportState,
    HandedHow,
    RecordExport,
)
from staff.models import User


def _check_may_change(by: User, client: Client) -> None:
    # The client's primary clinician, who gives them their copy; a
    # supervisor reads the requests and their due dates.
    if not may_change_client(by, client):
        raise PermissionDenied("Only the client's clinician gives them their copy.")


def _check_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationError("The start of the range is after its end.")


@transaction.atomic
def copy_request_log(
    *,
    client: Client,
    by: User,
    asked_on: dt.date,
    format: str,
    asked_by: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    form_token: uuid.UUID | None = None,
) -> CopyRequest:
    """Log that `client` asked for a copy of their record; it is due 30 days
    after it was asked (HIPAA §164.524(b)(2)) and stays on the due lists
    until fulfilled."""
    _check_may_change(by, client)
    if asked_on > timezone.localdate():
        raise ValidationError("The date asked cannot be in the future.")
    _check_range(date_from, date_to)
    typed = {
        "asked_on": asked_on,
        "asked_by": asked_by.strip(),
        "format": format,
        "date_from": date_from,
        "date_to": date_to,
    }

    def create() -> CopyRequest:
        request = CopyRequest(
            client=client,
            recorded_by=by,
            due_on=asked_on + dt.timedelta(days=COPY_DUE_DAYS),
            form_token=form_token,
            **typed,
        )
        request.full_clean()
        request.save()
        audit.record(actor=by, action=Action.CREATE, obj=request, client_id=client.pk)
        return request

    request, _ = create_once(
        earlier=CopyRequest.objects.filter(client=client, recorded_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already logged a request, shown below. To log "
        "another as well, check it and press Log the request again.",
    )
    return request


@transaction.atomic
def export_start(
    *,
    client: Client,
    by: User,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    request: CopyRequest | None = None,
    form_token: uuid.UUID | None = None,
) -> RecordExport:
    """Start making the PDF of `client`'s record (records.jobs); returns at
    once. A re-sent form returns the export the first send started."""
    _check_may_change(by, client)
    _check_range(date_from, date_to)
    if request is not None and request.client_id != client.pk:
        raise ValidationError("That request is not this client's.")
    typed = {"date_from": date_from, "date_to": date_to, "request": request}

    def create() -> RecordExport:
        export = RecordExport(
            client=client, requested_by=by, form_token=form_token, **typed
        )
        export.full_clean(exclude=["content"])
        export.save()
        audit.record(actor=by, action=Action.CREATE, obj=export, client_id=client.pk)
        return export

    export, created = create_once(
        earlier=RecordExport.objects.filter(client=client, requested_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already started a PDF, shown below.",
    )
    if created:
        jobs.empty_expired()
        jobs.start(export)
    return export


@transaction.atomic
def export_again(*, export: RecordExport, by: User) -> RecordExport:
    """Start a new export like `export`, which failed or was lost."""
    if export.state == ExportState.READY:
        raise ValidationError("This PDF is ready: download it.")
    return export_start(
        client=export.client,
        by=by,
        date_from=export.date_from,
        date_to=export.date_to,
        request=export.request,
    )


@transaction.atomic
def copy_fulfil(
    *,
    request: CopyRequest,
    by: User,
    fulfilled_on: dt.date,
    how: str,
    export: RecordExport | None = None,
) -> CopyFulfilment:
    """Record that the copy asked for in `request` was given; it leaves the
    due lists."""
    _check_may_change(by, request.client)
    if fulfilled_on > timezone.localdate():
        raise ValidationError("The date cannot be in the future.")
    if fulfilled_on < request.asked_on:
        raise ValidationError(
            "The copy cannot have been given before it was asked for."
        )
    if how not in HandedHow.values:
        raise ValidationError("Choose how the copy was given.")
    if export is not None and export.client_id != request.client_id:
        raise ValidationError("That PDF is of another record.")
    if CopyFulfilment.objects.filter(request=request).exists():
        raise ValidationError("This request has already been fulfilled.")
    fulfilment = CopyFulfilment(
        request=request,
        fulfilled_on=fulfilled_on,
        how=how,
        export=export,
        fulfilled_by=by,
    )
    fulfilment.full_clean()
    fulfilment.save()
    audit.record(
        actor=by, action=Action.UPDATE, obj=request, client_id=request.client_id
    )
    return fulfilment
