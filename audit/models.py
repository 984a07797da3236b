from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


class Action(models.TextChoices):
    READ = "read", "Opened"
    LIST = "list", "Listed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    CREATE = "create", "Created"
    UPDATE = "update", "Edited"
    SIGN = "sign", "Signed"
    DISCARD = "discard", "Discarded a draft"
    ADDENDUM = "addendum", "Added an addendum"
    COSIGN = "cosign", "Co-signed"
    RETURN = "return", "Returned with comments"
    HAND_OVER = "hand_over", "Handed a draft over"
    CLOSE = "close", "Closed"
    REOPEN = "reopen", "Reopened"
    PAUSE = "pause", "Paused"
    RESUME = "resume", "Made active"
    REASSIGN = "reassign", "Reassigned"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    THROTTLED = "throttled", "Sign-in throttled"
    SECOND_FACTOR = "second_factor", "Passed the second factor"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor failed"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "Set up a second factor"
    RECOVERY_CODE_USED = "recovery_code_used", "Used a recovery code"
    STAFF_CHANGE = "staff_change", "Changed a staff account"
    REVOKE = "revoke", "Recorded a revoked consent"
    DISCLOSE = "disclose", "Disclosed records"
    HAND_TO_CLIENT = "hand_to_client", "Handed the screen to the client"
    TAKE_BACK = "take_back", "Took the screen back"


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"


class AuditEvent(models.Model):
    """One access to, or change of, the record. Ids only: never clinical text and
    never a name (docs/design.md, product rule 7).

    Append-only and tamper-evident in PostgreSQL (migration 0002): triggers refuse
    UPDATE, DELETE and TRUNCATE, and a BEFORE INSERT trigger numbers each row
    (`seq`) and chains its SHA-256 `hash` to the previous row's, under an advisory
    lock so concurrent writers cannot fork the chain. `manage.py verify_audit`
    recomputes the chain. `seq` and the hashes are set by the database.
    """

    # Set by the database clock (the insert trigger, migration 0008), whatever
    # the caller sends: a caller's clock, or a caller, cannot date an event.
    # db_default makes the INSERT leave it out and read it back (RETURNING).
    occurred_at = models.DateTimeField(db_default=Now(), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    object_type = models.CharField(max_length=30, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    client_id = models.UUIDField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED
    )
    result_count = models.PositiveIntegerField(null=True, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # Ids and settings only, like the rest of the row, never clinical text or a
    # name: a privilege change's before and after, the client ids a list, search
    # or export held. Hashed into the chain when not empty (migration 0007).
    detail = models.JSONField(
        default=dict,
        blank=True,
        db_default=models.Value({}, output_field=models.JSONField()),
    )
    # The emergency-access grant a page was opened under (docs/design.md,
    # "Emergency access"); a plain id, so the trail depends on no clinical app.
    emergency_grant_id = models.UUIDField(null=True, blank=True)
    # Set by the insert trigger. The database defaults only make the INSERT
    # read them back (RETURNING), so the writer knows the chain's new head
    # without another query (the head written to the log, services.record).
    seq = models.BigIntegerField(
        unique=True,
        null=True,
        editable=False,
        db_default=models.Value(None, output_field=models.BigIntegerField()),
    )
    prev_hash = models.CharField(
        max_length=64, blank=True, editable=False, db_default=""
    )
    hash = models.CharField(max_length=64, blank=True, editable=False, db_default="")

    class Meta:
        ordering = ["-seq"]
        indexes = [
            # "Who opened this record and when": a client's history, newest first.
            models.Index(fields=["client_id", "-occurred_at"], name="audit_client_idx"),
            # The admin report filtered by staff member, in the report's order
            # (seq). On (actor, -occurred_at) the planner walked the whole trail
            # backwards by seq for someone with few events: seconds at 300k rows.
            models.Index(fields=["actor", "-seq"], name="audit_actor_seq_idx"),
            # The report sorted by a column of the row (audit.forms.SORT_FIELDS):
            # (column, seq DESC) read forwards is the ascending order, read
            # backwards the descending one, so a page is LIMIT/OFFSET on an
            # index, never a sort of the whole trail. Staff sorts through
            # audit_actor_seq_idx, time through seq's own unique index.
            *(
                models.Index(fields=[field, "-seq"], name=f"audit_{name}_seq_idx")
                for name, field in (
                    ("role", "actor_role"),
                    ("action", "action"),
                    ("object", "object_type"),
                    ("client", "client_id"),
                    ("outcome", "outcome"),
                    ("address", "source_ip"),
                )
            ),
            # Everything opened under one emergency-access grant.
            models.Index(
                fields=["emergency_grant_id", "seq"],
                name="audit_emergency_grant_idx",
                condition=models.Q(emergency_grant_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"audit event {self.seq}"
