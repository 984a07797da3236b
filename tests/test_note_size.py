"""A note has a maximum size, said plainly; the language guide's work on a page
is bounded, whatever the size of an older draft; a request body over Django's
limit gets the same plain message (JSON for the autosave)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django_webtest import DjangoTestApp

from clients.models import Client
from sessions.models import MAX_NOTE_CHARS, TherapySession
from sessions.templatetags.sessions_tags import PAGE_CHECK_MAX_CHARS
from staff.models import User
from tests.factories import TherapySessionFactory

Web = Callable[[User | None], DjangoTestApp]
TOO_LONG = "This note is too long to save"


def _autosave(app: DjangoTestApp, form: Any, **changes: str) -> Any:
    fields = {**dict(form.submit_fields()), **changes, "action": "autosave"}
    return app.post(
        form.action,
        fields,
        headers={"X-Autosave": "1", "X-CSRFToken": fields["csrfmiddlewaretoken"]},
        expect_errors=True,
    )


def test_a_note_over_the_limit_says_so_and_keeps_the_typed_text_on_the_page(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    form = app.get(reverse("sessions:create", args=[client_record.pk])).forms[
        "session-form"
    ]
    form["section_brought"] = "word " * (MAX_NOTE_CHARS // 5 + 1)
    form["duration_minutes"] = "45"
    page = form.submit("action", value="save")
    assert page.status_code == 200
    assert TOO_LONG in page.text
    assert f"up to {MAX_NOTE_CHARS:,} characters" in page.text
    assert len(page.forms["session-form"]["section_brought"].value) > MAX_NOTE_CHARS
    session = TherapySession.objects.get()  # the rest is kept
    assert session.duration_minutes == 45
    assert not session.sections.get("brought")


def test_sections_that_add_up_past_the_limit_keep_what_was_stored(
    web: Web, clinician: User, client_record: Client
) -> None:
    half = "x" * (MAX_NOTE_CHARS // 2 + 10)
    draft = TherapySessionFactory.create(client=client_record, sections={"did": half})
    app = web(clinician)
    form = app.get(reverse("sessions:update", args=[draft.pk])).forms["session-form"]
    response = _autosave(app, form, section_brought=half)
    assert TOO_LONG in response.json["errors"]["__all__"][0]["message"]
    draft.refresh_from_db()
    assert draft.sections == {"did": half}


def test_a_long_older_draft_is_checked_only_up_to_the_bound(
    web: Web, clinician: User, client_record: Client
) -> None:
    """A draft from before the limit (2.4 MB was seen): the edit and sign pages
    check the language of the first PAGE_CHECK_MAX_CHARS of each text only."""
    padding = "ordinary words " * (MAX_NOTE_CHARS // 15 + 10)
    draft = TherapySessionFactory.create(
        client=client_record,
        sections={"brought": "He was an addict. " + padding + "She relapsed."},
    )
    app = web(clinician)
    for url in (
        reverse("sessions:update", args=[draft.pk]),
        reverse("sessions:sign", args=[draft.pk]),
    ):
        page = app.get(url)
        assert f"Only the first {PAGE_CHECK_MAX_CHARS:,} characters" in page.text
        assert "person who uses drugs" in page.text  # "addict", at the start
        assert "return to use" not in page.text  # "relapsed", past the bound
    sign = app.get(reverse("sessions:sign", args=[draft.pk]))
    assert "The note is too long to sign" in sign.text


def test_an_older_draft_over_the_limit_can_be_shortened_step_by_step(
    web: Web, clinician: User, client_record: Client
) -> None:
    draft = TherapySessionFactory.create(
        client=client_record,
        sections={"brought": "z" * (MAX_NOTE_CHARS * 3), "did": "kept"},
        started_at=datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC),
    )
    app = web(clinician)
    form = app.get(reverse("sessions:update", args=[draft.pk])).forms["session-form"]
    form["section_brought"] = "z" * (MAX_NOTE_CHARS * 2)  # shorter, still over
    form["started_at"] = "2026-11-30T10:00"
    form.submit("action", value="save").follow()
    draft.refresh_from_db()
    assert len(draft.sections["brought"]) == MAX_NOTE_CHARS * 2
    assert draft.started_at.year == 2026
    # Growing it again is refused; the stored text stays.
    form = app.get(reverse("sessions:update", args=[draft.pk])).forms["session-form"]
    form["section_brought"] = "z" * (MAX_NOTE_CHARS * 2 + 1)
    assert TOO_LONG in form.submit("action", value="save").text
    draft.refresh_from_db()
    assert len(draft.sections["brought"]) == MAX_NOTE_CHARS * 2


def test_an_autosave_over_the_request_limit_gets_a_json_message(
    web: Web, clinician: User, client_record: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    app = web(clinician)
    form = app.get(reverse("sessions:create", args=[client_record.pk])).forms[
        "session-form"
    ]
    response = _autosave(app, form, section_brought="y" * 30_000)
    assert response.status_code == 413
    assert response.json["message"].startswith("This note is too long to save; ")
    assert not TherapySession.objects.exists()


def test_a_form_over_the_request_limit_gets_a_plain_page(
    web: Web, clinician: User, client_record: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    app = web(clinician)
    form = app.get(reverse("sessions:create", args=[client_record.pk])).forms[
        "session-form"
    ]
    form["section_brought"] = "y" * 30_000
    page = form.submit("action", value="save", expect_errors=True)
    assert page.status_code == 413
    assert "This note is too long to save; " in page.text
    assert "back button" in page.text


@pytest.mark.parametrize("size", [100, 15_000])
def test_a_request_within_the_limit_is_untouched(
    web: Web, clinician: User, client_record: Client, settings: Any, size: int
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    app = web(clinician)
    form = app.get(reverse("sessions:create", args=[client_record.pk])).forms[
        "session-form"
    ]
    assert _autosave(app, form, section_brought="y" * size).json["status"] == "saved"
