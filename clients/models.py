from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from clients.access import visibility
from hr_clinic.lib.urls import record_url

if TYPE_CHECKING:
    from staff.models import User


# No intake of this service is before this date; an earlier one is a typo in
# the year (the future is refused too: client_intake_not_future).
EARLIEST_INTAKE = datetime.date(1900, 1, 1)


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    """Why a record was closed. Deliberately no punitive reasons (docs/design.md,
    product rule 1): a person is never discharged for their use, for missed
    contact or for "non-compliance"; those are reasons to reach out, not to
    close."""

    CLIENT_CHOSE = "client_chose", "The client chose to end"
    MOVED = "moved", "Moved away"
    TRANSFERRED = "transferred", "Transferred to other care"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: User, *, emergency: bool = True) -> ClientQuerySet:
        """Clients `user` may open (see clients.access.visibility, the rule),
        with those an unexpired emergency-access grant opens to them unless
        `emergency` is False (the care team's clients only)."""
        rule = visibility(user, emergency="pk" if emergency else None)
        return self.none() if rule is None else self.filter(rule)

    def reassignable_by(self, user: User) -> ClientQuerySet:
        """Clients whose primary clinician `user` may change.

        A supervisor: their own and their team's clients (never one opened to
        them by an emergency-access grant). An admin: every client, for
        reassignment only (their pages show names and clinicians, nothing
        clinical). A clinician: none.
        """
        from staff.models import Role

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.ADMIN:
            return self.all()
        if user.role == Role.SUPERVISOR:
            return self.visible_to(user, emergency=False)
        return self.none()

    def active(self) -> ClientQuerySet:
        return self.filter(status=ClientStatus.ACTIVE)

    def open(self) -> ClientQuerySet:
        """Active and paused records: the default caseload."""
        return self.exclude(status=ClientStatus.CLOSED)

    def closed(self) -> ClientQuerySet:
        return self.filter(status=ClientStatus.CLOSED)


class Client(models.Model):
    """A person receiving care. Chosen name first; an alias alone is enough."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    chosen_name = models.CharField(
        max_length=120,
        help_text="The name the person asked us to use. Shown on every page.",
    )
    pronouns = models.CharField(max_length=60, blank=True)
    aliases = models.CharField(
        "other names",
        max_length=200,
        blank=True,
        help_text="Other names or nicknames the person goes by (for finding them).",
    )
    legal_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only if needed (e.g. for a referral). Shown on this record only.",
    )
    date_of_birth = models.DateField(null=True, blank=True)

    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    # Three answers: yes, no, or not asked yet (None). Not asked is not a "no".
    voicemail_ok = models.BooleanField("voicemail is OK", null=True, blank=True)
    texts_ok = models.BooleanField("texts are OK", null=True, blank=True)
    safe_times = models.CharField("safe times to contact", max_length=200, blank=True)
    code_word = models.CharField(
        max_length=60,
        blank=True,
        help_text="A word the person will recognise, to confirm it is us.",
    )
    contact_notes = models.TextField(
        "notes on contacting safely",
        blank=True,
        help_text="For example: who may answer the phone, what not to say.",
    )

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        verbose_name="primary clinician",
    )
    intake_date = models.DateField(default=timezone.localdate)
    status = models.CharField(
        max_length=10, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    closed_reason = models.CharField(
        "reason for closing", max_length=20, choices=ClosureReason.choices, blank=True
    )
    closed_on = models.DateField(null=True, blank=True)
    # A paused record's "look at this again" date: from that day the person is
    # back on the reach-out list (selectors.reach_out_due). Only a paused record
    # has one (client_review_on_only_when_paused): resuming or closing clears it.
    review_on = models.DateField("review on", null=True, blank=True)

    # When the latest session started. Kept by a PostgreSQL trigger on the
    # session table (therapy_sessions migration 0006), never by the app: the
    # caseload, the reach-out lists and the team dashboard read it instead of
    # looking up every client's latest session (measured: 821 index probes and
    # 12 ms for one supervisor's dashboard at scale).
    last_contact_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The token of the form that added this record (hr_clinic.lib.form_tokens):
    # a double-clicked or re-sent "Add client" finds the record it made.
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["chosen_name"]
        indexes = [
            # The caseload: one clinician's clients by status, ordered by name.
            models.Index(
                fields=["clinician", "status", "chosen_name"],
                name="client_caseload_idx",
            ),
            # The team dashboard's active-client and reach-out counts per
            # supervisee, read from the index alone: without the two dates the
            # reach-out count read ~80 heap pages per supervisee (EXPLAIN at
            # scale). Active records only, so it stays small.
            models.Index(
                fields=["clinician"],
                include=["last_contact_at", "intake_date"],
                condition=Q(status=ClientStatus.ACTIVE),
                name="client_active_contact_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(chosen_name=""), name="client_chosen_name_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ClientStatus.values), name="client_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status=ClientStatus.CLOSED,
                        closed_reason__in=ClosureReason.values,
                        closed_on__isnull=False,
                    )
                    | (
                        ~Q(status=ClientStatus.CLOSED)
                        & Q(closed_reason="", closed_on__isnull=True)
                    )
                ),
                name="client_closed_has_reason_and_date",
            ),
            models.CheckConstraint(
                condition=Q(intake_date__lte=Now()), name="client_intake_not_future"
            ),
            models.CheckConstraint(
                condition=Q(intake_date__gte=EARLIEST_INTAKE),
                name="client_intake_after_1900",
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True)
                | Q(date_of_birth__lte=models.F("intake_date")),
                name="client_born_before_intake",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(closed_on__gte=models.F("intake_date"), closed_on__lte=Now()),
                name="client_closed_on_after_intake",
            ),
            # One record per filled-in form (NULLs, records added without a
            # token, never conflict).
            models.UniqueConstraint(
                fields=["clinician", "form_token"], name="client_one_per_form"
            ),
            models.CheckConstraint(
                condition=Q(review_on__isnull=True) | Q(status=ClientStatus.PAUSED),
                name="client_review_on_only_when_paused",
            ),
        ]

    def __str__(self) -> str:
        return self.chosen_name

    def get_absolute_url(self) -> str:
        return record_url("clients:detail", self.pk)

    @property
    def is_closed(self) -> bool:
        return self.status == ClientStatus.CLOSED


class StatusChange(models.Model):
    """Every pause, close and reopen of a record, kept: records are never deleted
    and their history is never rewritten."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=ClientStatus.choices)
    to_status = models.CharField(max_length=10, choices=ClientStatus.choices)
    reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at"]
        indexes = [
            models.Index(
                fields=["client", "-changed_at"], name="statuschange_client_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Reassignment(models.Model):
    """A change of primary clinician: who moved the client, from whom, to whom."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="reassignments"
    )
    from_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"reassignment of {self.client_id}"


# The longest an emergency-access grant may run, whatever the setting says
# (EMERGENCY_ACCESS_HOURS, checked at start-up; PostgreSQL holds it too).
EMERGENCY_ACCESS_MAX_HOURS = 24


class EmergencyReason(models.TextChoices):
    """Why someone opened a record that is not theirs (docs/design.md,
    "Emergency access"). Only covering a session lets them write: a note of
    that session, nothing else."""

    COVERING_SESSION = "covering_session", "Covering a session for an absent colleague"
    SAFETY = "safety", "Risk to the client's safety"
    OUT_OF_HOURS = "out_of_hours", "Continuity of care out of hours"
    OTHER = "other", "Other"


class EmergencyGrantQuerySet(models.QuerySet["EmergencyGrant"]):
    def active(self) -> EmergencyGrantQuerySet:
        """Grants that have not expired, by the database clock (`now()` in
        the query), never the application server's."""
        return self.filter(expires_at__gt=Now())

    def unreviewed(self) -> EmergencyGrantQuerySet:
        return self.filter(review__isnull=True)


class EmergencyGrant(models.Model):
    """Time-limited access to one client's record for someone outside its
    care team ("break glass", HIPAA 164.312(a)(2)(ii)). Created only by
    clients.services.emergency_grant_create; append-only in PostgreSQL (no
    UPDATE, DELETE or TRUNCATE: migration emergency_access). Its expiry is
    set and judged by the database clock."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="emergency_grants"
    )
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Who held the record when it was opened: the person told, whose
    # supervisor reviews the grant, even if the client moves on later.
    client_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=EmergencyReason.choices)
    explanation = models.TextField("what is happening")
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    expires_at = models.DateTimeField(editable=False)

    objects = EmergencyGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # visibility(): a person's unexpired grants, read from the index.
            models.Index(
                fields=["grantee", "expires_at"],
                include=["client"],
                name="emergency_grant_grantee_idx",
            ),
            # Who is told: grants on a clinician's clients, newest first.
            models.Index(
                fields=["client_clinician", "-created_at"],
                name="emergency_grant_told_idx",
            ),
            models.Index(fields=["client"], name="emergency_grant_client_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=EmergencyReason.values),
                name="emergency_grant_reason_valid",
            ),
            models.CheckConstraint(
                condition=~Q(explanation=""),
                name="emergency_grant_explained",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at"))
                & Q(
                    expires_at__lte=models.F("created_at")
                    + datetime.timedelta(hours=EMERGENCY_ACCESS_MAX_HOURS)
                ),
                name="emergency_grant_time_limited",
            ),
            models.CheckConstraint(
                condition=~Q(grantee=models.F("client_clinician")),
                name="emergency_grant_not_own_client",
            ),
        ]

    def __str__(self) -> str:
        return f"emergency access {self.pk}"

    @property
    def allows_notes(self) -> bool:
        """Covering a session: the grantee may write that session's note."""
        return self.reason == EmergencyReason.COVERING_SESSION


class GrantReviewDecision(models.TextChoices):
    APPROPRIATE = "appropriate", "Appropriate"
    FOLLOW_UP = "follow_up", "Follow up"


class EmergencyGrantReview(models.Model):
    """A supervisor's look at one emergency-access grant: one per grant,
    append-only in PostgreSQL like the grant itself."""

    grant = models.OneToOneField(
        EmergencyGrant, on_delete=models.PROTECT, related_name="review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=GrantReviewDecision.choices)
    comment = models.TextField()
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=GrantReviewDecision.values),
                name="emergency_review_decision_valid",
            ),
            models.CheckConstraint(
                condition=~Q(comment=""), name="emergency_review_has_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"review of {self.grant_id}"


# No attempt of this service is before this date; an earlier one is a typo in
# the year (as for sessions and intake dates).
EARLIEST_ATTEMPT = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
# How far ahead of the server's clock an attempt's time may be (another
# device's clock): the same allowance as a session's start.
ATTEMPT_CLOCK_SKEW = datetime.timedelta(minutes=5)


class AttemptHow(models.TextChoices):
    CALL = "call", "Phone call"
    TEXT = "text", "Text message"
    VOICEMAIL = "voicemail", "Voicemail"
    OUTREACH_VISIT = "outreach_visit", "Outreach visit"
    LETTER = "letter", "Letter"
    SUPPORT_PERSON = "support_person", "Through a support person"


# How each way of trying reads in "Tried to reach …" (the timeline, the
# reach-out list). A support person is named: see ContactAttempt.how_phrase.
HOW_PHRASES = {
    AttemptHow.CALL: "by phone",
    AttemptHow.TEXT: "by text",
    AttemptHow.VOICEMAIL: "by voicemail",
    AttemptHow.OUTREACH_VISIT: "with an outreach visit",
    AttemptHow.LETTER: "by letter",
}


class AttemptOutcome(models.TextChoices):
    TALKED = "talked", "Talked"
    LEFT_MESSAGE = "left_message", "Left a message"
    NO_ANSWER = "no_answer", "No answer"
    NUMBER_NOT_WORKING = "number_not_working", "Number not working"


class ContactAttemptQuerySet(models.QuerySet["ContactAttempt"]):
    def visible_to(self, user: User) -> ContactAttemptQuerySet:
        """Attempts on clients `user` may open (clients.access.visibility,
        through the client)."""
        rule = visibility(user, via="client__", emergency="client")
        return self.none() if rule is None else self.filter(rule)


class ContactAttempt(models.Model):
    """A try at reaching someone: how, and what came of it. Not a session: it
    never counts as contact (Client.last_contact_at is kept from signed notes
    only), and it never closes or pauses anything (docs/design.md, product
    rule 2). Made only by clients.services.contact_attempt_record; append-only
    in PostgreSQL (migration clients `contact_attempts`)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="contact_attempts"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    tried_at = models.DateTimeField("when", default=timezone.now)
    how = models.CharField(max_length=20, choices=AttemptHow.choices)
    through_whom = models.CharField(
        "support person",
        max_length=120,
        blank=True,
        help_text="Who you asked to pass the message on.",
    )
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    note = models.CharField(max_length=500, blank=True)
    # The person had asked not to be reached this way, and whoever tried
    # confirmed it was needed: kept with the attempt, since the preference
    # may change later.
    despite_preference = models.BooleanField(default=False)
    # The token of the form that recorded it (hr_clinic.lib.form_tokens).
    form_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ContactAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-tried_at", "-pk"]
        indexes = [
            # A record's attempts newest first, and each client's latest
            # (selectors.latest_attempts: DISTINCT ON client).
            models.Index(
                fields=["client", "-tried_at", "-id"], name="contact_attempt_client_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(how__in=AttemptHow.values), name="contact_attempt_how_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=AttemptOutcome.values),
                name="contact_attempt_outcome_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(how=AttemptHow.SUPPORT_PERSON) & ~Q(through_whom="")
                    | ~Q(how=AttemptHow.SUPPORT_PERSON) & Q(through_whom="")
                ),
                name="contact_attempt_support_person_named",
            ),
            models.CheckConstraint(
                condition=Q(tried_at__gte=EARLIEST_ATTEMPT),
                name="contact_attempt_after_1900",
            ),
            # A row is only ever inserted (append-only), so this is checked
            # once, against the clock of the moment it was written.
            models.CheckConstraint(
                condition=Q(tried_at__lte=Now() + ATTEMPT_CLOCK_SKEW),
                name="contact_attempt_not_future",
            ),
            models.UniqueConstraint(
                fields=["by", "form_token"], name="contact_attempt_one_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"contact attempt {self.pk}"

    def get_absolute_url(self) -> str:
        return record_url("clients:attempts", self.client_id)

    @property
    def how_phrase(self) -> str:
        """ "by phone", "through Sam (support person)": how it reads after
        "Tried to reach"."""
        if self.how == AttemptHow.SUPPORT_PERSON:
            return f"through {self.through_whom} (support person)"
        return HOW_PHRASES.get(AttemptHow(self.how), self.get_how_display().lower())

    # The record's timeline holds sessions and attempts: this tells them apart
    # (a note has no such attribute).
    timeline_kind = "attempt"


class WantsQuerySet(models.QuerySet["Wants"]):
    def visible_to(self, user: User) -> WantsQuerySet:
        """Versions of "What I want from coming here" of clients `user` may
        see (clients.access.visibility through the client). Nothing for
        admins."""
        rule = visibility(user, via="client__", emergency="client")
        return self.none() if rule is None else self.filter(rule)


class Wants(models.Model):
    """One version of "What I want from coming here", in the client's own
    words (issue #22, section 4). A new version is a new row: the latest is
    what the record shows, and every earlier one is kept with who wrote it
    and when (append-only in PostgreSQL, migration `wants_kept`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="wants")
    words = models.TextField("what I want from coming here", max_length=2000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The token of the form that wrote it (hr_clinic.lib.form_tokens).
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = WantsQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "wants"
        indexes = [
            models.Index(fields=["client", "-created_at"], name="wants_client_latest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "written_by", "form_token"],
                name="wants_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"wants {self.pk} of client {self.client_id}"

    def get_absolute_url(self) -> str:
        return record_url("clients:wants", self.client_id)
