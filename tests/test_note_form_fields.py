"""The note form's fields as a person and session-form.js meet them, now that
the page draws them itself (sessions/_field.html, issue #25) instead of
through crispy: each page holds only its own request's values, errors, token
and client, whatever was drawn before it."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django_webtest import DjangoTestApp

from clients.models import Client
from staff.models import User
from tests.factories import ClientFactory, GoalFactory


def _create_url(client: Client) -> str:
    return reverse("sessions:create", args=[client.pk])


def test_each_clients_form_shows_only_that_clients_goals_and_name(
    web: Callable[[User | None], DjangoTestApp], clinician: User
) -> None:
    first = ClientFactory.create(clinician=clinician, chosen_name="Alder Test")
    second = ClientFactory.create(clinician=clinician, chosen_name="Birch Test")
    GoalFactory.create(client=first, wording="Keep naloxone in the bag")
    GoalFactory.create(client=second, wording="Sleep somewhere warm")
    app = web(clinician)

    one = app.get(_create_url(first))
    two = app.get(_create_url(second))

    assert "Keep naloxone in the bag" in one.text
    assert "Sleep somewhere warm" not in one.text
    assert "Sleep somewhere warm" in two.text
    assert "Keep naloxone in the bag" not in two.text
    assert "Alder Test" not in two.text
    # Each drawn form carries its own one-time token.
    forms = [page.forms["session-form"] for page in (one, two)]
    assert forms[0]["form_token"].value != forms[1]["form_token"].value
    # The comment box is named after its own goal for screen readers.
    label = two.html.select_one("label[for^=id_comment_]")
    assert label is not None
    wording = "In their words (optional) about “Sleep somewhere warm”"
    assert label.text.strip() == wording


def test_errors_are_shown_on_their_fields_with_the_values_kept_and_not_after(
    web: Callable[[User | None], DjangoTestApp],
    clinician: User,
    client_record: Client,
) -> None:
    app = web(clinician)
    clean = app.get(_create_url(client_record))
    form = clean.forms["session-form"]
    form["duration_minutes"] = "an hour"
    form["naloxone_doses_given"] = "-2"
    form["section_brought"] = "She said <b>thanks</b> & left"
    form["location"] = "The van"

    page = form.submit("action", value="save")

    duration = page.html.select_one("#id_duration_minutes")
    assert duration is not None
    assert duration["value"] == "an hour"
    assert duration["aria-invalid"] == "true"
    assert "is-invalid" in duration["class"]
    assert duration["aria-describedby"] == "id_duration_minutes_error"
    error = page.html.select_one("#id_duration_minutes_error")
    assert error is not None
    assert error.text.strip() == "Enter a whole number, like 30."
    doses = page.html.select_one("#id_naloxone_doses_given")
    assert doses is not None
    assert doses["aria-describedby"] == (
        "id_naloxone_doses_given_helptext id_naloxone_doses_given_error"
    )
    assert page.html.select_one("#id_naloxone_doses_given_helptext") is not None
    # Typed text comes back as typed, escaped, in its box.
    assert page.forms["session-form"]["section_brought"].value == (
        "She said <b>thanks</b> & left"
    )
    assert "<b>thanks</b>" not in page.text.replace("&lt;b&gt;", "")
    assert page.forms["session-form"]["location"].value == "The van"

    # The next form drawn holds none of it.
    fresh = app.get(_create_url(client_record))
    assert fresh.html.select(".is-invalid, [aria-invalid]") == []
    assert fresh.html.select(".invalid-feedback") == []
    fresh_form = fresh.forms["session-form"]
    assert fresh_form["duration_minutes"].value == ""
    assert fresh_form["section_brought"].value == ""
    duration = fresh.html.select_one("#id_duration_minutes")
    assert duration is not None and "aria-describedby" not in duration.attrs


def test_each_format_draws_its_own_sections(
    web: Callable[[User | None], DjangoTestApp],
    clinician: User,
    client_record: Client,
) -> None:
    app = web(clinician)
    soap = app.get(_create_url(client_record) + "?note_format=soap")
    harm_reduction = app.get(_create_url(client_record))

    def sections(page: DjangoTestApp) -> list[str]:
        return [
            name
            for name in page.forms["session-form"].fields
            if name.startswith("section_")
        ]

    assert sections(soap) == [
        "section_subjective",
        "section_objective",
        "section_assessment",
        "section_plan",
    ]
    assert sections(harm_reduction) == [
        "section_brought",
        "section_did",
        "section_response",
        "section_safety",
        "section_next",
    ]
    assert soap.forms["session-form"]["switch_to"].value == "soap"
    assert harm_reduction.forms["session-form"]["switch_to"].value == "hr"


def test_every_box_has_its_label_and_each_help_text_is_announced(
    web: Callable[[User | None], DjangoTestApp],
    clinician: User,
    client_record: Client,
) -> None:
    GoalFactory.create(client=client_record)
    page = web(clinician).get(_create_url(client_record))
    form = page.html.select_one("#session-form")
    assert form is not None
    boxes = form.select("input:not([type=hidden]):not([type=radio]), select, textarea")
    assert len(boxes) > 20
    for box in boxes:
        assert form.select_one(f"label[for='{box['id']}']") is not None, box["name"]
        assert box["id"] == f"id_{box['name']}" or box.get("type") == "checkbox"
        for described_by in box.get("aria-describedby", "").split():
            assert page.html.select_one(f"#{described_by}") is not None
    assert page.html.select_one("#id_section_brought_helptext") is not None
