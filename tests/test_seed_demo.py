from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from staff.models import Role, User


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"staff", "clients", "goals", "therapy_sessions"}
    }


@pytest.mark.django_db
def test_seed_demo_is_idempotent() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=out)
    assert _counts() == first
    assert "Demo data is ready." in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_the_documented_staff() -> None:
    call_command("seed_demo", stdout=StringIO())
    staff = {u.username: u for u in User.objects.select_related("supervisor")}
    assert staff["admin"].role == Role.ADMIN
    assert {staff["supervisor"].role, staff["supervisor2"].role} == {Role.SUPERVISOR}
    for name in ("clinician", "clinician2", "intern"):
        assert staff[name].supervisor == staff["supervisor"]
    assert staff["intern"].requires_cosign
    assert staff["outsider"].supervisor == staff["supervisor2"]
    assert staff["clinician"].check_password("harm-reduction")
