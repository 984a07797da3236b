from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    """A staff member. Every staff member has exactly one role (see DESIGN.md)."""

    display_name = models.CharField(
        "name",
        max_length=150,
        blank=True,
        help_text="How the name appears on pages and under signatures.",
    )
    credentials = models.CharField(
        max_length=100,
        blank=True,
        help_text="Professional credentials shown under signatures, e.g. LPCC, LADC.",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisees",
        limit_choices_to={"role": Role.SUPERVISOR},
    )
    requires_cosign = models.BooleanField(
        "notes need co-signature",
        default=False,
        help_text="Signed notes by this person wait for a supervisor's co-signature.",
    )

    class Meta:
        ordering = ["display_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=F("pk")),
                name="staff_user_not_own_supervisor",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="staff_user_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("home")

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def signature(self) -> str:
        """Name and credentials as printed under a signature."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def carries_caseload(self) -> bool:
        """Clinicians and supervisors hold clients; admins never see clinical data."""
        return self.role in (Role.CLINICIAN, Role.SUPERVISOR)
