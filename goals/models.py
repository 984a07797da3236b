from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from clients.access import visibility
from clients.models import Client
from hr_clinic.lib.urls import record_url

if TYPE_CHECKING:
    from staff.models import User


class GoalArea(models.TextChoices):
    SAFER_USE = "safer_use", "Safer use"
    CHANGING_USE = "changing_use", "Changing use"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    RELATIONSHIPS = "relationships", "Relationships"
    WORK_OR_STUDY = "work_or_study", "Work or study"
    LEGAL = "legal", "Legal"
    EMOTIONAL_WELLBEING = "emotional_wellbeing", "Emotional wellbeing"
    OTHER = "other", "Other"


class GoalStatus(models.TextChoices):
    """Where a goal stands. There is no "failed": a goal the person no longer
    works on is set aside or changed, in their own terms (docs/design.md, product
    rule 1)."""

    ACTIVE = "active", "Working on it"
    REACHED = "reached", "Reached"
    SET_ASIDE = "set_aside", "Set aside"
    CHANGED = "changed", "Changed into a new goal"


class GoalQuerySet(models.QuerySet["Goal"]):
    def visible_to(self, user: User) -> GoalQuerySet:
        """Goals of clients `user` may see (clients.access.visibility), through
        the goal's client (a join), as notes are."""
        rule = visibility(user, via="client__", emergency="client")
        return self.none() if rule is None else self.filter(rule)

    def active(self) -> GoalQuerySet:
        return self.filter(status=GoalStatus.ACTIVE)


class Goal(models.Model):
    """A goal the client owns, in their own words, in any area of life."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="goals")
    wording = models.TextField(
        "goal, in their words",
        help_text="Write it the way the person says it.",
    )
    why_it_matters = models.TextField(
        "why it matters to them",
        blank=True,
        help_text="Optional, in their words.",
    )
    area = models.CharField(
        "area of life", max_length=30, choices=GoalArea.choices, blank=True
    )
    status = models.CharField(
        max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE
    )
    set_on = models.DateField("set on", default=timezone.localdate)
    status_changed_on = models.DateField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        help_text="For a changed goal: the goal it became.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The token of the form that added this goal (hr_clinic.lib.form_tokens).
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["set_on", "created_at"]
        indexes = [
            models.Index(fields=["client", "status"], name="goal_client_status_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(wording=""), name="goal_wording_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(status__in=GoalStatus.values), name="goal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=GoalStatus.CHANGED, replaced_by__isnull=False)
                | (~Q(status=GoalStatus.CHANGED) & Q(replaced_by__isnull=True)),
                name="goal_changed_links_its_successor",
            ),
            models.CheckConstraint(
                condition=~Q(replaced_by=F("pk")), name="goal_not_replaced_by_itself"
            ),
            models.CheckConstraint(
                condition=Q(set_on__lte=Now()), name="goal_set_on_not_future"
            ),
            # One goal per filled-in "Add a goal" form.
            models.UniqueConstraint(
                fields=["client", "created_by", "form_token"],
                name="goal_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"goal {self.pk}"

    def get_absolute_url(self) -> str:
        return record_url("goals:detail", self.pk)

    @property
    def is_active(self) -> bool:
        return self.status == GoalStatus.ACTIVE


class GoalRevision(models.Model):
    """Every wording a goal has had, the first one included. Never edited."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="revisions")
    wording = models.TextField()
    why_it_matters = models.TextField(blank=True)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["revised_at", "pk"]

    def __str__(self) -> str:
        return f"revision of goal {self.goal_id}"


class GoalStatusChange(models.Model):
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=GoalStatus.choices)
    to_status = models.CharField(max_length=20, choices=GoalStatus.choices)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class EnteredHow(models.TextChoices):
    """Whose hand typed a rating in: the clinician's, with the person, or the
    person's own on the screen handed to them (screens/)."""

    CLINICIAN = "clinician", "Entered by the clinician"
    CLIENT_DEVICE = "client_device", "Rated by the client on this device"


class GoalRating(models.Model):
    """The client's own 0–10 rating of how close they feel to the goal (Goal Based
    Outcomes, Law & Jacob): 0 is as far as can be, 10 is reached."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField()
    rated_on = models.DateField(default=timezone.localdate)
    comment = models.TextField(
        "comment, in their words", blank=True, help_text="Optional."
    )
    session = models.ForeignKey(
        "therapy_sessions.TherapySession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goal_ratings",
        help_text="The session where the person gave this rating, if any.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # `recorded_by` is the clinician whose session the device was in either
    # way; this says whether the person typed the rating in themselves. A
    # database default too: the bulk loads (bench/scale.py) COPY without it.
    entered_how = models.CharField(
        max_length=20,
        choices=EnteredHow.choices,
        default=EnteredHow.CLINICIAN,
        db_default=EnteredHow.CLINICIAN,
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The token of the rating form that added it (hr_clinic.lib.form_tokens);
    # ratings given inside a session note have none.
    form_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["rated_on", "created_at"]
        indexes = [
            # Latest and previous rating per goal (client page, trends).
            models.Index(
                fields=["goal", "-rated_on", "-created_at"],
                name="goalrating_latest_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=10),
                name="goalrating_score_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(rated_on__lte=Now()), name="goalrating_not_future"
            ),
            models.CheckConstraint(
                condition=Q(entered_how__in=EnteredHow.values),
                name="goalrating_entered_how_valid",
            ),
            # One rating per goal per session.
            models.UniqueConstraint(
                fields=["goal", "session"],
                condition=Q(session__isnull=False),
                name="goalrating_one_per_goal_per_session",
            ),
            # One rating per filled-in rating form.
            models.UniqueConstraint(
                fields=["goal", "recorded_by", "form_token"],
                name="goalrating_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/10 on {self.rated_on}"

    @property
    def by_the_client(self) -> bool:
        return self.entered_how == EnteredHow.CLIENT_DEVICE
