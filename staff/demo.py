"""Fictional demo staff for `manage.py seed_demo`. Every name is obviously made up."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from staff.models import Role, User

DEMO_PASSWORD = "harm-reduction"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    display_name: str
    role: str
    credentials: str = ""
    supervisor: str | None = None
    requires_cosign: bool = False


DEMO_STAFF = [
    DemoStaff("admin", "Ada Admin (demo)", Role.ADMIN),
    DemoStaff("supervisor", "Sam Supervisor (demo)", Role.SUPERVISOR, "LICSW"),
    DemoStaff("supervisor2", "Sky Supervisor (demo)", Role.SUPERVISOR, "LPCC"),
    DemoStaff(
        "clinician",
        "Casey Clinician (demo)",
        Role.CLINICIAN,
        "LPCC, LADC",
        "supervisor",
    ),
    DemoStaff(
        "clinician2", "Charlie Clinician (demo)", Role.CLINICIAN, "LADC", "supervisor"
    ),
    DemoStaff(
        "intern",
        "Indigo Intern (demo)",
        Role.CLINICIAN,
        "MSW intern",
        "supervisor",
        requires_cosign=True,
    ),
    DemoStaff(
        "outsider", "Oakley Outsider (demo)", Role.CLINICIAN, "LPC", "supervisor2"
    ),
]


@transaction.atomic
def seed_staff() -> tuple[int, int]:
    """Create or update the demo staff. Returns (created, updated)."""
    created = updated = 0
    by_username: dict[str, User] = {}
    for spec in DEMO_STAFF:
        user, was_created = User.objects.get_or_create(username=spec.username)
        user.display_name = spec.display_name
        user.role = spec.role
        user.credentials = spec.credentials
        user.requires_cosign = spec.requires_cosign
        user.supervisor = by_username[spec.supervisor] if spec.supervisor else None
        user.email = f"{spec.username}@example.invalid"
        user.is_active = True
        if was_created:
            user.set_password(DEMO_PASSWORD)
            created += 1
        else:
            updated += 1
        user.save()
        by_username[spec.username] = user
    return created, updated
