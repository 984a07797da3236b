"""Appointments and repeating series (issue #21, docs/design.md).

An appointment is kept whatever happens to it: a cancellation, a move or a
time the person didn't make it to is its outcome, never a deletion
(PostgreSQL refuses DELETE and TRUNCATE). Times are stored in UTC; a series
keeps the service's local wall-clock time, so a weekly 10:00 stays 10:00
across a daylight-saving change.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

# Rows of a client are seen through the client's visibility, the one rule.
from clients.access import ClientChildQuerySet
from clients.models import Client
from hr_clinic.lib.urls import record_url
from sessions.models import Modality

if TYPE_CHECKING:
    pass

# A series is materialised as rows up to two years ahead, at most 104 of them
# (two years of weekly appointments): longer plans are a new series later.
SERIES_MAX_COUNT = 104
SERIES_MAX_DAYS = 2 * 365


class Outcome(models.TextChoices):
    """What happened. Neutral words only: an appointment the person didn't
    make it to is a reason to reach out, never a mark against them (no
    "no-show", no strike count, nothing that gates the next one)."""

    MET = "met", "Met"
    DIDNT_MAKE_IT = "didnt_make_it", "Didn't make it"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED_CLIENT = "cancelled_client", "Cancelled by them"
    CANCELLED_US = "cancelled_us", "Cancelled by us"


# Outcomes after which an appointment no longer takes up the time.
NOT_TAKING_TIME = (Outcome.CANCELLED_CLIENT, Outcome.CANCELLED_US, Outcome.RESCHEDULED)


# Outcomes that need the time to have come (the others may be recorded ahead).
AFTER_THE_TIME = (Outcome.MET, Outcome.DIDNT_MAKE_IT)
CANCELLED = (Outcome.CANCELLED_CLIENT, Outcome.CANCELLED_US)


class Repeat(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month"


class AppointmentSeries(models.Model):
    """A repeating plan: its occurrences are Appointment rows, each computed
    in `time_zone`'s wall-clock time and converted to UTC."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    repeat = models.CharField(max_length=12, choices=Repeat.choices)
    first_date = models.DateField()
    # The local wall-clock time and weekday (Monday is 0) of every occurrence;
    # a monthly series keeps the first date's day of the month.
    local_time = models.TimeField()
    weekday = models.PositiveSmallIntegerField()
    time_zone = models.CharField(max_length=64)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientChildQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(repeat__in=Repeat.values), name="appt_series_repeat_valid"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="appt_series_weekday_valid",
            ),
            # Until a date or a count: exactly one of them.
            models.CheckConstraint(
                condition=Q(until__isnull=True, count__isnull=False)
                | Q(until__isnull=False, count__isnull=True),
                name="appt_series_until_or_count",
            ),
            models.CheckConstraint(
                condition=Q(count__isnull=True)
                | Q(count__gte=1, count__lte=SERIES_MAX_COUNT),
                name="appt_series_count_capped",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("first_date")),
                name="appt_series_until_after_first",
            ),
        ]

    def __str__(self) -> str:
        return f"appointment series {self.pk}"


class AppointmentQuerySet(ClientChildQuerySet):
    def upcoming(self, now: datetime.datetime) -> AppointmentQuerySet:
        """Not yet started and with no outcome (a cancelled or moved one is
        no longer coming)."""
        return self.filter(starts_at__gte=now, outcome="")  # type: ignore[no-any-return]


class Appointment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="appointments"
    )
    # The client's primary clinician when it was booked: the one who sees them.
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField("starts")
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)", default=50
    )
    modality = models.CharField(
        max_length=20, choices=Modality.choices, default=Modality.IN_PERSON
    )
    place = models.CharField(max_length=200, blank=True)
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    outcome = models.CharField(
        "what happened", max_length=20, choices=Outcome.choices, blank=True
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    session = models.OneToOneField(
        "therapy_sessions.TherapySession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment",
    )
    rescheduled_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rescheduled_from",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The token of the booking form that made it (hr_clinic.lib.form_tokens);
    # a series' later occurrences have none.
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # Covering: the team week counts a team's week from the index alone
            # (appointments.days.team_week_counts).
            models.Index(
                fields=["clinician", "starts_at"],
                include=["outcome", "duration_minutes", "session"],
                name="appt_clinician_idx",
            ),
            models.Index(fields=["client", "starts_at"], name="appt_client_idx"),
            # The reach-out rule's "didn't make it since their last contact"
            # (clients.selectors._didnt_make_it_since_contact), for every
            # client of a list: a few % of appointments.
            models.Index(
                fields=["client", "starts_at"],
                condition=Q(outcome="didnt_make_it"),
                name="appt_didnt_make_it_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="appt_duration_5_to_480",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                name="appt_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(session__isnull=True) | Q(outcome=Outcome.MET),
                name="appt_session_only_when_met",
            ),
            models.CheckConstraint(
                condition=Q(
                    outcome="",
                    outcome_recorded_at__isnull=True,
                    outcome_recorded_by__isnull=True,
                )
                | (
                    ~Q(outcome="")
                    & Q(
                        outcome_recorded_at__isnull=False,
                        outcome_recorded_by__isnull=False,
                    )
                ),
                name="appt_outcome_fields_together",
            ),
            models.CheckConstraint(
                condition=Q(rescheduled_to__isnull=True)
                | (Q(outcome=Outcome.RESCHEDULED) & ~Q(rescheduled_to=F("pk"))),
                name="appt_rescheduled_to_only_when_rescheduled",
            ),
            # One appointment (or series) per filled-in booking form.
            models.UniqueConstraint(
                fields=["client", "created_by", "form_token"],
                name="appt_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk}"

    def get_absolute_url(self) -> str:
        return record_url("appointments:detail", self.pk)

    @property
    def is_called_off(self) -> bool:
        """Cancelled or moved elsewhere: it no longer takes up the time."""
        return self.outcome in NOT_TAKING_TIME

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def live(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A clinician's private calendar feed (iCalendar): off until they turn it
    on, reached by a secret address whose token is kept only as its SHA-256
    (like a password), and ended by them at any time. It shows times and a
    record id, never a name, clinical text, a place or a safe-contact detail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(db_default=Now())
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_live",
            )
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
