"""Requests to change the record (HIPAA §164.526), their decisions and the
client's statements of disagreement (issue #20, "Amendment requests").

All three are written once and kept: PostgreSQL refuses UPDATE, DELETE and
TRUNCATE (migration records `amendments`), and the app role holds only
SELECT and INSERT on them (migration audit `records_app_role_grants`). What
spans two tables is PostgreSQL's too (`records_amendment_decision_fits`,
`records_amendment_statement_after_denial`): an acceptance of a request
about a note carries the addendum that made the correction on that very
note, and a statement of disagreement answers a request that was decided
"kept as it is".
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.db.models.functions import Now
from django.urls import reverse

from clients.access import ClientChildQuerySet
from clients.models import Client
from goals.models import Goal
from sessions.models import Addendum, TherapySession

# §164.526(b)(2): act on a request no later than 60 days after receiving it.
DAYS_TO_DECIDE = 60


class AmendmentPart(models.TextChoices):
    NOTE = "note", "A signed session note"
    GOAL = "goal", "A goal"
    OTHER = "other", "Another part of the record"


class AmendmentOutcome(models.TextChoices):
    # Kind names for both answers: the request is the client's right, and
    # "kept as it is" is a decision about the record, never about them.
    ACCEPTED = "accepted", "Changed as asked"
    DENIED = "denied", "Kept as it is, with the reason"


class AmendmentRequestQuerySet(ClientChildQuerySet):
    def waiting(self) -> AmendmentRequestQuerySet:
        """Not decided yet, oldest due first."""
        return self.filter(decision__isnull=True).order_by("due_on", "created_at")


class AmendmentRequest(models.Model):
    """The client asks, through their clinician, for a change to their
    record: what, why, and which part (one signed note, one goal, or another
    part named in words)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    part = models.CharField(max_length=10, choices=AmendmentPart.choices)
    session = models.ForeignKey(
        TherapySession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    other_part = models.CharField(max_length=200, blank=True)
    what = models.TextField()
    why = models.TextField()
    asked_on = models.DateField()
    due_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())
    # The token of the form that recorded it (hr_clinic.lib.form_tokens).
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = AmendmentRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_on", "-created_at"]
        indexes = [
            models.Index(fields=["client", "due_on"], name="amendment_client_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(part__in=AmendmentPart.values),
                name="amendment_part_known",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        part=AmendmentPart.NOTE,
                        session__isnull=False,
                        goal__isnull=True,
                        other_part="",
                    )
                    | Q(
                        part=AmendmentPart.GOAL,
                        session__isnull=True,
                        goal__isnull=False,
                        other_part="",
                    )
                    | (
                        Q(
                            part=AmendmentPart.OTHER,
                            session__isnull=True,
                            goal__isnull=True,
                        )
                        & ~Q(other_part="")
                    )
                ),
                name="amendment_names_one_part",
            ),
            models.CheckConstraint(
                condition=~Q(what="") & ~Q(why=""), name="amendment_says_what_and_why"
            ),
            models.CheckConstraint(
                condition=Q(
                    due_on=ExpressionWrapper(
                        F("asked_on") + dt.timedelta(days=DAYS_TO_DECIDE),
                        output_field=models.DateField(),
                    )
                ),
                name="amendment_due_in_60_days",
            ),
            models.UniqueConstraint(
                fields=["client", "recorded_by", "form_token"],
                name="amendment_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"request to change the record, asked on {self.asked_on}"

    def get_absolute_url(self) -> str:
        return reverse("records:amendment_detail", args=[self.pk])

    @property
    def part_name(self) -> str:
        """The part in words, for lists (the page links the note or goal)."""
        if self.part == AmendmentPart.OTHER:
            return self.other_part
        return str(self.get_part_display())


class AmendmentDecisionQuerySet(ClientChildQuerySet):
    client_path = "request__client__"


class AmendmentDecision(models.Model):
    """The one decision on a request (PostgreSQL: one per request). Changed
    as asked: for a note, the correction is the addendum it links to; for a
    goal or another part, `correction` holds it, shown with that part; and
    the people the client names to be told (§164.526(c)(3)). Kept as it is:
    the reason in plain words."""

    request = models.OneToOneField(
        AmendmentRequest, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(max_length=10, choices=AmendmentOutcome.choices)
    correction = models.TextField(blank=True)
    addendum = models.OneToOneField(
        Addendum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendment_decision",
    )
    # One person or organisation per line, as the client named them.
    to_tell = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = AmendmentDecisionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=AmendmentOutcome.values),
                name="amendment_outcome_known",
            ),
            models.CheckConstraint(
                condition=(
                    Q(outcome=AmendmentOutcome.DENIED, addendum__isnull=True)
                    & ~Q(reason="")
                    & Q(correction="", to_tell="")
                )
                | (Q(outcome=AmendmentOutcome.ACCEPTED, reason="") & ~Q(correction="")),
                name="amendment_denial_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.request_id})"

    @property
    def is_denied(self) -> bool:
        return self.outcome == AmendmentOutcome.DENIED

    @property
    def to_tell_list(self) -> list[str]:
        return to_tell_list(self.to_tell)


def to_tell_list(to_tell: str) -> list[str]:
    """The people a decision names to be told, one a line (`to_tell`)."""
    return [line.strip() for line in to_tell.splitlines() if line.strip()]


class AmendmentStatementQuerySet(AmendmentDecisionQuerySet):
    pass


class AmendmentStatement(models.Model):
    """The client's statement of disagreement with a decision to keep the
    record as it is (§164.526(d)(1)(iii)), in their words, recorded by their
    clinician: attached to the part it concerns, and in every later export and
    disclosure of it. One per request."""

    request = models.OneToOneField(
        AmendmentRequest, on_delete=models.PROTECT, related_name="statement"
    )
    text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = AmendmentStatementQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""), name="amendment_statement_has_words"
            ),
        ]

    def __str__(self) -> str:
        return f"statement of disagreement ({self.request_id})"
