from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from staff.models import Role, User
from tests.factories import ClinicianFactory, SupervisorFactory
from tests.web import form_to


def test_list_shows_role_supervisor_cosign_state_and_last_sign_in(
    as_admin: HttpClient, clinician: User
) -> None:
    clinician.requires_cosign = True
    clinician.save()
    response = as_admin.get(reverse("staff:list"))
    assertContains(response, clinician.name)
    assertContains(response, clinician.username)
    assertContains(response, "Supervisor")
    assertContains(response, "Never")  # the clinician has not signed in yet
    row = response.content.decode().split(clinician.name)[1].split("</tr>")[0]
    assert "Yes" in row and "Active" in row
    assert f">{clinician.supervisor.name}<" in row  # type: ignore[union-attr]


def test_role_filter(as_admin: HttpClient, clinician: User, supervisor: User) -> None:
    response = as_admin.get(reverse("staff:list"), {"role": Role.SUPERVISOR})
    names = [u.name for u in response.context["page"].object_list]
    assert names == [supervisor.name]


def test_active_filter(as_admin: HttpClient, clinician: User) -> None:
    gone = ClinicianFactory.create(is_active=False)
    default = as_admin.get(reverse("staff:list"))
    assertNotContains(default, gone.name)
    assertContains(default, clinician.name)
    response = as_admin.get(reverse("staff:list"), {"active": "deactivated"})
    assert [u.pk for u in response.context["page"].object_list] == [gone.pk]
    everyone = as_admin.get(reverse("staff:list"), {"active": "all"})
    assertContains(everyone, gone.name)


def test_search_is_kept_in_the_session_never_in_a_url(
    as_admin: HttpClient, clinician: User, outsider: User
) -> None:
    response = as_admin.post(reverse("staff:search"), {"q": "outsider"}, follow=True)
    assertRedirects(response, reverse("staff:list") + "?active=all")
    assert [u.pk for u in response.context["page"].object_list] == [outsider.pk]
    for url, _ in response.redirect_chain:
        assert "outsider" not in url
    assert "outsider" not in response.request["QUERY_STRING"]
    # The search finds by email and by name too.
    as_admin.post(reverse("staff:search"), {"q": clinician.email.upper()})
    listed = as_admin.get(reverse("staff:list")).context["page"].object_list
    assert [u.pk for u in listed] == [clinician.pk]
    # Clearing it lists everyone again.
    as_admin.post(reverse("staff:search"), {"q": "x", "clear": "1"})
    assert len(as_admin.get(reverse("staff:list")).context["page"].object_list) > 1


def test_list_is_paginated(as_admin: HttpClient) -> None:
    ClinicianFactory.create_batch(30)
    response = as_admin.get(reverse("staff:list"))
    assert len(response.context["page"].object_list) == 25
    assertContains(response, "Page 1 of 2")
    assert len(as_admin.get(reverse("staff:list"), {"page": 2}).context["page"]) == 6


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow_with_staff(
    as_admin: HttpClient, django_assert_max_num_queries: Any, count: int
) -> None:
    supervisor = SupervisorFactory.create()
    ClinicianFactory.create_batch(count, supervisor=supervisor)
    # 5: session, user and second-factor device, then the page's 2.
    with django_assert_max_num_queries(5):
        response = as_admin.get(reverse("staff:list"))
    assert response.status_code == 200


# Submitted as a browser does: from the pages as rendered, CSRF checks on
# (tests/web.py).


def test_searching_and_clearing_from_the_staff_list(
    web, admin_user: User, clinician: User, outsider: User
) -> None:
    app = web(admin_user)
    search = reverse("staff:search")
    form = form_to(app.get(reverse("staff:list")), search)
    form["q"] = "outsider"

    found = form.submit().follow()

    assert found.request.path_qs == reverse("staff:list") + "?active=all"
    assertContains(found, outsider.name)
    assertNotContains(found, f">{clinician.name}<")
    cleared = form_to(found, search).submit("clear").follow()
    assertContains(cleared, outsider.name)
    assertContains(cleared, f">{clinician.name}<")
