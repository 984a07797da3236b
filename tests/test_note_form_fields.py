"""The note form's fields as a person and session-form.js meet them, now that
the page draws them itself (issue #25: sessions/_note_form_fields.jinja, from
Django's widget context) instead of through crispy: each page holds only its
own request's values, errors, token and client, whatever was drawn before it."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable

from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from clients.models import Client
from sessions.models import SessionStatus
from staff.models import User
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    FollowUpFactory,
    GoalFactory,
    GoalRatingFactory,
    RelationshipCheckInFactory,
    TherapySessionFactory,
    WantsFactory,
)


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


# Issue #25 moved the page's content to Jinja2 (sessions/session_form.jinja):
# what the move could break is escaping, the token in each form and the
# values kept with an error.
TAG = "<script>alert(1)</script>"


def test_client_words_are_escaped_everywhere_the_form_shows_them(
    web: Callable[[User | None], DjangoTestApp], clinician: User
) -> None:
    client = ClientFactory.create(clinician=clinician, chosen_name=f"Name {TAG}")
    WantsFactory.create(client=client, words=f"Wants {TAG}\nsecond line")
    goal = GoalFactory.create(client=client, wording=f"Goal {TAG}")
    GoalRatingFactory.create(goal=goal, score=3, rated_on=datetime.date(2025, 1, 9))
    earlier = TherapySessionFactory.create(client=client)
    FollowUpFactory.create(session=earlier, text=f"Earlier {TAG}")
    earlier.status = SessionStatus.SIGNED
    earlier.signed_at = timezone.now()
    earlier.save()
    app = web(clinician)

    page = app.get(_create_url(client))
    form = page.forms["session-form"]
    form["section_brought"] = f"Brought {TAG}"
    form["follow_up-0-text"] = f"Own {TAG}"
    draft = form.submit("action", value="save").follow()

    for shown in (page, draft):
        assert "<script>alert(1)" not in shown.text
        wants = shown.html.select_one("[data-testid=wants] blockquote")
        assert wants is not None and wants.text == f"Wants {TAG}second line"
        assert wants.select("br")
        agreed = shown.html.select_one("[data-testid=last-time-agreed] legend.fs-6")
        assert agreed is not None and agreed.text.startswith(f"Earlier {TAG} ")
        words = shown.html.select_one(".goal-rating .client-words")
        assert words is not None and words.text == f"“Goal {TAG}”"
        legend = shown.html.select_one(".goal-rating legend")
        assert legend is not None and legend.text.endswith(f" for “Goal {TAG}”")
        h1 = shown.html.select_one("h1")
        assert h1 is not None and h1.text.endswith(f"with Name {TAG}")
        title = shown.html.select_one("title")
        assert title is not None and f"Name {TAG}" in title.text
    saved = draft.forms["session-form"]
    assert saved["section_brought"].value == f"Brought {TAG}"
    assert saved["follow_up-0-text"].value == f"Own {TAG}"


def test_a_draft_keeps_values_with_an_error_and_its_hand_over_form_posts(
    web: Callable[[User | None], DjangoTestApp],
    clinician: User,
    client_record: Client,
) -> None:
    draft = TherapySessionFactory.create(
        client=client_record, sections={"brought": "Came in from the rain"}
    )
    RelationshipCheckInFactory.create(session=draft, words=f"Words {TAG}")
    app = web(clinician)
    url = reverse("sessions:update", args=[draft.pk])
    page = app.get(url)
    assert "<script>alert(1)" not in page.text
    checkins = page.html.select_one("[data-testid=checkins]")
    assert checkins is not None and f"Words {TAG}" in checkins.text
    form = page.forms["session-form"]
    form["duration_minutes"] = "ninety"
    form["section_did"] = "Made a plan for the weekend"

    again = form.submit("action", value="save")

    assert again.status_code == 200
    assert "Saved what could be saved" in again.text
    kept = again.forms["session-form"]
    assert kept["duration_minutes"].value == "ninety"
    assert kept["section_brought"].value == "Came in from the rain"
    assert kept["section_did"].value == "Made a plan for the weekend"
    error = again.html.select_one("#id_duration_minutes_error")
    assert error is not None and "whole number" in error.text
    draft.refresh_from_db()
    assert draft.sections["did"] == "Made a plan for the weekend"
    # The page's second form (handing the device over) carries its own token.
    screen = again.forms["hand-over-form"].submit()
    assert screen.status_code == 302
    assert screen.location == reverse("screen:home")


# A new note's empty sections, check-in and format switch are drawn once per
# format and kept (hr_clinic.jinja2.FragmentCache): what is kept must be the
# page as drawn, and nothing a person typed may ever be kept.
def _without_tokens(page: DjangoTestApp) -> str:
    form = page.html.select_one("#session-form")
    assert form is not None
    for hidden in form.select("input[type=hidden]"):
        hidden.decompose()
    started = form.select_one("#id_started_at")
    assert started is not None
    del started["value"]
    return str(form)


def test_a_new_notes_kept_parts_are_the_form_as_drawn_for_each_format(
    web: Callable[[User | None], DjangoTestApp], clinician: User
) -> None:
    caches["fragments"].clear()
    first = ClientFactory.create(clinician=clinician, chosen_name="Alder Test")
    second = ClientFactory.create(clinician=clinician, chosen_name="Birch Test")
    app = web(clinician)
    for note_format in ("soap", "hr", "girp"):
        query = f"?note_format={note_format}"
        drawn = app.get(_create_url(first) + query)
        kept = app.get(_create_url(first) + query)
        assert _without_tokens(kept) == _without_tokens(drawn)
        other = app.get(_create_url(second) + query)
        assert "Alder Test" not in other.text
        assert other.forms["session-form"]["switch_to"].value == note_format
        assert other.html.select_one("#id_naloxone_on_hand") is not None
        # The kept form still saves as a browser submits it.
        form = other.forms["session-form"]
        name = next(n for n in form.fields if n.startswith("section_"))
        form[name] = f"Typed into {note_format}"
        saved = form.submit("action", value="save")
        assert saved.status_code == 302
        draft = saved.follow()
        assert draft.forms["session-form"][name].value == f"Typed into {note_format}"


def test_a_note_from_an_appointment_shows_its_details_after_a_kept_form(
    web: Callable[[User | None], DjangoTestApp],
    clinician: User,
    client_record: Client,
) -> None:
    caches["fragments"].clear()
    appointment = AppointmentFactory.create(
        client=client_record, duration_minutes=35, place="The van on Elm Street"
    )
    app = web(clinician)
    plain = app.get(_create_url(client_record)).forms["session-form"]
    assert plain["duration_minutes"].value == ""

    page = app.get(_create_url(client_record) + f"?appointment={appointment.pk}")

    form = page.forms["session-form"]
    assert form["duration_minutes"].value == "35"
    assert form["location"].value == "The van on Elm Street"
    # ... and the next plain form is blank again.
    again = app.get(_create_url(client_record)).forms["session-form"]
    assert again["duration_minutes"].value == ""
    assert again["location"].value == ""


def test_typed_text_and_errors_are_never_kept_for_the_next_form(
    web: Callable[[User | None], DjangoTestApp], clinician: User
) -> None:
    caches["fragments"].clear()
    first = ClientFactory.create(clinician=clinician)
    second = ClientFactory.create(clinician=clinician)
    app = web(clinician)
    form = app.get(_create_url(first)).forms["session-form"]
    caches["fragments"].clear()  # the next page drawn is a bound one
    form["section_brought"] = "Words only for this note"
    form["other_supplies"] = "Supplies only for this note"
    form["location"] = "A place only for this note"
    form["follow_up-1-text"] = "A follow-up only for this note"
    form["naloxone_doses_given"] = "-1"
    errors = form.submit("action", value="save")
    assert errors.forms["session-form"]["section_brought"].value == (
        "Words only for this note"
    )
    draft = errors.forms["session-form"]

    fresh = app.get(_create_url(second))
    assert "only for this note" not in fresh.text
    assert fresh.html.select(".is-invalid, .invalid-feedback") == []
    # ... and a draft shows its own text, whatever new form was kept before it.
    edit = app.get(draft.action)
    assert edit.forms["session-form"]["section_brought"].value == (
        "Words only for this note"
    )
    assert edit.forms["session-form"]["other_supplies"].value == (
        "Supplies only for this note"
    )
    assert edit.forms["session-form"]["location"].value == "A place only for this note"
    texts = [
        field.value
        for name, field in edit.forms["session-form"].field_order
        if name.endswith("-text")
    ]
    assert "A follow-up only for this note" in texts


def test_a_new_note_refused_before_it_is_a_draft_keeps_what_was_typed(
    web: Callable[[User | None], DjangoTestApp],
    clinician: User,
    client_record: Client,
    outsider: User,
) -> None:
    """The one way a new note comes back bound without a draft: its form's
    token is already another note's (a racing first save's path). What was
    typed is drawn again, never the kept empty parts."""
    caches["fragments"].clear()
    token = uuid.uuid4()
    TherapySessionFactory.create(
        client=ClientFactory.create(clinician=outsider), form_token=token
    )
    app = web(clinician)
    app.get(_create_url(client_record))  # the empty parts kept
    form = app.get(_create_url(client_record)).forms["session-form"]
    form["form_token"].force_value(str(token))
    form["section_brought"] = "Typed before the refusal"
    form["other_supplies"] = "Two kits"
    form["follow_up-0-text"] = "Call the clinic on Monday"

    shown = form.submit("action", value="save")

    assert "This form was already used for another note." in shown.text
    again = shown.forms["session-form"]
    assert again["section_brought"].value == "Typed before the refusal"
    assert again["other_supplies"].value == "Two kits"
    assert again["follow_up-0-text"].value == "Call the clinic on Monday"
