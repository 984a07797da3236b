"""Issue #23: the program figures. Each figure against a hand-built data set
with known answers (a supervisor's team in 2026's second quarter), who sees
what, small-cell suppression for admins, no name or words on the admin's
page, the CSV equal to the page, and the period form as a browser sends it."""

from __future__ import annotations

import datetime
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from clients.models import AttemptHow, AttemptOutcome, Client, ContactAttempt
from goals.models import GoalArea
from reports.models import ReachOutCount
from sessions.models import (
    Modality,
    ReferralKind,
    SessionStatus,
    TherapySession,
)
from staff.models import User
from tests import figures_page
from tests.exports import csv_rows
from tests.factories import (
    ClientFactory,
    GoalFactory,
    GoalRatingFactory,
    RelationshipCheckInFactory,
    TherapySessionFactory,
)
from tests.figures_page import Q2, Web

UTC = datetime.UTC


def _at(month: int, day: int, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, tzinfo=UTC)


def _signed(client: Client, when: datetime.datetime, **fields: Any) -> TherapySession:
    return TherapySessionFactory.create(
        client=client,
        started_at=when,
        status=SessionStatus.SIGNED,
        signed_at=when + datetime.timedelta(hours=1),
        **fields,
    )


@pytest.fixture
def world(clinician: User, outsider: User) -> dict[str, Any]:
    """The supervisor's team (the supervisor and `clinician`) and one client
    of another team, in and around 2026's second quarter."""
    a = ClientFactory.create(clinician=clinician, chosen_name="Alpha Person")
    b = ClientFactory.create(clinician=clinician, chosen_name="Bravo Person")
    c = ClientFactory.create(clinician=outsider, chosen_name="Charlie Person")
    _signed(a, _at(1, 15), modality=Modality.IN_PERSON)  # before: A returns
    _signed(
        a,
        _at(4, 10),
        modality=Modality.IN_PERSON,
        naloxone_doses_given=2,
        test_strips_given=5,
        referral_kinds=[ReferralKind.MOUD, ReferralKind.HOUSING],
        referrals="Free text that no report shows",
    )
    may = _signed(
        a,
        _at(5, 5),
        modality=Modality.VIDEO,
        naloxone_doses_given=4,
        other_supplies="Supplies text that no report shows",
        overdoses_experienced=1,
        naloxone_used=True,
    )
    _signed(b, _at(4, 20), modality=Modality.PHONE, referral_kinds=["moud"])
    TherapySessionFactory.create(client=a, started_at=_at(6, 2))  # a draft
    _signed(c, _at(5, 1), modality=Modality.OUTREACH)
    housing = GoalFactory.create(
        client=a, area=GoalArea.HOUSING, set_on=datetime.date(2026, 4, 2)
    )
    GoalRatingFactory.create(goal=housing, score=3, rated_on=datetime.date(2026, 4, 2))
    GoalRatingFactory.create(goal=housing, score=6, rated_on=datetime.date(2026, 6, 1))
    health = GoalFactory.create(
        client=b, area=GoalArea.HEALTH, set_on=datetime.date(2026, 5, 3)
    )
    GoalRatingFactory.create(goal=health, score=5, rated_on=datetime.date(2026, 5, 3))
    GoalRatingFactory.create(goal=health, score=5, rated_on=datetime.date(2026, 5, 20))
    earlier = GoalFactory.create(client=a, area="", set_on=datetime.date(2026, 1, 7))
    GoalRatingFactory.create(goal=earlier, score=7, rated_on=datetime.date(2026, 1, 7))
    GoalRatingFactory.create(goal=earlier, score=4, rated_on=datetime.date(2026, 4, 5))
    ContactAttempt.objects.create(
        client=b,
        by=clinician,
        tried_at=_at(5, 12),
        how=AttemptHow.CALL,
        outcome=AttemptOutcome.NO_ANSWER,
    )
    for heard in (6, 7, 8):
        RelationshipCheckInFactory.create(
            session=may, heard=heard, created_at=_at(5, 6)
        )
    RelationshipCheckInFactory.create(session=may, heard=2, created_at=_at(4, 11))
    ReachOutCount.objects.create(
        day=datetime.date(2026, 4, 15), clinician=clinician, due=9
    )
    ReachOutCount.objects.create(
        day=datetime.date(2026, 4, 30), clinician=clinician, due=3
    )
    return {"a": a, "b": b, "c": c}


def test_each_figure_for_a_supervisors_team(
    web: Web, supervisor: User, world: dict[str, Any]
) -> None:
    page = figures_page.figures(web, supervisor)
    assert "Program figures: Q2 2026" in page.text
    # Months April, May, June, then the whole period.
    people = figures_page.table(page, "people")
    assert people["People served"] == ["2", "1", "0", "2"]
    assert people["New to the service"] == ["1", "0", "0", "1"]
    assert people["Returning"] == ["1", "1", "0", "1"]
    sessions = figures_page.table(page, "sessions")
    assert sessions["In person"] == ["1", "0", "0", "1"]
    assert sessions["Video"] == ["0", "1", "0", "1"]
    assert sessions["Phone"] == ["1", "0", "0", "1"]
    assert sessions["Outreach"] == ["0", "0", "0", "0"]  # another team's
    assert sessions["All sessions"] == ["2", "1", "0", "3"]
    naloxone = figures_page.table(page, "naloxone")
    assert naloxone["Naloxone doses given"] == ["2", "4", "0", "6"]
    assert naloxone["People given naloxone"] == ["1", "1", "0", "1"]
    supplies = figures_page.table(page, "supplies")
    assert supplies["Fentanyl test strips given"] == ["5", "0", "0", "5"]
    assert supplies["Notes with other supplies given"] == ["0", "1", "0", "1"]
    overdoses = figures_page.table(page, "overdoses")
    assert overdoses["Overdoses they experienced"] == ["0", "1", "0", "1"]
    assert overdoses["Overdoses they witnessed"] == ["0", "0", "0", "0"]
    assert overdoses["Notes: naloxone was used"] == ["0", "1", "0", "1"]
    referrals = figures_page.table(page, "referrals")
    assert referrals[ReferralKind.MOUD.label] == ["2", "0", "0", "2"]
    assert referrals[ReferralKind.HOUSING.label] == ["1", "0", "0", "1"]
    assert referrals[ReferralKind.LEGAL.label] == ["0", "0", "0", "0"]
    assert figures_page.table(page, "attempts")["Attempts to reach someone"] == [
        "0",
        "1",
        "0",
        "1",
    ]
    goals = figures_page.table(page, "goals")
    assert goals["Housing"] == ["1", "0", "0", "1"]
    assert goals["Health"] == ["0", "1", "0", "1"]
    assert goals["No area given"] == ["0", "0", "0", "0"]  # set in January
    assert goals["All goals"] == ["1", "1", "0", "2"]
    ratings = figures_page.table(page, "ratings")
    assert ratings["Moved up"] == ["1"]
    assert ratings["Stayed the same"] == ["1"]
    assert ratings["Moved down"] == ["1"]
    assert ratings["Median change"] == ["0.0"]
    assert ratings["Goals rated at least twice"] == ["3"]
    checkins = figures_page.table(page, "checkins")
    assert checkins["I felt heard and respected"] == [
        "fewer than 3 check-ins",  # April's one check-in is not shown
        "7.0",
        "–",
        "5.8",
    ]
    assert checkins["Check-ins given"] == ["1", "3", "0", "4"]
    # April's last recorded count; none recorded in May or June.
    assert figures_page.table(page, "reach_out")["Due a reach-out"] == [
        "3",
        "–",
        "–",
        "3",
    ]
    assert "failed" not in page.text.lower()


def test_no_free_text_or_name_reaches_any_report(
    web: Web, supervisor: User, admin_user: User, world: dict[str, Any]
) -> None:
    for user in (supervisor, admin_user):
        page = figures_page.figures(web, user)
        for words in ("Free text", "Supplies text", "Person", "Test note text"):
            assert words not in page.text


def test_every_figure_states_its_definition(
    web: Web, supervisor: User, world: dict[str, Any]
) -> None:
    page = figures_page.figures(web, supervisor)
    sections = page.html.find_all("section", attrs={"data-figure": True})
    assert len(sections) == 11
    for section in sections:
        definition = section.find(attrs={"data-testid": "definition"})
        assert definition is not None and len(definition.get_text(strip=True)) > 40
        assert section.find("svg", attrs={"role": "img"}) is not None
    assert "People served: distinct people with at least one signed note" in page.text


def test_a_supervisor_sees_one_person_on_the_team(
    web: Web, supervisor: User, clinician: User, world: dict[str, Any]
) -> None:
    page = figures_page.figures(web, supervisor, {**Q2, "clinician": str(clinician.pk)})
    assert f"Q2 2026, {clinician.name}" in page.text
    assert figures_page.table(page, "people")["People served"] == ["2", "1", "0", "2"]
    own = figures_page.figures(web, supervisor, {**Q2, "clinician": str(supervisor.pk)})
    assert figures_page.table(own, "people")["People served"] == ["0", "0", "0", "0"]


def test_someone_outside_the_team_is_a_404(
    web: Web, supervisor: User, outsider: User, admin_user: User
) -> None:
    url = reverse("reports:figures") + f"?clinician={outsider.pk}"
    assert web(supervisor).get(url, expect_errors=True).status_code == 404
    # An admin sees the whole service only, never one person's work.
    assert web(admin_user).get(url, expect_errors=True).status_code == 404


def test_the_admin_sees_the_whole_service_with_small_cells_hidden(
    web: Web, admin_user: User, world: dict[str, Any]
) -> None:
    page = figures_page.figures(web, admin_user)
    rule = page.html.find(attrs={"data-testid": "suppression-rule"}).get_text()
    assert "1 to 10 different people" in rule and "fewer than 11" in rule
    people = figures_page.table(page, "people")
    assert people["People served"] == [
        "fewer than 11",
        "fewer than 11",
        "0",
        "fewer than 11",
    ]
    assert "Charlie" not in page.text


def _seven_and_twelve(clinician: User, outsider: User) -> None:
    """April: 7 people seen by the team (in person); 12 by another team (in
    person), one of them also by video."""
    for n in range(7):
        _signed(ClientFactory.create(clinician=clinician), _at(4, 3 + n))
    others = [ClientFactory.create(clinician=outsider) for _ in range(12)]
    for n, client in enumerate(others):
        _signed(client, _at(4, 3 + n))
    _signed(others[0], _at(4, 28), modality=Modality.VIDEO)


def test_a_cell_of_7_is_hidden_for_admins_and_shown_to_the_teams_supervisor(
    web: Web, supervisor: User, admin_user: User, clinician: User, outsider: User
) -> None:
    _seven_and_twelve(clinician, outsider)
    month = {"period": "month", "start": "2026-04"}
    assert figures_page.table(figures_page.figures(web, supervisor, month), "people")[
        "People served"
    ] == [
        "7",
        "7",
    ]
    admin = figures_page.table(figures_page.figures(web, admin_user, month), "sessions")
    # 19 people in person: shown. 1 by video: hidden, and every total that
    # would give it away (the video row's, April's column, the grand total).
    assert admin["In person"] == ["19", "19"]
    assert admin["Video"] == ["fewer than 11", "fewer than 11"]
    assert admin["All sessions"] == ["not shown", "not shown"]
    assert figures_page.table(figures_page.figures(web, admin_user, month), "people")[
        "People served"
    ] == [
        "19",
        "19",
    ]


def test_the_csv_holds_the_pages_numbers_under_the_part_2_line(
    web: Web, admin_user: User, supervisor: User, clinician: User, outsider: User
) -> None:
    _seven_and_twelve(clinician, outsider)
    for user in (admin_user, supervisor):
        page = figures_page.figures(
            web, user, {"period": "quarter", "start": "2026-05"}
        )
        csv = page.click("Download CSV")
        assert csv.headers["Content-Disposition"].startswith("attachment;")
        rows = csv_rows(csv.text)
        assert rows[0] == ["figure", "row", "2026-04", "2026-05", "2026-06", "total"]
        from_csv = {(r[0], r[1]): r[2:] for r in rows[1:]}
        for section in page.html.find_all("section", attrs={"data-figure": True}):
            title = section.find("h2").get_text(strip=True)
            for label, cells in figures_page.table(
                page, section["data-figure"]
            ).items():
                got = from_csv[(title, label)]
                assert [c for c in got if c] == cells, (title, label)


def test_the_print_version_is_labelled_and_keeps_the_period(
    web: Web, supervisor: User, world: dict[str, Any]
) -> None:
    page = figures_page.figures(web, supervisor)
    printed = page.click("Print version")
    assert printed.html.find(attrs={"data-testid": "print-bar"}) is not None
    assert printed.html.find(attrs={"data-testid": "part2-label"}) is not None
    assert "Program figures: Q2 2026" in printed.text
    assert "period-form" not in printed.text


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ({"period": "month", "start": "2026-02"}, "February 2026"),
        ({"period": "year", "start": "2025-07"}, "2025"),
        (
            {"period": "custom", "start": "2026-03", "end": "2025-11"},
            "November 2025 to March 2026",
        ),
    ],
)
def test_each_kind_of_period(
    web: Web, supervisor: User, query: dict[str, str], title: str
) -> None:
    page = figures_page.figures(web, supervisor, {"end": "", **query})
    assert f"Program figures: {title}" in page.text


def test_a_month_that_cannot_be_read_is_a_message_not_an_error(
    web: Web, supervisor: User
) -> None:
    page = figures_page.figures(web, supervisor, {"period": "month", "start": "March"})
    assert page.status_code == 200
    assert "write it like 2026-09" in page.text


def test_the_demo_admins_figures_name_nobody(web: Web, admin_user: User) -> None:
    call_command("seed_demo", stdout=StringIO())
    page = figures_page.figures(web, admin_user, {"period": "year", "start": "2026-01"})
    names = list(Client.objects.values_list("chosen_name", "legal_name"))
    assert len(names) > 5
    for chosen, legal in names:
        assert chosen not in page.text
        assert not legal or legal not in page.text
    for words in TherapySession.objects.exclude(other_supplies="").values_list(
        "other_supplies", flat=True
    ):
        assert words not in page.text
    assert re.search(r"fewer than 11", page.text)


def test_record_reach_out_counts_records_todays_list(
    clinician: User, supervisor: User
) -> None:
    ClientFactory.create(
        clinician=clinician, intake_date=datetime.date(2026, 1, 5)
    )  # never seen: due
    call_command("record_reach_out_counts", stdout=StringIO())
    call_command("record_reach_out_counts", stdout=StringIO())  # the same day again
    counts = dict(ReachOutCount.objects.values_list("clinician__username", "due"))
    assert counts["clinician"] == 1 and counts["supervisor"] == 0


def test_the_whole_service_adds_up_as_every_team_together(
    world: dict[str, Any], clinician: User, outsider: User
) -> None:
    """The whole service is counted from reports.ClientMonth, a team from
    SessionMonth: with everyone in the team, the two agree on every number."""
    from clients.access import FigureScope
    from reports.periods import period_of
    from reports.selectors import session_numbers

    _signed(world["a"], _at(5, 9), clinician=outsider, modality=Modality.GROUP)
    everyone = tuple(User.objects.values_list("pk", flat=True))
    for kind, month in (("quarter", 4), ("year", 1)):
        period = period_of(kind, datetime.date(2026, month, 1), None)
        service = session_numbers(FigureScope(staff=None, suppress=False), period)
        teams = session_numbers(FigureScope(staff=everyone, suppress=False), period)
        assert service == teams
        assert service[None]["people"] == 3
        assert service[datetime.date(2026, 5, 1)]["sessions"] == 3
