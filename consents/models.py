"""Consent and disclosure under 42 CFR Part 2 and HIPAA (issue #19).

Everything here is written once and kept (PostgreSQL refuses UPDATE, DELETE
and TRUNCATE, migration `append_only_and_ledger_rule`): a consent is never
edited, it is revoked (a `Revocation` row) or it expires; a disclosure is a
ledger row. Whether a consent covers anything is decided by the database
clock (`Consent.objects.active(at=Now())`), and PostgreSQL checks the same
when a consented disclosure is written.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Now
from django.urls import reverse

from clients.access import ClientChildQuerySet
from clients.models import Client


class NoticeHow(models.TextChoices):
    IN_PERSON = "in_person", "Given in person and talked through"
    READ_ALOUD = "read_aloud", "Read aloud together"
    PHONE = "phone", "Talked through by phone (copy sent)"
    OTHER = "other", "Another way"


class NoticeQuerySet(ClientChildQuerySet):
    pass


class NoticeGiven(models.Model):
    """The §2.22 notice (the written summary of the client's privacy rights)
    was given to the client and talked through. Prompted for, never required
    for care."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    given_on = models.DateField()
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    how = models.CharField(max_length=20, choices=NoticeHow.choices)
    how_other = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    # The token of the form that recorded it (hr_clinic.lib.form_tokens): a
    # double submit records the notice once.
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-created_at"]
        indexes = [
            models.Index(fields=["client", "-given_on"], name="notice_client_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(how__in=NoticeHow.values), name="notice_how_known"
            ),
            models.CheckConstraint(
                condition=~Q(how=NoticeHow.OTHER) | ~Q(how_other=""),
                name="notice_other_says_how",
            ),
            models.UniqueConstraint(
                fields=["client", "given_by", "form_token"],
                name="notice_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"notice given on {self.given_on}"


class ConsentKind(models.TextChoices):
    NAMED = "named", "To the people or organisations I name"
    TPO = "tpo", "For my treatment, payment and health care operations"
    # §2.31(b): a consent for SUD counseling notes is never combined with
    # another kind of consent.
    COUNSELING_NOTES = "counseling_notes", "My SUD counseling notes, and only those"


class Item(models.TextChoices):
    """What may be disclosed, in the client's words. COUNSELING_NOTES belongs
    to its own kind of consent only."""

    ATTENDANCE = "attendance", "Attendance and dates"
    GOALS = "goals", "Goals and ratings"
    SESSION_NOTES = "session_notes", "Session notes"
    EVERYTHING = "everything", "Everything in my record"
    COUNSELING_NOTES = "counseling_notes", "SUD counseling notes"


# What "everything in my record" reaches: never counseling notes, which need
# a consent of their own.
RECORD_ITEMS = [Item.ATTENDANCE, Item.GOALS, Item.SESSION_NOTES]
ORDINARY_ITEMS = [*RECORD_ITEMS, Item.EVERYTHING]


class Discloser(models.TextChoices):
    PROGRAM = "program", "This program"
    PART = "part", "A named part of this program"


class Purpose(models.TextChoices):
    # A consent for use in proceedings against the client is never offered
    # (42 CFR 2.31(d), 2.12(d)): there is no such purpose here.
    AT_MY_REQUEST = "at_my_request", "At my request"
    TREATMENT = "treatment", "So they can help with my care"
    PAYMENT = "payment", "To pay for my care"
    OTHER = "other", "Another purpose, in my words"


class SignedHow(models.TextChoices):
    PAPER = "paper", "Signed on paper"
    DEVICE = "device", "Signed by the client on this device"


TPO_DESIGNATION = (
    "my treating providers, health plans and those who help run this program"
)


class ConsentQuerySet(ClientChildQuerySet):
    def signed(self, at: Any = None) -> ConsentQuerySet:
        at = Now() if at is None else at
        on_device = DeviceSignature.objects.filter(
            consent=OuterRef("pk"), signed_at__lte=at
        )
        return self.filter(Q(signed_how=SignedHow.PAPER) | Q(Exists(on_device)))

    def active(self, at: Any = None) -> ConsentQuerySet:
        """Consents that cover something at `at` (default: the database's
        `now()`): signed, not revoked as a whole by then, and not past their
        expiry date (a consent runs through the day it names). One that ends
        on an event is ended by recording it, as a revocation."""
        at = Now() if at is None else at
        revoked = Revocation.objects.filter(
            consent=OuterRef("pk"), recipient__isnull=True, recorded_at__lte=at
        )
        return (
            self.signed(at)
            .filter(created_at__lte=at)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
            .exclude(Exists(revoked))
        )


class Consent(models.Model):
    """A client's written consent to disclosure (42 CFR 2.31): every element
    is a field, and PostgreSQL refuses a consent missing one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    discloser = models.CharField(
        max_length=10, choices=Discloser.choices, default=Discloser.PROGRAM
    )
    discloser_part = models.CharField(max_length=200, blank=True)
    items = ArrayField(models.CharField(max_length=20, choices=Item.choices))
    items_detail = models.TextField(blank=True)
    purpose = models.CharField(
        max_length=20, choices=Purpose.choices, default=Purpose.AT_MY_REQUEST
    )
    purpose_other = models.CharField(max_length=300, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    # The moment it ends: the start of the day after `expires_on` in the
    # service's time zone, so the app and PostgreSQL's own check (the ledger
    # rule) compare one instant with `now()`, whatever the connection's zone.
    expires_at = models.DateTimeField(null=True, blank=True)
    expiry_event = models.CharField(max_length=300, blank=True)
    signed_how = models.CharField(max_length=10, choices=SignedHow.choices)
    paper_signed_on = models.DateField(null=True, blank=True)
    # The Part 2 setting when it was taken: the statements it was shown with.
    part2 = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now(), db_index=True)
    # The token of the form that took it (hr_clinic.lib.form_tokens): a double
    # submit takes the consent once.
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="consent_client_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ConsentKind.values), name="consent_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=Purpose.values), name="consent_purpose_known"
            ),
            models.CheckConstraint(
                condition=~Q(purpose=Purpose.OTHER) | ~Q(purpose_other=""),
                name="consent_other_purpose_said",
            ),
            models.CheckConstraint(
                condition=Q(discloser=Discloser.PROGRAM, discloser_part="")
                | Q(discloser=Discloser.PART) & ~Q(discloser_part=""),
                name="consent_discloser_named",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=False) | ~Q(expiry_event=""),
                name="consent_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True, expires_at__isnull=True)
                | Q(expires_on__isnull=False, expires_at__isnull=False),
                name="consent_expiry_moment_set",
            ),
            # Counseling notes alone, and only in their own kind of consent.
            models.CheckConstraint(
                condition=Q(
                    kind=ConsentKind.COUNSELING_NOTES,
                    items=[Item.COUNSELING_NOTES],
                )
                | ~Q(kind=ConsentKind.COUNSELING_NOTES)
                & Q(items__len__gte=1)
                & Q(items__contained_by=ORDINARY_ITEMS),
                name="consent_items_fit_kind",
            ),
            models.CheckConstraint(
                condition=Q(signed_how=SignedHow.PAPER, paper_signed_on__isnull=False)
                | Q(signed_how=SignedHow.DEVICE, paper_signed_on__isnull=True),
                name="consent_signature_recorded",
            ),
            models.UniqueConstraint(
                fields=["client", "recorded_by", "form_token"],
                name="consent_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"consent {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("consents:detail", args=[self.pk])

    @property
    def is_tpo(self) -> bool:
        return self.kind == ConsentKind.TPO

    @property
    def item_labels(self) -> list[str]:
        return [Item(i).label for i in self.items]

    @property
    def scope(self) -> set[str]:
        """The items this consent allows to be disclosed."""
        if Item.EVERYTHING in self.items:
            return {*RECORD_ITEMS, Item.EVERYTHING}
        return set(self.items)


class ConsentRecipient(models.Model):
    """Someone the client names to receive their records."""

    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="recipients"
    )
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""), name="consent_recipient_named"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DeviceSignature(models.Model):
    """The client signed on this device: their typed name, when (the
    database clock). One per consent; until it exists the consent covers
    nothing."""

    consent = models.OneToOneField(
        Consent, on_delete=models.PROTECT, related_name="device_signature"
    )
    typed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(typed_name=""), name="device_signature_named"
            )
        ]

    def __str__(self) -> str:
        return f"signature of {self.consent_id}"


class RevokedHow(models.TextChoices):
    IN_PERSON = "in_person", "Told us in person"
    IN_WRITING = "in_writing", "In writing"
    PHONE = "phone", "By phone"
    ENDED = "ended", "The event or condition it named has happened"
    OTHER = "other", "Another way"


class Revocation(models.Model):
    """The client withdrew a consent, as a whole (no recipient) or for one
    recipient. It covers nothing of that from `recorded_at` (the database
    clock)."""

    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="revocations"
    )
    recipient = models.ForeignKey(
        ConsentRecipient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revocations",
    )
    revoked_on = models.DateField()
    how = models.CharField(max_length=20, choices=RevokedHow.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(how__in=RevokedHow.values), name="revocation_how_known"
            ),
            models.UniqueConstraint(
                fields=["consent"],
                condition=Q(recipient__isnull=True),
                name="revocation_whole_once",
            ),
            models.UniqueConstraint(
                fields=["consent", "recipient"],
                condition=Q(recipient__isnull=False),
                name="revocation_recipient_once",
            ),
        ]

    def __str__(self) -> str:
        return f"revocation of {self.consent_id}"


class DisclosureKind(models.TextChoices):
    CONSENTED = "consented", "With the client's consent"
    MEDICAL_EMERGENCY = "medical_emergency", "Medical emergency (42 CFR 2.51)"
    COURT_ORDER = "court_order", "Court order (42 CFR 2.64)"
    REQUIRED_REPORT = (
        "required_report",
        "Report required by law (child abuse or neglect)",
    )


NON_CONSENT_KINDS = [
    DisclosureKind.MEDICAL_EMERGENCY,
    DisclosureKind.COURT_ORDER,
    DisclosureKind.REQUIRED_REPORT,
]


class DisclosureQuerySet(ClientChildQuerySet):
    pass


class Disclosure(models.Model):
    """One disclosure of a client's records: the ledger row the accounting
    (§2.25, HIPAA §164.528) is read from. A consented one must name a
    consent active at that moment, checked by PostgreSQL with its own clock;
    the others name none and carry their own required facts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=DisclosureKind.choices)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        ConsentRecipient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_name = models.CharField(max_length=200)
    recipient_facility = models.CharField(max_length=200, blank=True)
    scope = ArrayField(models.CharField(max_length=20, choices=Item.choices))
    # The ids of what was sent (notes, goals), for the accounting.
    item_ids = models.JSONField(default=list, blank=True)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disclosed_at = models.DateTimeField(db_default=Now(), db_index=True)
    # When it was shared, when that was before it was recorded here: a
    # disclosure Part 2 allows without consent is often made by phone in the
    # moment (§2.51) and written up after. A consented one is shared when its
    # package is made, so it has none.
    occurred_at = models.DateTimeField(null=True, blank=True)
    emergency_nature = models.TextField(blank=True)
    court_order_reference = models.CharField(max_length=300, blank=True)
    report_basis = models.CharField(max_length=300, blank=True)
    # Anything said as well as sent (by phone, in person), in a few words.
    what_detail = models.TextField(blank=True, db_default="")
    # The package as it was sent (consents.package): the page, its print and
    # its PDF are made from this, so they show what the recipient got even
    # after a goal is reworded or a note gains an addendum.
    package = models.JSONField(
        default=dict, db_default=Value({}, models.JSONField()), blank=True
    )
    # The token of the form that made it (hr_clinic.lib.form_tokens): a
    # double click on "Share" writes one ledger row.
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_at"]
        indexes = [
            models.Index(
                fields=["client", "-disclosed_at"], name="disclosure_client_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DisclosureKind.values),
                name="disclosure_kind_known",
            ),
            models.CheckConstraint(
                condition=~Q(recipient_name=""), name="disclosure_recipient_named"
            ),
            models.CheckConstraint(
                condition=Q(scope__len__gte=1), name="disclosure_says_what"
            ),
            models.CheckConstraint(
                condition=Q(kind=DisclosureKind.CONSENTED, consent__isnull=False)
                | ~Q(kind=DisclosureKind.CONSENTED)
                & Q(consent__isnull=True, recipient__isnull=True),
                name="disclosure_consent_only_when_consented",
            ),
            models.CheckConstraint(
                condition=~Q(kind=DisclosureKind.MEDICAL_EMERGENCY)
                | ~Q(emergency_nature="") & ~Q(recipient_facility=""),
                name="disclosure_emergency_facts",
            ),
            models.CheckConstraint(
                condition=~Q(kind=DisclosureKind.COURT_ORDER)
                | ~Q(court_order_reference=""),
                name="disclosure_court_order_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind=DisclosureKind.REQUIRED_REPORT) | ~Q(report_basis=""),
                name="disclosure_report_basis",
            ),
            models.CheckConstraint(
                condition=Q(occurred_at__isnull=True)
                | ~Q(kind=DisclosureKind.CONSENTED)
                & Q(occurred_at__lte=F("disclosed_at")),
                name="disclosure_occurred_before_recorded",
            ),
            models.UniqueConstraint(
                fields=["disclosed_by", "form_token"],
                name="disclosure_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"disclosure {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("consents:disclosure", args=[self.pk])

    @property
    def scope_labels(self) -> list[str]:
        return [Item(i).label for i in self.scope]
