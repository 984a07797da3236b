"""Moving a departing clinician's caseload in one form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client, ClientStatus, Reassignment
from clients.services import caseload_reassign
from staff.models import User
from tests.factories import ClientFactory, ClinicianFactory, TherapySessionFactory


def _url(departing: User) -> str:
    return f"{reverse('staff:caseload')}?clinician={departing.pk}"


def test_page_lists_chosen_names_and_no_clinical_content(
    as_admin: HttpClient, clinician: User
) -> None:
    ClientFactory.create(
        clinician=clinician, chosen_name="Ash Moving", legal_name="Legal Secret"
    )
    response = as_admin.get(_url(clinician))
    assertContains(response, "Ash Moving (active)")
    assertNotContains(response, "Legal Secret")


def test_move_every_client_to_one_clinician(
    as_admin: HttpClient, admin_user: User, clinician: User, outsider: User
) -> None:
    theirs = ClientFactory.create_batch(3, clinician=clinician)
    closed = ClientFactory.create(
        clinician=clinician,
        status=ClientStatus.CLOSED,
        closed_reason="moved",
        closed_on="2024-01-02",
        intake_date="2024-01-01",
    )
    others = ClientFactory.create_batch(2, clinician=outsider)
    receiver = ClinicianFactory.create()

    response = as_admin.post(_url(clinician), {"move_all_to": receiver.pk}, follow=True)
    assertContains(response, "Moved 4 of")
    assert not Client.objects.filter(clinician=clinician).exists()
    for client in [*theirs, closed]:
        client.refresh_from_db()
        assert client.clinician == receiver
    for client in others:
        client.refresh_from_db()
        assert client.clinician == outsider
    rows = Reassignment.objects.all()
    assert rows.count() == 4
    assert {r.client_id for r in rows} == {c.pk for c in [*theirs, closed]}
    assert all(
        r.from_clinician == clinician and r.changed_by == admin_user for r in rows
    )


def test_pick_a_clinician_for_each_client_in_one_submit(
    as_admin: HttpClient, clinician: User, supervisor: User, outsider: User
) -> None:
    first, second, third = ClientFactory.create_batch(3, clinician=clinician)
    response = as_admin.post(
        _url(clinician),
        {
            "move_all_to": "",
            f"client_{first.pk}": supervisor.pk,
            f"client_{second.pk}": outsider.pk,
            # third: no choice, and nobody for all: stays
        },
    )
    assert response.status_code == 302
    for client in (first, second, third):
        client.refresh_from_db()
    assert first.clinician == supervisor
    assert second.clinician == outsider
    assert third.clinician == clinician
    assert Reassignment.objects.count() == 2


def test_a_clients_own_choice_wins_over_the_one_for_everyone(
    as_admin: HttpClient, clinician: User, supervisor: User, outsider: User
) -> None:
    first, second = ClientFactory.create_batch(2, clinician=clinician)
    as_admin.post(
        _url(clinician),
        {"move_all_to": supervisor.pk, f"client_{first.pk}": outsider.pk},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.clinician, second.clinician) == (outsider, supervisor)


def test_choosing_nobody_moves_nothing(as_admin: HttpClient, clinician: User) -> None:
    ClientFactory.create(clinician=clinician)
    response = as_admin.post(_url(clinician), {"move_all_to": ""})
    assertContains(response, "Choose who takes the clients")
    assert Reassignment.objects.count() == 0


def test_the_departing_clinician_and_inactive_staff_are_not_offered(
    as_admin: HttpClient, clinician: User
) -> None:
    client = ClientFactory.create(clinician=clinician)
    gone = ClinicianFactory.create(is_active=False)
    for target in (clinician, gone):
        response = as_admin.post(_url(clinician), {"move_all_to": target.pk})
        assert response.status_code == 200
    client.refresh_from_db()
    assert client.clinician == clinician
    assert Reassignment.objects.count() == 0


def test_a_client_moved_meanwhile_is_left_alone(
    as_admin: HttpClient, clinician: User, outsider: User, supervisor: User
) -> None:
    first, second = ClientFactory.create_batch(2, clinician=clinician)
    # Someone moves `second` between the page loading and the submit.
    form_data = {
        f"client_{first.pk}": supervisor.pk,
        f"client_{second.pk}": supervisor.pk,
    }
    Client.objects.filter(pk=second.pk).update(clinician=outsider)
    response = as_admin.post(_url(clinician), form_data)
    # `second` is no longer on the form, so only `first` moves.
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.clinician == supervisor
    assert second.clinician == outsider


def test_service_moves_nothing_when_a_client_left_the_caseload_meanwhile(
    admin_user: User, clinician: User, outsider: User, supervisor: User
) -> None:
    """A race no page can stage: the service checks the caseload under lock."""
    first, second = ClientFactory.create_batch(2, clinician=clinician)
    Client.objects.filter(pk=second.pk).update(clinician=outsider)
    with pytest.raises(ValidationError, match="changed this caseload meanwhile"):
        caseload_reassign(
            from_clinician=clinician,
            moves=[(first, supervisor), (second, supervisor)],
            by=admin_user,
        )
    first.refresh_from_db()
    assert first.clinician == clinician
    assert Reassignment.objects.count() == 0


def test_the_page_shows_everyones_caseload_size(
    web, admin_user: User, clinician: User
) -> None:
    """Issue #16, item 17: to spread a caseload fairly an admin needs to see how
    many clients each person already holds (active and paused ones)."""
    ClientFactory.create_batch(2, clinician=clinician)
    receiver = ClinicianFactory.create(display_name="Lee Receiving")
    ClientFactory.create_batch(3, clinician=receiver)
    ClientFactory.create(
        clinician=receiver,
        status=ClientStatus.CLOSED,
        closed_reason="moved",
        closed_on="2024-01-02",
        intake_date="2024-01-01",
    )
    app = web(admin_user)
    start = app.get(reverse("staff:caseload"))
    pick = start.forms["pick-form"]
    labels = dict((value, text) for value, _, text in pick["clinician"].options)
    assert labels[str(clinician.pk)] == f"{clinician.name} (caseload: 2)"
    pick["clinician"] = str(clinician.pk)
    page = pick.submit()
    options = {
        text for _, _, text in page.forms["caseload-move-form"]["move_all_to"].options
    }
    assert "Lee Receiving (caseload: 3)" in options


def test_move_every_client_from_the_rendered_form(
    web, admin_user: User, clinician: User
) -> None:
    theirs = ClientFactory.create_batch(2, clinician=clinician)
    receiver = ClinicianFactory.create()
    page = web(admin_user).get(_url(clinician))
    form = page.forms["caseload-move-form"]
    form["move_all_to"] = str(receiver.pk)
    done = form.submit().follow()
    assertContains(done, "Moved 2 of")
    assertContains(done, f"{receiver.name} (caseload: 2)")
    for client in theirs:
        client.refresh_from_db()
        assert client.clinician == receiver


def test_the_page_says_what_unfinished_notes_stay_behind(
    as_admin: HttpClient, clinician: User, supervisor: User
) -> None:
    client = ClientFactory.create(clinician=clinician)
    TherapySessionFactory.create(client=client, sections={"brought": "Private"})
    response = as_admin.get(_url(clinician))
    assertContains(response, f"{clinician.name} has 1 draft, 0 notes waiting")
    assertContains(response, f"{supervisor.name}’s team dashboard")
    assertNotContains(response, "Private")
