"""Switching note format keeps what was typed: in the new format's matching
sections, or above the note when there is no match. One draft, never two."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django_webtest import DjangoTestApp

from clients.models import Client
from sessions.models import TherapySession
from staff.models import User

Web = Callable[[User | None], DjangoTestApp]


def _typed_form(app: DjangoTestApp, client: Client) -> Any:
    form = app.get(reverse("sessions:create", args=[client.pk])).forms["session-form"]
    form["section_brought"] = "“I slept outside again,” they said."
    form["section_did"] = "Looked at shelter options together."
    form["section_safety"] = "Has naloxone; uses with a friend."
    form["section_next"] = "Call the shelter line on Monday."
    form["duration_minutes"] = "30"
    return form


def _switch(form: Any, to: str) -> Any:
    form["switch_to"] = to
    return form.submit("action", value="switch_format")


def test_switching_format_after_typing_keeps_the_text_visible(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    response = _switch(_typed_form(app, client_record), "soap")
    session = TherapySession.objects.get()
    assert response["Location"] == reverse("sessions:update", args=[session.pk])
    page = response.follow()
    assert "Switched to the SOAP format" in page.text
    form = page.forms["session-form"]
    assert form["section_subjective"].value == "“I slept outside again,” they said."
    assert form["section_plan"].value == "Call the shelter line on Monday."
    assert form["section_objective"].value == ""
    # No SOAP section for these: shown above the note, editable, kept.
    leftovers = page.html.find(attrs={"data-testid": "leftover-text"})
    assert leftovers is not None
    assert form["section_did"].value == "Looked at shelter options together."
    assert form["section_safety"].value == "Has naloxone; uses with a friend."
    assert "Left over from an earlier format: What we did together" in page.text
    assert form["duration_minutes"].value == "30"
    session.refresh_from_db()
    assert session.note_format == "soap"


def test_switching_after_an_autosave_makes_no_second_draft(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    form = _typed_form(app, client_record)
    fields = dict(form.submit_fields())
    autosave = app.post(
        form.action,
        {**fields, "action": "autosave"},
        headers={"X-Autosave": "1", "X-CSRFToken": fields["csrfmiddlewaretoken"]},
    )
    assert autosave.json["status"] == "saved"
    # The same page, before it learned the draft's address: switch format.
    page = _switch(form, "dap").follow()
    assert TherapySession.objects.count() == 1
    session = TherapySession.objects.get()
    assert session.note_format == "dap"
    assert page.forms["session-form"]["section_data"].value.startswith("“I slept")


def test_switching_before_typing_anything_only_changes_the_form(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    form = app.get(reverse("sessions:create", args=[client_record.pk])).forms[
        "session-form"
    ]
    page = _switch(form, "birp").follow()
    assert not TherapySession.objects.exists()
    assert "BIRP format" in page.text
    assert "section_behavior" in page.forms["session-form"].fields


def test_switching_back_returns_every_text_to_its_place(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    page = _switch(_typed_form(app, client_record), "soap").follow()
    form = _switch(page.forms["session-form"], "hr").follow().forms["session-form"]
    assert form["section_brought"].value == "“I slept outside again,” they said."
    assert form["section_did"].value == "Looked at shelter options together."
    assert form["section_safety"].value == "Has naloxone; uses with a friend."
    assert form["section_next"].value == "Call the shelter line on Monday."
    assert TherapySession.objects.get().leftover_texts() == []


def test_leftover_text_is_moved_or_cleared_before_signing(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    form = (
        _switch(_typed_form(app, client_record), "soap").follow().forms["session-form"]
    )
    session = TherapySession.objects.get()
    sign_url = reverse("sessions:sign", args=[session.pk])
    assert "Some text from an earlier note format" in app.get(sign_url).text
    form["section_objective"] = form["section_did"].value
    form["section_did"] = ""
    form["section_safety"] = ""
    page = form.submit("action", value="save").follow()
    assert page.html.find(attrs={"data-testid": "leftover-text"}) is None
    session.refresh_from_db()
    assert set(session.sections) == {"subjective", "objective", "assessment", "plan"}
    assert session.sections["objective"] == "Looked at shelter options together."
    assert "Some text from an earlier note format" not in app.get(sign_url).text
