"""Someone whose notes need co-signature always has an active supervisor, so a
note waiting for co-signature always has a queue to wait in (issue #16 item 8):
a form error for the admin, and PostgreSQL refuses it as well."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django_webtest import DjangoTestApp
from pytest_django.asserts import assertContains

from staff.models import Role, User
from tests.factories import ClinicianFactory, SupervisorFactory
from tests.web import form_with

Web = Callable[[User | None], DjangoTestApp]


@pytest.fixture
def intern(supervisor: User) -> User:
    return ClinicianFactory.create(
        username="intern",
        display_name="Indigo Intern",
        supervisor=supervisor,
        requires_cosign=True,
    )


def _refused(change: Callable[[], object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        change()


def test_adding_staff_who_need_cosignature_without_a_supervisor_is_refused(
    web: Web, admin_user: User
) -> None:
    form = form_with(web(admin_user).get(reverse("staff:create")), "username")
    form["username"] = "newintern"
    form["display_name"] = "New Intern"
    form["email"] = "newintern@example.invalid"
    form["role"] = Role.CLINICIAN
    form["requires_cosign"] = True
    shown = form.submit()
    assertContains(shown, "Notes that need co-signature wait for the author")
    assert not User.objects.filter(username="newintern").exists()


def test_removing_the_supervisor_of_someone_who_needs_cosignature_is_refused(
    web: Web, admin_user: User, intern: User
) -> None:
    page = web(admin_user).get(reverse("staff:update", args=[intern.pk]))
    form = form_with(page, "supervisor")
    form["supervisor"] = ""
    assertContains(form.submit(), "Choose an active supervisor, or untick")
    intern.refresh_from_db()
    assert intern.supervisor is not None


def test_cosignature_under_a_deactivated_supervisor_is_refused(
    web: Web, admin_user: User
) -> None:
    former = SupervisorFactory.create(display_name="Former Supervisor")
    clinician = ClinicianFactory.create(supervisor=former)
    User.objects.filter(pk=former.pk).update(is_active=False)
    form = form_with(
        web(admin_user).get(reverse("staff:update", args=[clinician.pk])),
        "requires_cosign",
    )
    form["requires_cosign"] = True
    shown = form.submit()
    assertContains(shown, "Former Supervisor is deactivated, and notes that need")
    clinician.refresh_from_db()
    assert not clinician.requires_cosign


def test_deactivating_the_supervisor_of_someone_who_needs_cosignature_says_what_first(
    as_admin: HttpClient, supervisor: User, intern: User
) -> None:
    response = as_admin.post(
        reverse("staff:deactivate", args=[supervisor.pk]), follow=True
    )
    assertContains(response, "some of them need co-signature")
    assertContains(response, "Indigo Intern (notes need co-signature)")
    supervisor.refresh_from_db()
    assert supervisor.is_active


def test_the_database_refuses_cosignature_without_a_supervisor(
    clinician: User,
) -> None:
    User.objects.filter(pk=clinician.pk).update(supervisor=None)
    _refused(lambda: User.objects.filter(pk=clinician.pk).update(requires_cosign=True))


def test_the_database_refuses_cosignature_under_a_deactivated_supervisor(
    clinician: User, supervisor: User
) -> None:
    User.objects.filter(pk=supervisor.pk).update(is_active=False)
    _refused(lambda: User.objects.filter(pk=clinician.pk).update(requires_cosign=True))


def test_the_database_refuses_a_supervisor_who_is_not_one(clinician: User) -> None:
    other = ClinicianFactory.create()
    _refused(
        lambda: User.objects.filter(pk=clinician.pk).update(
            supervisor=other, requires_cosign=True
        )
    )


def test_the_database_refuses_deactivating_or_demoting_their_supervisor(
    supervisor: User, intern: User
) -> None:
    supervisors = User.objects.filter(pk=supervisor.pk)
    _refused(lambda: supervisors.update(is_active=False))
    _refused(lambda: supervisors.update(role=Role.CLINICIAN))


def test_a_supervisor_without_cosign_supervisees_can_still_be_deactivated(
    as_admin: HttpClient, supervisor: User, clinician: User
) -> None:
    as_admin.post(reverse("staff:deactivate", args=[supervisor.pk]))
    supervisor.refresh_from_db()
    assert not supervisor.is_active
