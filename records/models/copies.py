"""A client's request for a copy of their record (HIPAA §164.524), its
fulfilment, and the exports the product makes of the record (issue #20).

A request and its fulfilment are written once and kept (append-only in
PostgreSQL). An export is a job: made in the background, its progress kept on
the row so the page can show it, its file kept for a day (EXPORT_KEEP_HOURS)
and then emptied; the row stays as the history of what was made, when and by
whom.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Now
from django.urls import reverse

from clients.access import ClientChildQuerySet
from clients.models import Client

# §164.524(b)(2): act on a request no later than 30 days after receiving it.
COPY_DUE_DAYS = 30


class CopyFormat(models.TextChoices):
    PDF = "pdf", "A PDF to read"
    FHIR = "fhir", "A machine-readable copy (FHIR) for another provider's system"
    BOTH = "both", "Both"


class CopyRequestQuerySet(ClientChildQuerySet):
    def open(self) -> CopyRequestQuerySet:
        """Not fulfilled yet."""
        done = CopyFulfilment.objects.filter(request=OuterRef("pk"))
        return self.exclude(Exists(done))  # type: ignore[no-any-return]


class CopyRequest(models.Model):
    """The client asked for a copy of their record: logged on the record, on
    the clinician's and supervisor's due lists until it is fulfilled."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    asked_on = models.DateField()
    # Who asked, when not the client in person (a person they chose to act
    # for them); empty means the client.
    asked_by = models.CharField(max_length=200, blank=True)
    format = models.CharField(max_length=10, choices=CopyFormat.choices)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    due_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = CopyRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes = [
            models.Index(fields=["client", "due_on"], name="copy_request_client_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=CopyFormat.values),
                name="copy_request_format_known",
            ),
            models.CheckConstraint(
                condition=Q(due_on=F("asked_on") + dt.timedelta(days=COPY_DUE_DAYS)),
                name="copy_request_due_in_30_days",
            ),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True)
                | Q(date_to__isnull=True)
                | Q(date_from__lte=F("date_to")),
                name="copy_request_range_in_order",
            ),
            models.UniqueConstraint(
                fields=["client", "recorded_by", "form_token"],
                name="copy_request_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"copy request {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("records:client", args=[self.client_id]) + f"#request-{self.pk}"

    @property
    def is_everything(self) -> bool:
        return self.date_from is None and self.date_to is None


class HandedHow(models.TextChoices):
    IN_PERSON = "in_person", "Given in person (printed or on a device they chose)"
    SECURE_MESSAGE = "secure_message", "Sent by a secure message they agreed to"
    POST = "post", "Posted to an address they gave"
    OTHER = "other", "Another way"


class CopyFulfilment(models.Model):
    """The copy was given: how, when, by whom, and the export it was made
    from (when the product made it)."""

    request = models.OneToOneField(
        CopyRequest, on_delete=models.PROTECT, related_name="fulfilment"
    )
    fulfilled_on = models.DateField()
    how = models.CharField(max_length=20, choices=HandedHow.choices)
    export = models.ForeignKey(
        "records.RecordExport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(how__in=HandedHow.values), name="copy_fulfilment_how_known"
            )
        ]

    def __str__(self) -> str:
        return f"fulfilment of {self.request_id}"


class ExportState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Could not be made"


class RecordExportQuerySet(ClientChildQuerySet):
    pass


class RecordExport(models.Model):
    """One PDF of a client's record, made in the background (records.jobs).
    `done`/`total` is its progress for the page that waits on it; `content`
    the file, emptied EXPORT_KEEP_HOURS after it was made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        CopyRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(db_default=Now())
    finished_at = models.DateTimeField(null=True, blank=True)
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = RecordExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="export_client_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ExportState.values), name="export_state_known"
            ),
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="export_progress_in_range"
            ),
            models.UniqueConstraint(
                fields=["client", "requested_by", "form_token"],
                name="export_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("records:export", args=[self.pk])

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
