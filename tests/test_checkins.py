"""The relationship check-in (issue #22, section 2): entered from a note as a
browser submits it, shown on the note and as a trend on the record (0, 1 and
200 entries), the gentle prompt after a low answer, the supervisor's
anonymised team trend, who may do what, and PostgreSQL keeping every one."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clients.models import Client
from sessions.checkin_items import ITEMS, KEYS
from sessions.models import EnteredHow, RelationshipCheckIn, TherapySession
from sessions.selectors import team_checkin_trends
from sessions.services import checkin_record, therapy_session_sign
from staff.models import User
from tests.db_roles import refusal
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    RelationshipCheckInFactory,
    TherapySessionFactory,
)
from tests.signin import signed_in

PROMPT = "You might ask about it next time."


def _signed(client: Client, **fields: Any) -> TherapySession:
    note = TherapySessionFactory.create(client=client, **fields)
    return therapy_session_sign(session=note, by=client.clinician, expected_version=1)


@pytest.mark.parametrize("signed", [False, True], ids=["draft", "signed"])
def test_the_clinician_enters_a_checkin_from_the_note(
    web: Any, clinician: User, client_record: Client, signed: bool
) -> None:
    note = (
        _signed(client_record)
        if signed
        else TherapySessionFactory.create(client=client_record)
    )
    page = web(clinician).get(note.get_absolute_url()).click("Add their check-in")
    form = page.forms["checkin-form"]
    form["heard"] = "9"
    form["helped"] = "3"
    form["words"] = "<b>More time</b> on housing"
    form["entered_how"] = EnteredHow.BY_CLIENT
    shown = form.submit().follow()

    checkin = RelationshipCheckIn.objects.get(session=note)
    assert (checkin.heard, checkin.wanted, checkin.honest, checkin.helped) == (
        9,
        None,
        None,
        3,
    )
    assert checkin.client_id == client_record.pk
    assert (checkin.entered_by, checkin.entered_how) == (
        clinician,
        EnteredHow.BY_CLIENT,
    )
    section = shown.html.select_one("[data-testid=checkins]")
    text = section.get_text(" ", strip=True)
    assert "I felt heard and respected 9 of 10" in text
    assert "Today helped 3 of 10" in text
    assert "Not answered" in text
    assert "By the client on this device" in text
    # Their words are shown as typed, never as markup.
    assert "<b>More time</b> on housing" in text
    assert section.find("b") is None
    assert AuditEvent.objects.filter(
        action="create", object_type="relationshipcheckin", client_id=client_record.pk
    ).exists()


def test_a_checkin_may_be_left_wholly_unanswered(
    web: Any, clinician: User, client_record: Client
) -> None:
    note = TherapySessionFactory.create(client=client_record)
    page = web(clinician).get(reverse("sessions:checkin", args=[note.pk]))
    page.forms["checkin-form"].submit().follow()
    checkin = RelationshipCheckIn.objects.get(session=note)
    assert [getattr(checkin, key) for key in KEYS] == [None] * 4
    assert checkin.words == ""


def test_a_resent_form_saves_one_checkin(
    web: Any, clinician: User, client_record: Client
) -> None:
    note = TherapySessionFactory.create(client=client_record)
    form = (
        web(clinician)
        .get(reverse("sessions:checkin", args=[note.pk]))
        .forms["checkin-form"]
    )
    form["heard"] = "6"
    form.submit()
    form.submit()
    assert RelationshipCheckIn.objects.filter(session=note).count() == 1


def test_a_supervisor_reads_the_checkin_but_may_not_enter_one(
    as_supervisor: Any, clinician: User, client_record: Client
) -> None:
    note = TherapySessionFactory.create(client=client_record)
    RelationshipCheckInFactory.create(session=note, words="Kind words")
    page = as_supervisor.get(note.get_absolute_url())
    assert "Kind words" in page.content.decode()
    assert "Add their check-in" not in page.content.decode()
    url = reverse("sessions:checkin", args=[note.pk])
    assert as_supervisor.post(url, {"heard": "1"}).status_code == 403
    assert RelationshipCheckIn.objects.count() == 1


def test_another_clinicians_note_is_404_and_nothing_is_saved(
    as_outsider: Any, client_record: Client
) -> None:
    note = TherapySessionFactory.create(client=client_record)
    url = reverse("sessions:checkin", args=[note.pk])
    assert (
        as_outsider.post(
            url, {"heard": "1", "entered_how": "with_clinician"}
        ).status_code
        == 404
    )
    assert not RelationshipCheckIn.objects.exists()


def test_the_service_refuses_answers_outside_the_items_and_the_scale(
    clinician: User, client_record: Client, outsider: User
) -> None:
    note = TherapySessionFactory.create(client=client_record)
    for answers in ({"heard": 11}, {"heard": -1}, {"mood": 5}):
        with pytest.raises(ValidationError):
            checkin_record(
                session=note,
                by=clinician,
                answers=answers,
                words="",
                entered_how=EnteredHow.WITH_CLINICIAN,
            )
    with pytest.raises(ValidationError):
        checkin_record(
            session=note,
            by=outsider,
            answers={},
            words="",
            entered_how=EnteredHow.WITH_CLINICIAN,
        )
    assert not RelationshipCheckIn.objects.exists()


def test_checkins_are_never_changed_or_deleted(client_record: Client) -> None:
    RelationshipCheckInFactory.create(session__client=client_record)
    table = "therapy_sessions_relationshipcheckin"
    assert "permission denied" in refusal(f"UPDATE {table} SET heard = 1")
    assert "permission denied" in refusal(f"DELETE FROM {table}")
    assert refusal(f"TRUNCATE {table} CASCADE") != ""


@pytest.mark.owner_role
def test_checkins_are_kept_even_from_the_owner_and_follow_their_note(
    client_record: Client,
) -> None:
    checkin = RelationshipCheckInFactory.create(session__client=client_record)
    table = "therapy_sessions_relationshipcheckin"
    assert "append-only" in refusal(f"UPDATE {table} SET heard = 1")
    assert "append-only" in refusal(f"DELETE FROM {table}")
    # PostgreSQL sets the client from the note, whatever the app writes.
    other = ClientFactory.create(clinician=client_record.clinician)
    moved = RelationshipCheckIn.objects.create(
        session=checkin.session,
        client=other,
        entered_by=client_record.clinician,
        entered_how=EnteredHow.WITH_CLINICIAN,
    )
    moved.refresh_from_db()
    assert moved.client_id == client_record.pk


def _trend(as_clinician: Any, client: Client) -> Any:
    page = as_clinician.get(reverse("sessions:checkin_trend", args=[client.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_the_trend_with_no_checkins(as_clinician: Any, client_record: Client) -> None:
    html = _trend(as_clinician, client_record)
    assert 'data-testid="no-checkins"' in html
    assert "<svg" not in html


def test_the_trend_with_one_checkin(as_clinician: Any, client_record: Client) -> None:
    RelationshipCheckInFactory.create(
        session__client=client_record, heard=8, wanted=None
    )
    html = _trend(as_clinician, client_record)
    # One chart per answered item, each a single labelled dot, and the table.
    assert html.count("<svg") == 3
    assert html.count("<circle") == 3
    assert "<polyline" not in html
    assert ">8</text>" in html
    assert 'id="checkin-chart-heard-title">I felt heard and respected, 0 to 10' in html
    assert "Not answered yet." in html


def test_the_trend_with_two_hundred_checkins_in_constant_queries(
    as_clinician: Any,
    client_record: Client,
    django_assert_num_queries: Any,
) -> None:
    start = timezone.now() - datetime.timedelta(days=400)
    note = TherapySessionFactory.create(client=client_record)

    def add(n: int) -> None:
        RelationshipCheckIn.objects.bulk_create(
            RelationshipCheckIn(
                session=note,
                client=client_record,
                entered_by=client_record.clinician,
                entered_how=EnteredHow.WITH_CLINICIAN,
                created_at=start + datetime.timedelta(days=2 * i),
                **{key: (i + k) % 11 for k, key in enumerate(KEYS)},
            )
            for i in range(n)
        )

    add(1)
    with CaptureQueriesContext(connection) as one:
        _trend(as_clinician, client_record)
    add(199)
    with django_assert_num_queries(len(one)):
        html = _trend(as_clinician, client_record)
    assert html.count("<polyline") == 4
    # Past sixty answers the line alone reads better (goals_tags.MAX_DOTS).
    assert "<circle" not in html
    assert html.count("<tr>") == 201  # the header row and every check-in


def _low(client: Client, **answers: Any) -> None:
    RelationshipCheckInFactory.create(session__client=client, **answers)


def test_a_low_answer_prompts_gently_on_the_record_and_the_next_note(
    web: Any, clinician: User, client_record: Client
) -> None:
    _low(client_record, heard=3, honest=4, helped=9)
    app = web(clinician)
    record = app.get(client_record.get_absolute_url())
    prompt = record.html.select_one("[data-testid=checkin-prompt]").get_text(
        " ", strip=True
    )
    assert prompt == (
        "Last check-in, feeling heard and respected and feeling OK to be honest "
        f"about their use were low. {PROMPT}"
    )
    form_page = app.get(reverse("sessions:create", args=[client_record.pk]))
    assert PROMPT in form_page.text


def test_no_prompt_when_the_last_checkin_was_not_low(
    as_clinician: Any, client_record: Client
) -> None:
    _low(client_record, heard=2)
    later = TherapySessionFactory.create(client=client_record)
    RelationshipCheckInFactory.create(
        session=later, created_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    page = as_clinician.get(client_record.get_absolute_url())
    assert PROMPT not in page.content.decode()


def _team(supervisor: User, size: int) -> list[User]:
    people = [
        ClinicianFactory.create(supervisor=supervisor, display_name=f"Member {n}")
        for n in range(size)
    ]
    for person in people:
        for n in range(3):
            client = ClientFactory.create(clinician=person, chosen_name=f"Sky {n}")
            RelationshipCheckInFactory.create(
                session__client=client,
                heard=2 * n,
                helped=None,
                words=f"Private words {n}",
            )
    return people


def test_the_team_trend_is_anonymised_averages_in_constant_queries(
    supervisor: User,
    clinician: User,
    django_assert_num_queries: Any,
) -> None:
    _team(supervisor, 1)
    with django_assert_num_queries(2):
        small = team_checkin_trends(supervisor)
    _team(supervisor, 3)
    with django_assert_num_queries(2):
        trends = team_checkin_trends(supervisor)
    assert len(trends) == len(small) + 3 == 5  # `clinician` and four more
    member = next(t for t in trends if t.person.display_name == "Member 0")
    (month,) = member.months
    assert month.count == 3
    assert month.averages == [2.0, 7.0, 7.0, None]  # heard: 0, 2, 4; helped: none
    html = signed_in(supervisor).get(reverse("team:dashboard")).content.decode()
    assert "Member 0" in html
    for item in ITEMS:
        assert item.wording in html
    assert "Sky" not in html and "Private words" not in html
    # In the team's name order, never by score.
    names = [t.person.display_name for t in trends]
    assert names == sorted(names)


def test_the_team_trend_is_nothing_for_a_clinician(clinician: User) -> None:
    assert team_checkin_trends(clinician) == []


def test_the_team_dashboard_shows_the_trend_and_hides_a_month_too_small_to_hide_anyone(
    web: Any, supervisor: User
) -> None:
    (full,) = _team(supervisor, 1)
    sparse = ClinicianFactory.create(supervisor=supervisor, display_name="Member S")
    for n in range(2):
        RelationshipCheckInFactory.create(
            session__client=ClientFactory.create(clinician=sparse), heard=9 - n
        )
    page = web(supervisor).get(reverse("team:dashboard"))
    section = page.html.select_one("[data-testid=team-checkin-trend]")
    assert section is not None
    tables = {t.caption.text.strip(): t for t in section.select("table")}
    assert "2.0" in tables[full.name].text
    too_few = tables[sparse.name].select_one("[data-testid=too-few]")
    assert too_few is not None and "Fewer than 3" in too_few.text
    # Their two answers (9 and 8) average 8.5: not on the page.
    assert "8.5" not in tables[sparse.name].text
