"""Opening a consent or a ledger row: through its client, as every page about
a client is opened (clients.access)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet

from audit import services as audit
from audit.models import Action
from clients.access import Access, open_client
from staff.decorators import AuthenticatedHttpRequest

R = TypeVar("R", bound=Any)


def open_client_record(
    request: AuthenticatedHttpRequest,
    records: QuerySet[R],
    pk: object,
    *,
    to_change: bool = False,
    read_as: str = Action.READ,
) -> tuple[R, Access]:
    """The record `pk` among `records` (already limited to what the person may
    see: 404 otherwise, an audited denial when it exists), with the person's
    access to its client; with `to_change`, 403 unless they are the client's
    clinician. A GET is audited as `read_as` (read, print or export)."""
    record = audit.get_visible_or_404(records, actor=request.user, pk=pk)
    client, access = open_client(
        request, record.client_id, to_change=to_change, read_event=False
    )
    record.client = client
    if request.method == "GET":
        audit.record(
            actor=request.user,
            action=read_as,
            obj=record,
            emergency_grant_id=access.grant_id,
        )
    return record, access
