"""Every privilege change is an audit event with its before and after (ids,
role codes, booleans; never a name), and a page outside a person's role leaves
a denied event while it still answers a plain 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_webtest import DjangoTestApp

from audit.models import AuditEvent
from staff.models import User
from tests.factories import ClinicianFactory
from tests.web import form_to


def _changes(staff: User) -> dict[str, dict[str, Any]]:
    events = AuditEvent.objects.filter(
        action="staff_change", object_id=str(staff.pk)
    ).order_by("seq")
    return {e.object_type: e.detail for e in events}


def test_role_supervisor_and_cosign_changes_carry_before_and_after(
    web: Callable[[User], DjangoTestApp],
    admin_user: User,
    clinician: User,
    supervisor: User,
    other_supervisor: User,
) -> None:
    page = web(admin_user).get(reverse("staff:update", args=[clinician.pk]))
    form = form_to(page, reverse("staff:update", args=[clinician.pk]))
    form["supervisor"] = str(other_supervisor.pk)
    form["requires_cosign"] = True
    form.submit().follow()
    assert _changes(clinician) == {
        "staff.supervisor": {"before": supervisor.pk, "after": other_supervisor.pk},
        "staff.requires_cosign": {"before": False, "after": True},
    }
    # A clinician with no clients becomes a supervisor.
    newcomer = ClinicianFactory.create(supervisor=supervisor)
    page = web(admin_user).get(reverse("staff:update", args=[newcomer.pk]))
    form = form_to(page, reverse("staff:update", args=[newcomer.pk]))
    form["role"] = "supervisor"
    form["supervisor"] = ""
    form.submit().follow()
    changes = _changes(newcomer)
    assert changes["staff.role"] == {"before": "clinician", "after": "supervisor"}
    assert changes["staff.supervisor"] == {"before": supervisor.pk, "after": None}
    event = AuditEvent.objects.filter(object_type="staff.role").get()
    assert event.actor == admin_user
    assert newcomer.name not in str(event.detail)


def test_deactivation_reactivation_and_resets_are_recorded(
    web: Callable[[User], DjangoTestApp], admin_user: User, clinician: User
) -> None:
    TOTPDevice.objects.create(user=clinician, confirmed=True)
    app = web(admin_user)
    detail = reverse("staff:detail", args=[clinician.pk])
    page = app.get(detail)
    form_to(page, reverse("staff:second_factor_reset", args=[clinician.pk])).submit()
    page = app.get(detail)
    form_to(page, reverse("staff:password_reset", args=[clinician.pk])).submit()
    page = app.get(reverse("staff:deactivate", args=[clinician.pk]))
    page.forms["deactivate-form"].submit()
    page = app.get(detail)
    form_to(page, reverse("staff:reactivate", args=[clinician.pk])).submit()
    events = AuditEvent.objects.filter(
        action="staff_change", object_id=str(clinician.pk)
    ).order_by("seq")
    assert [(e.object_type, e.detail) for e in events] == [
        ("staff.second_factor", {"before": True, "after": False}),
        # That it happened, with no values.
        ("staff.password", {}),
        ("staff.is_active", {"before": True, "after": False}),
        ("staff.is_active", {"before": False, "after": True}),
    ]
    assert {e.actor_id for e in events} == {admin_user.pk}


@pytest.mark.parametrize(
    ("persona", "route", "args"),
    [
        ("as_clinician", "audit:report", []),
        ("as_clinician", "staff:list", []),
        ("as_clinician", "team:dashboard", []),
        ("as_supervisor", "staff:list", []),
        ("as_admin", "clients:list", []),
    ],
)
def test_a_page_outside_the_role_is_a_404_that_leaves_a_denied_event(
    persona: str, route: str, args: list[Any], request: pytest.FixtureRequest
) -> None:
    http: HttpClient = request.getfixturevalue(persona)
    response = http.get(reverse(route, args=args))
    assert response.status_code == 404
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.outcome, event.object_type, event.object_id) == (
        "read",
        "denied",
        "page",
        route,
    )
    assert event.actor_id == response.wsgi_request.user.pk


def test_an_admin_opening_a_clients_record_is_denied_with_its_id(
    as_admin: HttpClient, client_record: Any
) -> None:
    url = reverse("audit:client_history", args=[client_record.pk])
    assert as_admin.get(url).status_code == 404
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.outcome == "denied"
    assert event.detail == {"path_ids": {"pk": str(client_record.pk)}}
