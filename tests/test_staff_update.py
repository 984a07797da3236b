"""Editing a staff member: role, supervisor and co-sign rules, and the history."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from audit.models import AuditEvent
from staff import services
from staff.models import Role, StaffChange, User
from tests.factories import (
    AdminFactory,
    ClientFactory,
    ClinicianFactory,
    StaffChangeFactory,
    SupervisorFactory,
)
from tests.web import form_to

LOOP = "Nobody can be in their own supervision line."


def _edit(http: HttpClient, staff: User, **changes: Any) -> Any:
    data = {
        "display_name": staff.display_name,
        "email": staff.email,
        "credentials": staff.credentials,
        "role": staff.role,
        "supervisor": staff.supervisor_id or "",
        "requires_cosign": "on" if staff.requires_cosign else "",
        **changes,
    }
    return http.post(reverse("staff:update", args=[staff.pk]), data)


def test_edit_saves_and_records_tracked_changes(
    as_admin: HttpClient, admin_user: User, clinician: User, other_supervisor: User
) -> None:
    response = _edit(
        as_admin,
        clinician,
        display_name="Casey  Renamed",
        supervisor=other_supervisor.pk,
        requires_cosign="on",
    )
    assertRedirects(response, reverse("staff:detail", args=[clinician.pk]))
    clinician.refresh_from_db()
    assert clinician.display_name == "Casey Renamed"
    assert clinician.supervisor == other_supervisor
    assert clinician.requires_cosign
    changes = {c.field: c for c in StaffChange.objects.filter(staff=clinician)}
    assert set(changes) == {"supervisor", "requires_cosign", "display_name"}
    assert changes["supervisor"].new_value == other_supervisor.name
    assert changes["display_name"].new_value == "Casey Renamed"
    assert changes["requires_cosign"].old_value == "No"
    assert changes["requires_cosign"].changed_by == admin_user
    page = as_admin.get(reverse("staff:detail", args=[clinician.pk]))
    assertContains(page, "Notes need co-signature")
    assertContains(page, other_supervisor.name)


def test_a_supervision_loop_is_refused(as_admin: HttpClient) -> None:
    top = SupervisorFactory.create()
    middle = SupervisorFactory.create(supervisor=top)
    bottom = SupervisorFactory.create(supervisor=middle)
    response = _edit(as_admin, top, supervisor=bottom.pk)
    assertContains(response, LOOP)
    top.refresh_from_db()
    assert top.supervisor is None
    # A two-person loop too.
    assertContains(_edit(as_admin, middle, supervisor=bottom.pk), LOOP)


def test_self_supervision_is_refused(as_admin: HttpClient, supervisor: User) -> None:
    response = _edit(as_admin, supervisor, supervisor=supervisor.pk)
    assertContains(response, "Choose a supervisor from the list")
    supervisor.refresh_from_db()
    assert supervisor.supervisor is None


def test_supervisor_must_have_the_supervisor_role(
    as_admin: HttpClient, clinician: User, outsider: User
) -> None:
    response = _edit(as_admin, clinician, supervisor=outsider.pk)
    assertContains(response, "Choose a supervisor from the list")
    clinician.refresh_from_db()
    assert clinician.supervisor != outsider


def test_service_refuses_what_the_form_cannot_send(
    admin_user: User, clinician: User, outsider: User, supervisor: User
) -> None:
    """The service enforces the rules on its own, for any other caller."""
    same: dict[str, Any] = {
        "email": "x@example.invalid",
        "display_name": "X",
        "credentials": "",
        "requires_cosign": False,
    }
    with pytest.raises(ValidationError, match="supervisor role"):
        services.staff_update(
            staff=clinician,
            by=admin_user,
            role=Role.CLINICIAN,
            supervisor=outsider,
            **same,
        )
    with pytest.raises(ValidationError, match="Nobody can supervise themselves"):
        services.staff_update(
            staff=supervisor,
            by=admin_user,
            role=Role.SUPERVISOR,
            supervisor=supervisor,
            **same,
        )
    clinician.refresh_from_db()
    assert clinician.supervisor == supervisor


def test_an_admin_has_no_supervisor_or_cosign(
    as_admin: HttpClient, supervisor: User
) -> None:
    other_admin = AdminFactory.create()
    response = _edit(
        as_admin, other_admin, supervisor=supervisor.pk, requires_cosign="on"
    )
    assertContains(response, "An admin has no supervisor")
    assertContains(response, "nothing needs co-signature")


def test_demoting_a_supervisor_with_supervisees_is_refused(
    as_admin: HttpClient, supervisor: User, clinician: User
) -> None:
    ClinicianFactory.create(supervisor=supervisor)
    response = _edit(as_admin, supervisor, role=Role.CLINICIAN)
    assertContains(response, "still supervises 2 staff members")
    supervisor.refresh_from_db()
    assert supervisor.role == Role.SUPERVISOR


def test_a_supervisor_without_a_team_can_become_a_clinician(
    as_admin: HttpClient, other_supervisor: User, outsider: User, supervisor: User
) -> None:
    _edit(as_admin, outsider, supervisor=supervisor.pk)
    response = _edit(as_admin, other_supervisor, role=Role.CLINICIAN)
    assert response.status_code == 302
    other_supervisor.refresh_from_db()
    assert other_supervisor.role == Role.CLINICIAN
    change = StaffChange.objects.get(staff=other_supervisor)
    assert (change.old_value, change.new_value) == ("Supervisor", "Clinician")


def test_a_clinician_with_clients_cannot_become_an_admin(
    as_admin: HttpClient, clinician: User
) -> None:
    ClientFactory.create(clinician=clinician)
    response = _edit(as_admin, clinician, role=Role.ADMIN, supervisor="")
    assertContains(response, "still the primary clinician for 1 client.")
    clinician.refresh_from_db()
    assert clinician.role == Role.CLINICIAN


def test_the_last_admin_cannot_be_demoted(admin_user: User) -> None:
    """No page reaches this rule (an admin may not change their own role, and a
    second active admin means this one is not the last), so the service is
    called directly, by an admin who has since been deactivated."""
    former = AdminFactory.create(is_active=False)
    with pytest.raises(ValidationError, match="last active admin"):
        services.staff_update(
            staff=admin_user,
            by=former,
            email=admin_user.email,
            display_name=admin_user.display_name,
            credentials="",
            role=Role.CLINICIAN,
            supervisor=None,
            requires_cosign=False,
        )
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_an_admin_cannot_change_their_own_role(
    as_admin: HttpClient, admin_user: User
) -> None:
    AdminFactory.create()
    response = _edit(as_admin, admin_user, role=Role.CLINICIAN)
    assertContains(response, "Ask another admin to change your own role.")
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_one_of_two_admins_can_be_demoted(as_admin: HttpClient) -> None:
    other = AdminFactory.create()
    assert _edit(as_admin, other, role=Role.CLINICIAN).status_code == 302
    other.refresh_from_db()
    assert other.role == Role.CLINICIAN


def test_staff_page_shows_the_history(as_admin: HttpClient, clinician: User) -> None:
    change = StaffChangeFactory.create(staff=clinician, old_value="No", new_value="Yes")
    response = as_admin.get(reverse("staff:detail", args=[clinician.pk]))
    assertContains(response, "<td>Notes need co-signature</td>", html=False)
    assertContains(response, f"<td>{change.changed_by.name}</td>")


# Submitted as a browser does: from the pages as rendered, CSRF checks on
# (tests/web.py).


def test_editing_from_the_staff_page_saves_and_records_the_changes(
    web, admin_user: User, clinician: User, other_supervisor: User
) -> None:
    url = reverse("staff:update", args=[clinician.pk])
    page = web(admin_user).get(reverse("staff:detail", args=[clinician.pk]))
    form = form_to(page.click(href=url), url)
    assert form["supervisor"].value == str(clinician.supervisor_id)
    form["display_name"] = "Casey  Renamed"
    form["supervisor"] = str(other_supervisor.pk)
    form["requires_cosign"] = True

    landed = form.submit().follow()

    assert landed.request.path == reverse("staff:detail", args=[clinician.pk])
    assertContains(landed, "Saved.")
    assertContains(landed, "Notes need co-signature")
    clinician.refresh_from_db()
    assert clinician.display_name == "Casey Renamed"
    assert clinician.supervisor == other_supervisor
    assert clinician.requires_cosign
    assert clinician.email == "clinician@example.invalid"  # untouched, sent back
    changes = StaffChange.objects.filter(staff=clinician, changed_by=admin_user)
    assert set(changes.values_list("field", flat=True)) == {
        "supervisor",
        "requires_cosign",
        "display_name",
    }


def test_email_and_name_changes_are_in_the_history_and_the_audit(
    web, admin_user: User, clinician: User
) -> None:
    url = reverse("staff:update", args=[clinician.pk])
    page = web(admin_user).get(reverse("staff:detail", args=[clinician.pk]))
    form = form_to(page.click(href=url), url)
    old_name = clinician.name
    form["email"] = "casey.new@example.invalid"
    form["display_name"] = "Casey New"

    landed = form.submit().follow()

    changes = {
        c.field: (c.old_value, c.new_value, c.changed_by)
        for c in StaffChange.objects.filter(staff=clinician)
    }
    assert changes == {
        "email": ("clinician@example.invalid", "casey.new@example.invalid", admin_user),
        "display_name": (old_name, "Casey New", admin_user),
    }
    events = AuditEvent.objects.filter(object_id=str(clinician.pk)).order_by("seq")
    assert {e.object_type for e in events} == {"staff.email", "staff.display_name"}
    assert all(e.actor == admin_user for e in events)
    assertContains(landed, "casey.new@example.invalid", count=2)  # details, history
