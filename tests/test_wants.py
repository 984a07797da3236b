"""'What I want from coming here' (issue #22, section 4): written from the
record as a browser submits it, in the client's words (autoescaped), every
version kept with who wrote it and when, shown at the top of the record and
on the note form, and read for many clients in one query."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clients.models import Client, Wants
from clients.selectors import current_wants
from staff.models import User
from tests.db_roles import refusal
from tests.factories import ClientFactory, WantsFactory


def _write(app: Any, client: Client, words: str) -> Any:
    record = app.get(client.get_absolute_url())
    form = record.click(href=reverse("clients:wants", args=[client.pk])).forms[
        "wants-form"
    ]
    form["words"] = words
    return form.submit().follow()


def test_the_clinician_writes_their_words_and_every_version_is_kept(
    web: Any, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    _write(app, client_record, "Somewhere to talk without being judged")
    first = Wants.objects.get(client=client_record)
    record = _write(app, client_record, "To <i>cut down</i> safely")
    # The record shows the latest, as typed, never as markup.
    top = record.html.select_one("[data-testid=wants]")
    assert "To <i>cut down</i> safely" in top.get_text()
    assert top.find("i") is None
    assert "Somewhere to talk" not in top.get_text()
    # The old version is still there, unchanged, with who wrote it and when.
    versions = list(Wants.objects.filter(client=client_record).order_by("created_at"))
    assert [v.words for v in versions] == [
        "Somewhere to talk without being judged",
        "To <i>cut down</i> safely",
    ]
    assert versions[0] == first and versions[0].words == first.words
    assert {v.written_by for v in versions} == {clinician}
    history = app.get(reverse("clients:wants", args=[client_record.pk]))
    listed = history.html.select_one("[data-testid=wants-history]").get_text()
    assert "Somewhere to talk without being judged" in listed
    assert clinician.name in listed
    # The form starts from their current words.
    assert history.forms["wants-form"]["words"].value == "To <i>cut down</i> safely"


def test_empty_words_are_refused_and_nothing_is_saved(
    web: Any, clinician: User, client_record: Client
) -> None:
    page = web(clinician).get(reverse("clients:wants", args=[client_record.pk]))
    form = page.forms["wants-form"]
    form["words"] = "   "
    answer = form.submit()
    assert answer.status_code == 200
    assert "Write what they want, in their words." in answer.text
    assert not Wants.objects.exists()


def test_the_note_form_shows_what_they_want(
    web: Any, clinician: User, client_record: Client
) -> None:
    WantsFactory.create(client=client_record, words="A steady place to land")
    page = web(clinician).get(reverse("sessions:create", args=[client_record.pk]))
    assert (
        "A steady place to land"
        in page.html.select_one("[data-testid=wants]").get_text()
    )


def test_a_supervisor_reads_but_may_not_write(
    as_supervisor: Any, client_record: Client
) -> None:
    WantsFactory.create(client=client_record, words="Read by the supervisor")
    page = as_supervisor.get(client_record.get_absolute_url())
    assert "Read by the supervisor" in page.content.decode()
    url = reverse("clients:wants", args=[client_record.pk])
    history = as_supervisor.get(url).content.decode()
    assert "Read by the supervisor" in history and 'id="wants-form"' not in history
    assert as_supervisor.post(url, {"words": "Changed"}).status_code == 403
    assert Wants.objects.count() == 1


def test_another_clinicians_client_is_404(
    as_outsider: Any, client_record: Client
) -> None:
    url = reverse("clients:wants", args=[client_record.pk])
    assert as_outsider.post(url, {"words": "Not theirs"}).status_code == 404
    assert not Wants.objects.exists()


def test_current_wants_is_one_query_and_scoped(
    clinician: User,
    outsider: User,
    django_assert_num_queries: Any,
) -> None:
    """The note form's "What I want from coming here": the latest words, for
    whoever may see the client; "" for a client without any, and for anyone
    else."""
    # As on a request: whether they hold an emergency grant or facilitate a
    # group is read with the person (clients.auth.StaffBackend), not per query.
    for person in (clinician, outsider):
        person.holds_emergency_grants = False  # type: ignore[attr-defined]
        person.facilitates_groups = False  # type: ignore[attr-defined]
    told, not_yet = ClientFactory.create_batch(2, clinician=clinician)
    WantsFactory.create(client=told, words="older")
    WantsFactory.create(client=told, words="To sleep somewhere safe")
    for client, words in ((told, "To sleep somewhere safe"), (not_yet, "")):
        with django_assert_num_queries(1):
            assert current_wants(user=clinician, client=client) == words
    assert current_wants(user=outsider, client=told) == ""


def test_versions_are_never_changed_or_deleted(client_record: Client) -> None:
    WantsFactory.create(client=client_record)
    assert "permission denied" in refusal("UPDATE clients_wants SET words = 'x'")
    assert "permission denied" in refusal("DELETE FROM clients_wants")
    assert refusal("TRUNCATE clients_wants CASCADE") != ""


@pytest.mark.owner_role
def test_versions_are_kept_even_from_the_owner(client_record: Client) -> None:
    WantsFactory.create(client=client_record)
    assert "append-only" in refusal("UPDATE clients_wants SET words = 'x'")
    assert "append-only" in refusal("DELETE FROM clients_wants")
