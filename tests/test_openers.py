"""clients.access's openers compile each record query once (issue #25): what
makes that safe is checked here; who sees what is test_access_matrix's."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.utils import timezone

from audit.models import AuditEvent, Outcome
from clients.access import open_client
from clients.models import Client
from sessions.models import SessionStatus
from staff.models import User
from tests.factories import ClientFactory, TherapySessionFactory


def _request(user: User) -> object:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_records_that_capture_a_value_are_refused(
    client_record: Client, clinician: User
) -> None:
    """A builder's query is compiled once and kept: one that captured the first
    request's values would serve them to every later one."""
    mine = clinician

    with pytest.raises(TypeError, match="capture nothing"):
        open_client(
            _request(clinician),
            client_record.pk,
            records=lambda _: Client.objects.filter(clinician=mine),
        )


def test_a_malformed_id_is_a_404(clinician: User) -> None:
    with pytest.raises(Http404):
        open_client(_request(clinician), "not-an-id")


def test_one_compiled_query_answers_each_person_with_their_own(
    clinician: User, outsider: User, as_clinician: HttpClient, as_outsider: HttpClient
) -> None:
    """Two clinicians (the same shape of rule, so the same compiled query) each
    open their own client and note, and neither opens the other's: a 404 and
    a recorded denial."""
    browsers = {clinician: as_clinician, outsider: as_outsider}
    theirs = {
        person: TherapySessionFactory.create(
            client=ClientFactory.create(clinician=person, chosen_name=f"Client of {n}"),
            clinician=person,
            status=SessionStatus.SIGNED,
            signed_at=timezone.now(),
        )
        for n, person in enumerate(browsers)
    }
    for person, note in theirs.items():
        for url in (note.get_absolute_url(), note.client.get_absolute_url()):
            page = browsers[person].get(url)
            assert page.status_code == 200
            assert note.client.chosen_name in page.content.decode()
    for person, other in ((clinician, outsider), (outsider, clinician)):
        note = theirs[other]
        for url, pk in (
            (note.get_absolute_url(), note.pk),
            (note.client.get_absolute_url(), note.client_id),
        ):
            assert browsers[person].get(url).status_code == 404
            assert AuditEvent.objects.filter(
                actor=person, object_id=str(pk), outcome=Outcome.DENIED
            ).exists()
