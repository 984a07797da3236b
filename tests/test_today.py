"""Today, the week view and the team week (issue #21, part 2): the
clinician's home opens on the people they are seeing, with what they want at
hand for each; constant queries whatever the size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments.models import Outcome
from appointments.services import (
    Details,
    Plan,
    appointment_book,
    appointment_record_outcome,
)
from clients.models import Client
from clients.services import contact_attempt_record
from clients.templatetags.clients_tags import short_date
from goals.services import goal_rate
from staff.models import User
from tests.factories import ClientFactory, ClinicianFactory, GoalFactory

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _book(client: Client, when: dt.datetime, **kw: Any) -> Any:
    return appointment_book(
        client=client,
        by=client.clinician,
        starts_at=when,
        details=Details(
            duration_minutes=50, modality="in_person", place="Drop-in room"
        ),
        **kw,
    )


def _freeze(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    """The clock Python reads (the pages read it through django.utils.timezone)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_the_clinicians_home_is_today_with_the_people_in_time_order(
    web: Any, clinician: User, client_record: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client_record.texts_ok = False
    client_record.safe_times = "Mornings only"
    client_record.code_word = "Bluebird"
    client_record.save()
    goal = GoalFactory.create(client=client_record, wording="Keep my room")
    goal_rate(goal=goal, by=clinician, score=4)
    later = ClientFactory.create(clinician=clinician, chosen_name="Second Person")
    _book(later, _at(tomorrow, 14))
    _book(client_record, _at(tomorrow, 10), plan=Plan(repeat="weekly", count=4))

    # The next morning, by the clock.
    _freeze(monkeypatch, _at(tomorrow, 8))
    page = web(clinician).get(reverse("home")).follow()
    assert page.request.path == reverse("appointments:today")
    visits = page.html.select("[data-testid=visit]")
    assert [v.select_one("h3").text.split("·")[0].strip() for v in visits] == [
        "10:00",
        "14:00",
    ]
    first = visits[0].text
    assert client_record.chosen_name in first
    assert "no texts" in first and "Mornings only" in first
    # That there is a code word, never the word itself.
    assert "code word on file" in first and "Bluebird" not in page.text
    assert "code word" not in visits[1].text
    assert "“Keep my room” (last 4/10)" in " ".join(first.split())
    assert page.html.select("[data-testid=no-visits]") == []

    # After the 10:00 has passed with no note, the note is waiting to be written.
    _freeze(monkeypatch, _at(tomorrow, 11, 5))
    page = web(clinician).get(reverse("appointments:today"))
    assert (
        client_record.chosen_name in page.html.select_one("[data-testid=to-write]").text
    )
    write = page.click("Write the note", index=0)
    assert write.forms["session-form"]


def test_didnt_make_it_puts_them_on_todays_reach_out_list(
    web: Any, clinician: User, client_record: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = timezone.localdate()
    appointment = _book(client_record, _at(today, 9))
    _freeze(monkeypatch, _at(today, 10))
    appointment_record_outcome(
        appointment=appointment, by=clinician, outcome=Outcome.DIDNT_MAKE_IT
    )
    page = web(clinician).get(reverse("appointments:today"))
    assert (
        client_record.chosen_name
        in page.html.select_one("[data-testid=reach-out]").text
    )
    assert "Didn't make it" in page.html.select_one("[data-testid=visit]").text
    # A call that left a message: the row says so (the attempt is not contact).
    # At the start of the day: the database refuses an attempt later than its
    # own clock, which the frozen one above does not move.
    contact_attempt_record(
        client=client_record,
        by=clinician,
        how="call",
        outcome="left_message",
        tried_at=_at(today, 0),
        through_whom="",
        note="",
        confirmed=False,
        form_token=None,
    )
    page = web(clinician).get(reverse("appointments:today"))
    row = " ".join(page.html.select_one("[data-testid=reach-out]").text.split())
    assert row.endswith("· tried " + short_date(today) + ", left a message")
    assert "All 1 on the reach-out list" in page.text


def test_the_week_view_puts_each_appointment_on_its_day(
    web: Any, clinician: User, client_record: Client
) -> None:
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    _book(client_record, _at(monday + dt.timedelta(days=2), 15, 30))
    page = web(clinician).get(reverse("appointments:today")).click("Week", index=0)
    days = page.html.select("[data-testid=week-day]")
    assert len(days) == 7
    assert "15:30" in days[2].text and client_record.chosen_name in days[2].text
    assert not days[1].select("[data-testid=week-item]")


def test_the_team_week_counts_each_persons_days_and_opens_their_week(
    web: Any,
    clinician: User,
    supervisor: User,
    client_record: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = timezone.localdate()
    _book(client_record, _at(today, 9))
    gone = _book(client_record, _at(today, 11))
    _book(client_record, _at(today, 15))
    _freeze(monkeypatch, _at(today, 12))
    appointment_record_outcome(
        appointment=gone, by=clinician, outcome=Outcome.DIDNT_MAKE_IT
    )
    page = web(supervisor).get(reverse("team:dashboard")).click("Team week")
    rows = {
        r.select_one("th").text.strip(): r
        for r in page.html.select("[data-testid=team-row]")
    }
    cells = rows[clinician.name].select("[data-testid=team-cell]")
    cell = " ".join(cells[today.weekday()].get_text(" ").split())
    # The 9:00 has passed with no note: one to write; the 15:00 is to come.
    assert cell == "3 booked 1 didn’t make it 1 note to write"
    # Counts only: no one's name is on the team week.
    assert client_record.chosen_name not in page.text
    week = page.click(clinician.name)
    days = week.html.select("[data-testid=week-day]")
    assert "11:00" in days[today.weekday()].text
    assert client_record.chosen_name in days[today.weekday()].text
    assert web(clinician).get(reverse("appointments:team_week"), status=404)
    # Someone outside the team is not a member to open: the team's counts instead.
    outsider = ClinicianFactory.create()
    other = web(supervisor).get(
        reverse("appointments:team_week"), {"member": outsider.pk}
    )
    assert other.html.select("[data-testid=team-row]")


def _queries(http: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


def test_today_and_the_weeks_cost_the_same_queries_at_two_sizes(
    as_clinician: Any, as_supervisor: Any, clinician: User
) -> None:
    today = timezone.localdate()

    def grow(n: int) -> None:
        for number in range(n):
            client = ClientFactory.create(clinician=clinician)
            GoalFactory.create(client=client)
            _book(client, _at(today, 8 + number % 10, number % 4 * 15))

    urls = [
        reverse("appointments:today"),
        reverse("appointments:week"),
        reverse("clients:reach_out"),
    ]
    grow(2)
    small = [_queries(as_clinician, url) for url in urls]
    small_team = _queries(as_supervisor, reverse("appointments:team_week"))
    grow(10)
    ClinicianFactory.create(supervisor=clinician.supervisor)
    assert [_queries(as_clinician, url) for url in urls] == small
    assert _queries(as_supervisor, reverse("appointments:team_week")) == small_team


def test_today_shows_the_group_meetings_they_facilitate(
    web: Any, clinician: User, outsider: User
) -> None:
    from tests.groups_data import MEMBER_NAMES, group_of, meeting_of

    group, _ = group_of(clinician, 3, name="Thursday circle")
    meeting = meeting_of(group, clinician, hours_ago=0)
    page = web(clinician).get(reverse("appointments:today"))
    card = page.html.select_one("[data-testid=group-meeting]")
    assert card is not None and "Thursday circle" in card.text
    assert "Record who came and the notes" in card.text
    # The day's meeting names no member, and it is not "no appointments".
    assert not any(name in card.text for name in MEMBER_NAMES)
    assert page.html.select("[data-testid=no-visits]") == []
    assert page.click("Record who came and the notes").request.path == (
        meeting.get_absolute_url()
    )
    # Someone who does not facilitate it does not see it.
    other = web(outsider).get(reverse("appointments:today"))
    assert other.html.select("[data-testid=group-meeting]") == []
