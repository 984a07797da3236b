"""Deactivating and reactivating staff, and the "needs a new clinician" list."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from clients.models import Client, ClientStatus
from staff import services
from staff.models import StaffChange, User
from tests.factories import (
    AdminFactory,
    ClientFactory,
    ClinicianFactory,
    TherapySessionFactory,
)
from tests.signin import signed_in
from tests.web import form_to


def _signed_in(user: User) -> HttpClient:
    http = signed_in(user)
    assert http.get(reverse("home")).status_code in (200, 302)
    return http


def _is_signed_out(http: HttpClient) -> bool:
    response = http.get(reverse("home"))
    return response.status_code == 302 and response["Location"].startswith(
        reverse("login")
    )


def test_deactivation_ends_open_sessions_at_once(
    as_admin: HttpClient, clinician: User
) -> None:
    theirs = _signed_in(clinician)
    assert not _is_signed_out(theirs)
    response = as_admin.post(reverse("staff:deactivate", args=[clinician.pk]))
    assertRedirects(response, reverse("staff:detail", args=[clinician.pk]))
    clinician.refresh_from_db()
    assert not clinician.is_active
    assert _is_signed_out(theirs)
    # And they cannot sign in again.
    fresh = HttpClient()
    fresh.post(
        reverse("login"), {"username": "clinician", "password": "test-password-123"}
    )
    assert "_auth_user_id" not in fresh.session


def test_reactivation_lets_them_sign_in_but_revives_no_old_session(
    as_admin: HttpClient, clinician: User
) -> None:
    old = _signed_in(clinician)
    as_admin.post(reverse("staff:deactivate", args=[clinician.pk]))
    response = as_admin.post(
        reverse("staff:reactivate", args=[clinician.pk]), follow=True
    )
    assertContains(response, "can sign in again")
    clinician.refresh_from_db()
    assert clinician.is_active
    assert _is_signed_out(old)  # the old session was deleted, not only refused
    fresh = HttpClient()
    fresh.post(
        reverse("login"), {"username": "clinician", "password": "test-password-123"}
    )
    assert fresh.session["_auth_user_id"] == str(clinician.pk)
    history = list(StaffChange.objects.filter(staff=clinician).order_by("id"))
    assert [(c.old_value, c.new_value) for c in history] == [
        ("Active", "Deactivated"),
        ("Deactivated", "Active"),
    ]


def test_other_staff_stay_signed_in(
    as_admin: HttpClient, clinician: User, outsider: User
) -> None:
    theirs = _signed_in(outsider)
    as_admin.post(reverse("staff:deactivate", args=[clinician.pk]))
    assert not _is_signed_out(theirs)
    assert not _is_signed_out(as_admin)


def test_an_admin_cannot_deactivate_themselves(
    as_admin: HttpClient, admin_user: User
) -> None:
    AdminFactory.create()
    response = as_admin.post(
        reverse("staff:deactivate", args=[admin_user.pk]), follow=True
    )
    assertContains(response, "You cannot deactivate your own account.")
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_the_last_admin_cannot_be_deactivated(admin_user: User) -> None:
    """Unreachable from a page (one cannot deactivate oneself, and any other
    active admin means this one is not the last): the service directly."""
    former = AdminFactory.create(is_active=False)
    with pytest.raises(ValidationError, match="last active admin"):
        services.staff_deactivate(staff=admin_user, by=former)
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_one_of_two_admins_can_be_deactivated(as_admin: HttpClient) -> None:
    other = AdminFactory.create()
    as_admin.post(reverse("staff:deactivate", args=[other.pk]))
    other.refresh_from_db()
    assert not other.is_active


def test_deactivated_clinicians_clients_need_a_new_clinician(
    as_admin: HttpClient, clinician: User, outsider: User
) -> None:
    waiting = ClientFactory.create(clinician=clinician, chosen_name="Robin Waiting")
    paused = ClientFactory.create(
        clinician=clinician, chosen_name="Pat Paused", status=ClientStatus.PAUSED
    )
    ClientFactory.create(clinician=outsider, chosen_name="Kim Elsewhere")
    page = as_admin.get(reverse("staff:needs_clinician"))
    assertNotContains(page, "Robin Waiting")

    as_admin.post(reverse("staff:deactivate", args=[clinician.pk]))
    page = as_admin.get(reverse("staff:needs_clinician"))
    assertContains(page, "Robin Waiting")
    assertContains(page, "Pat Paused")
    assertContains(page, clinician.name)
    assertContains(page, reverse("clients:reassign", args=[waiting.pk]))
    assertNotContains(page, "Kim Elsewhere")
    # Chosen name, status and clinician only: nothing clinical, no link into a record.
    assertNotContains(page, f'href="{reverse("clients:detail", args=[paused.pk])}"')


# Submitted as a browser does: from the pages as rendered, CSRF checks on
# (tests/web.py).


def test_reactivating_from_the_staff_page_lets_them_sign_in_again(
    web, admin_user: User
) -> None:
    gone = ClinicianFactory.create(username="gone", is_active=False)
    url = reverse("staff:reactivate", args=[gone.pk])
    page = web(admin_user).get(reverse("staff:detail", args=[gone.pk]))

    landed = form_to(page, url).submit().follow()

    assert landed.request.path == reverse("staff:detail", args=[gone.pk])
    assertContains(landed, f"{gone.name} can sign in again.")
    gone.refresh_from_db()
    assert gone.is_active
    change = StaffChange.objects.get(staff=gone)
    assert (change.old_value, change.new_value, change.changed_by) == (
        "Deactivated",
        "Active",
        admin_user,
    )


# The confirmation page (issue #16, item 7): what the person leaves behind is
# shown before anything changes, without clinical content.


def _unfinished_notes(clinician: User) -> Client:
    client = ClientFactory.create(
        clinician=clinician, chosen_name="Robin Staying", legal_name="Legal Hidden"
    )
    TherapySessionFactory.create(
        client=client, sections={"brought": "Private words in a draft"}
    )
    # Written as signed and waiting (its review status moves only through a
    # review row once it exists, migration `review_status_from_reviews`).
    TherapySessionFactory.create(
        client=client,
        status="signed",
        signed_at=timezone.now(),
        review_status="waiting",
    )
    return client


def test_deactivation_shows_what_they_leave_behind_first(
    web, admin_user: User, clinician: User, supervisor: User
) -> None:
    _unfinished_notes(clinician)
    app = web(admin_user)
    detail = app.get(reverse("staff:detail", args=[clinician.pk]))
    page = detail.click(href=reverse("staff:deactivate", args=[clinician.pk]))
    clinician.refresh_from_db()
    assert clinician.is_active  # nothing changed yet
    assertContains(page, "Robin Staying")
    notes = page.html.find(attrs={"data-testid": "departing-notes"}).get_text(" ")
    assert " ".join(notes.split()) == (
        "Drafts 1 Waiting for co-signature 1 Returned with comments, not yet answered 0"
    )
    assertContains(page, f"keep counting on {supervisor.name}’s team dashboard")
    assertNotContains(page, "Private words")
    assertNotContains(page, "Legal Hidden")

    done = page.forms["deactivate-form"].submit().follow()
    assertContains(done, "is deactivated and signed out")
    clinician.refresh_from_db()
    assert not clinician.is_active


def test_deactivating_a_supervisor_of_cosigned_staff_needs_their_successor(
    web, admin_user: User, supervisor: User, other_supervisor: User
) -> None:
    intern = ClinicianFactory.create(supervisor=supervisor, requires_cosign=True)
    page = web(admin_user).get(reverse("staff:deactivate", args=[supervisor.pk]))
    assertContains(page, f"{intern.name} (notes need co-signature)")
    refused = page.forms["deactivate-form"].submit()
    assertContains(refused, "Choose who supervises their team")
    supervisor.refresh_from_db()
    assert supervisor.is_active

    form = refused.forms["deactivate-form"]
    form["new_supervisor"] = str(other_supervisor.pk)
    assert form.submit().status_code == 302
    supervisor.refresh_from_db()
    intern.refresh_from_db()
    assert not supervisor.is_active
    assert intern.supervisor == other_supervisor
    change = StaffChange.objects.get(staff=intern, field="supervisor")
    assert (change.old_value, change.new_value) == (
        supervisor.name,
        other_supervisor.name,
    )


def test_the_service_refuses_to_leave_cosigned_notes_without_a_supervisor(
    admin_user: User, supervisor: User
) -> None:
    """A raw POST cannot skip the choice: the service checks it too."""
    ClinicianFactory.create(supervisor=supervisor, requires_cosign=True)
    with pytest.raises(ValidationError, match="need co-signature"):
        services.staff_deactivate(staff=supervisor, by=admin_user)
    supervisor.refresh_from_db()
    assert supervisor.is_active


def test_with_no_other_supervisor_the_page_says_what_to_do_first(
    web, admin_user: User, supervisor: User
) -> None:
    """The successor list is empty: the page says why and how to fill it, and
    nothing changes."""
    ClinicianFactory.create(supervisor=supervisor, requires_cosign=True)
    page = web(admin_user).get(reverse("staff:deactivate", args=[supervisor.pk]))
    assertContains(page, "There is no other active supervisor to choose.")
    refused = page.forms["deactivate-form"].submit()
    assertContains(refused, "Give someone the supervisor role first")
    supervisor.refresh_from_db()
    assert supervisor.is_active
