"""Making a record's PDF in the background (issue #20).

The page that asks for an export returns at once; the PDF is made on a
thread of the web process after the request's transaction commits, and
saves its progress on the RecordExport row (its own short transactions), so
the waiting page, which reloads itself every few seconds, shows how far it
has got. A web worker is never held for the minutes a large record could
take, and nothing outside the web process is needed (no queue, no second
service for `make run`). The cost: an export in flight when the process
stops is lost; its row then stops moving and the page says so
(`EXPORT_STALE_SECONDS`) and offers to start again.

`RECORD_EXPORT_INLINE` (tests) makes it in the request instead, after the
same commit: the same code, without a thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from clients.models import Client
from records.documents import record_copy_pdf
from records.models import ExportState, RecordExport
from records.selectors import record_copy

logger = logging.getLogger("hr_clinic.records")


def start(export: RecordExport) -> None:
    """Make `export`'s PDF on a thread once the current transaction has
    committed (the thread's connection must see the row), or, with
    RECORD_EXPORT_INLINE, here and now."""
    if settings.RECORD_EXPORT_INLINE:
        run(export.pk)
        return
    transaction.on_commit(lambda: _launch(export.pk))


def _launch(pk: Any) -> None:
    threading.Thread(
        target=_run_and_close, args=(pk,), name=f"record-export-{pk}", daemon=True
    ).start()


def _run_and_close(pk: Any) -> None:
    try:
        run(pk)
    finally:
        # The thread's own connection: never left open after the job.
        connection.close()


def _save(pk: Any, **values: Any) -> None:
    RecordExport.objects.filter(pk=pk).update(updated_at=Now(), **values)


def run(pk: Any) -> None:
    """Make the PDF of export `pk`: read the record as the person who asked
    may see it, lay it out, keep the file. Any failure is kept on the row as
    a plain message (and logged without client data), never raised into a
    request."""
    export = RecordExport.objects.select_related("requested_by").get(pk=pk)
    if export.state != ExportState.QUEUED:
        return
    began = time.monotonic()
    _save(pk, state=ExportState.RUNNING)
    try:
        client = Client.objects.select_related("clinician").get(pk=export.client_id)
        copy = record_copy(
            client=client,
            user=export.requested_by,
            date_from=export.date_from,
            date_to=export.date_to,
        )
        _save(pk, done=0, total=len(copy.notes))
        doc = record_copy_pdf(
            copy, progress=lambda done, total: _save(pk, done=done, total=total)
        )
        data = doc.output()
    except Exception:  # a job's failure is shown on its page, not raised
        logger.exception("record export failed", extra={"export_id": str(pk)})
        _save(
            pk,
            state=ExportState.FAILED,
            error="Something went wrong making this PDF. Start it again; if it "
            "fails again, tell your administrator.",
            finished_at=Now(),
        )
        return
    _save(
        pk,
        state=ExportState.READY,
        content=data,
        size=len(data),
        pages=doc.page_count,
        done=F("total"),
        seconds=round(time.monotonic() - began, 3),
        finished_at=Now(),
    )


def is_stale(export: RecordExport) -> bool:
    """Queued or running but not moved for EXPORT_STALE_SECONDS: the process
    making it has stopped."""
    if export.state not in (ExportState.QUEUED, ExportState.RUNNING):
        return False
    quiet = (timezone.now() - export.updated_at).total_seconds()
    return quiet > settings.EXPORT_STALE_SECONDS


def is_expired(export: RecordExport) -> bool:
    """Made more than EXPORT_KEEP_HOURS ago: the file is no longer kept."""
    if export.finished_at is None:
        return False
    age = (timezone.now() - export.finished_at).total_seconds()
    return age > settings.EXPORT_KEEP_HOURS * 3600


def empty_expired() -> int:
    """Empty the files of exports made more than EXPORT_KEEP_HOURS ago (the
    rows stay). Called whenever an export is started."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    return RecordExport.objects.filter(
        finished_at__lt=cutoff, content__isnull=False
    ).update(content=None)
