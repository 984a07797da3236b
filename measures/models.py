"""Standard measures taken with or by the client (issue #22, section 3).

A response is kept exactly as it was scored (its answers, total and band
label), never changed and never deleted (PostgreSQL refuses both): a later
change to a definition never rewrites what a person said. A PHQ-9 with item 9
above 0 asks the clinician to check in about safety; the check-in they record
is its own row, also kept as written.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

# Rows of a client are seen through the client's visibility, the one rule.
from clients.access import ClientChildQuerySet
from clients.models import Client
from hr_clinic.lib.urls import record_url
from measures import definitions


class EnteredHow(models.TextChoices):
    WITH_CLINICIAN = "with_clinician", "With the clinician"
    CLIENT_DEVICE = "client_device", "By the client on this device"


class MeasureResponseQuerySet(ClientChildQuerySet):
    def needing_safety_check(self) -> MeasureResponseQuerySet:
        """Responses that asked for a safety check-in not yet recorded."""
        return self.filter(  # type: ignore[no-any-return]
            needs_safety_check=True, safety_check__isnull=True
        )


class MeasureResponse(definitions.OfMeasure, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="measure_responses"
    )
    # The note of the session it was taken in, if any.
    session = models.ForeignKey(
        "therapy_sessions.TherapySession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measure_responses",
    )
    code = models.CharField("measure", max_length=20)
    # Item key → points, as answered.
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField()
    # The band's label as scored, kept even if a definition changes later.
    band = models.CharField(max_length=40, blank=True)
    needs_safety_check = models.BooleanField(default=False)
    taken_on = models.DateField(default=timezone.localdate)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_how = models.CharField(
        max_length=20, choices=EnteredHow.choices, default=EnteredHow.WITH_CLINICIAN
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The token of the form that made it (hr_clinic.lib.form_tokens).
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = MeasureResponseQuerySet.as_manager()

    class Meta:
        ordering = ["taken_on", "created_at"]
        indexes = [
            models.Index(
                fields=["client", "code", "taken_on"], name="measure_client_code_idx"
            ),
            models.Index(
                fields=["client"],
                condition=Q(needs_safety_check=True),
                name="measure_safety_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(code=""), name="measure_response_has_code"
            ),
            models.CheckConstraint(
                condition=Q(entered_how__in=EnteredHow.values),
                name="measure_response_entered_how_valid",
            ),
            models.CheckConstraint(
                condition=Q(taken_on__gte="1900-01-01"),
                name="measure_response_taken_after_1900",
            ),
            # One response per filled-in form.
            models.UniqueConstraint(
                fields=["client", "entered_by", "form_token"],
                name="measure_response_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"measure response {self.pk}"

    def get_absolute_url(self) -> str:
        return record_url("measures:detail", self.pk)


class SafetyCheck(models.Model):
    """That the clinician checked in about safety after a response asked for
    it: who, when (the database clock) and, briefly, what was done."""

    response = models.OneToOneField(
        MeasureResponse, on_delete=models.PROTECT, related_name="safety_check"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(db_default=Now())
    note = models.TextField("what was done", max_length=2000)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(note=""), name="measure_safety_check_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"safety check {self.pk}"
