"""Issue #25: the program figures a process has counted are kept under the
version PostgreSQL moves with every change they count (reports.selectors
.report_figures, migration reports.0003_figures_version). Each kind of change
shows on the next page; nothing else is counted again; a change undone
leaves the figures as they were, and a kept page is never served for data it
was not counted from."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.models import Outcome
from clients.models import (
    AttemptHow,
    AttemptOutcome,
    Client,
    ClientStatus,
    ContactAttempt,
)
from reports.models import ReachOutCount
from reports.periods import add_months
from sessions.models import SessionStatus, TherapySession
from staff.models import User
from tests import figures_page
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    GoalFactory,
    GoalRatingFactory,
    RelationshipCheckInFactory,
    TherapySessionFactory,
)
from tests.figures_page import Web


def _year_to_date() -> dict[str, str]:
    """The twelve months up to this one: the live reach-out count is this
    month's, a recorded one last month's."""
    this_month = timezone.localdate().replace(day=1)
    return {
        "period": "custom",
        "start": f"{add_months(this_month, -11):%Y-%m}",
        "end": f"{this_month:%Y-%m}",
    }


def _totals(web: Web, user: User) -> dict[str, str]:
    """The figures this test changes, as the page shows them: the whole
    period's, or for the reach-out list each month's."""
    page = figures_page.figures(web, user, _year_to_date())
    tables = {
        key: figures_page.table(page, key)
        for key in ("sessions", "attempts", "goals", "ratings", "checkins")
    }
    reach_out = figures_page.table(page, "reach_out")["Due a reach-out"]
    return {
        "sessions": tables["sessions"]["All sessions"][-1],
        "attempts": tables["attempts"]["Attempts to reach someone"][-1],
        "goals": tables["goals"]["All goals"][-1],
        "rated twice": tables["ratings"]["Goals rated at least twice"][-1],
        "check-ins": tables["checkins"]["Check-ins given"][-1],
        "due last month": reach_out[-3],
        "due now": reach_out[-2],
    }


def _now() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=5)


def _seen_today(clinician: User) -> Client:
    client = ClientFactory.create(clinician=clinician)
    _signed(client)
    return client


def _signed(client: Client) -> TherapySession:
    when = _now()
    return TherapySessionFactory.create(
        client=client,
        started_at=when,
        status=SessionStatus.SIGNED,
        signed_at=when,
    )


# Each change in two steps: what it needs is made before the first page
# (`prepare`), the change itself after it (the function `prepare` returns).
Change = Callable[[], object]


def _a_signed_note(clinician: User) -> Change:
    client = ClientFactory.create(clinician=clinician)
    return lambda: _signed(client)


def _an_attempt(clinician: User) -> Change:
    client = ClientFactory.create(clinician=clinician)

    def change() -> None:
        ContactAttempt.objects.create(
            client=client,
            by=clinician,
            tried_at=_now(),
            how=AttemptHow.CALL,
            outcome=AttemptOutcome.NO_ANSWER,
        )

    return change


def _a_goal(clinician: User) -> Change:
    client = ClientFactory.create(clinician=clinician)
    return lambda: GoalFactory.create(client=client, set_on=timezone.localdate())


def _a_second_rating(clinician: User) -> Change:
    goal = GoalFactory.create(
        client=ClientFactory.create(clinician=clinician),
        set_on=timezone.localdate() - datetime.timedelta(days=40),
    )
    GoalRatingFactory.create(goal=goal, rated_on=goal.set_on)
    return lambda: GoalRatingFactory.create(goal=goal, rated_on=timezone.localdate())


def _a_check_in(clinician: User) -> Change:
    note = _signed(_seen_today(clinician))
    return lambda: RelationshipCheckInFactory.create(session=note)


def _a_draft_discarded(clinician: User) -> Change:
    """A check-in given after a draft counts until the draft is discarded."""
    draft = TherapySessionFactory.create(
        client=ClientFactory.create(clinician=clinician)
    )
    RelationshipCheckInFactory.create(session=draft, created_at=_now())

    def change() -> None:
        draft.status = SessionStatus.DISCARDED
        draft.discarded_at, draft.discarded_by = timezone.now(), clinician
        draft.save()

    return change


def _a_count_recorded(clinician: User) -> Change:
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    return lambda: ReachOutCount.objects.create(
        day=last_month, clinician=clinician, due=4
    )


def _someone_new_not_seen_for_months(clinician: User) -> Change:
    return lambda: ClientFactory.create(
        clinician=clinician,
        intake_date=timezone.localdate() - datetime.timedelta(days=120),
    )


def _a_pause_whose_review_day_has_come(clinician: User) -> Change:
    client = _seen_today(clinician)

    def change() -> None:
        client.status = ClientStatus.PAUSED
        client.review_on = timezone.localdate()
        client.save()

    return change


def _an_appointment_they_didnt_make_it_to(clinician: User) -> Change:
    client = _seen_today(clinician)
    return lambda: AppointmentFactory.create(
        client=client,
        starts_at=timezone.now() - datetime.timedelta(minutes=1),
        outcome=Outcome.DIDNT_MAKE_IT,
        outcome_recorded_at=timezone.now(),
        outcome_recorded_by=clinician,
    )


# Each change, and the figures it moves to (all others stay as they were).
CHANGES: list[tuple[Callable[[User], Change], dict[str, str]]] = [
    (_a_signed_note, {"sessions": "1"}),
    (_an_attempt, {"attempts": "1"}),
    (_a_goal, {"goals": "1"}),
    (_a_second_rating, {"rated twice": "1"}),
    (_a_check_in, {"check-ins": "1"}),
    (_a_draft_discarded, {"check-ins": "0"}),
    (_a_count_recorded, {"due last month": "4"}),
    (_someone_new_not_seen_for_months, {"due now": "1"}),
    (_a_pause_whose_review_day_has_come, {"due now": "1"}),
    (_an_appointment_they_didnt_make_it_to, {"due now": "1"}),
]


@pytest.mark.parametrize(
    ("prepare", "moved"), CHANGES, ids=[prepare.__name__ for prepare, _ in CHANGES]
)
def test_each_change_the_figures_count_shows_on_the_next_page(
    web: Web,
    supervisor: User,
    clinician: User,
    prepare: Callable[[User], Change],
    moved: dict[str, str],
) -> None:
    change = prepare(clinician)
    before = _totals(web, supervisor)
    assert all(before[key] != value for key, value in moved.items()), before
    change()
    after = _totals(web, supervisor)
    assert {key: after[key] for key in moved} == moved
    assert {k: v for k, v in after.items() if k not in moved} == {
        k: v for k, v in before.items() if k not in moved
    }


def test_figures_asked_for_again_are_not_counted_again(
    web: Web, supervisor: User, clinician: User
) -> None:
    _a_check_in(clinician)()
    first = _totals(web, supervisor)
    with CaptureQueriesContext(connection) as again:
        assert _totals(web, supervisor) == first
    counted = [q["sql"] for q in again.captured_queries if "_checkin" in q["sql"]]
    assert counted == []


def test_an_autosave_leaves_the_kept_figures_kept(
    web: Web, supervisor: User, clinician: User
) -> None:
    draft = TherapySessionFactory.create(
        client=ClientFactory.create(clinician=clinician)
    )
    _totals(web, supervisor)
    draft.sections = {"brought": "A few more words"}
    draft.save()
    with CaptureQueriesContext(connection) as again:
        _totals(web, supervisor)
    assert not [q for q in again.captured_queries if "_checkin" in q["sql"]]


def test_a_change_undone_leaves_the_figures_as_they_were(
    web: Web, supervisor: User, clinician: User
) -> None:
    """Undone, a change takes the version's number back: the next change
    (each of these moves it by one) reaches the number the undone one's
    figures were kept under, and must be counted anew, not served those."""
    attempt, goal = _an_attempt(clinician), _a_goal(clinician)
    before = _totals(web, supervisor)
    with transaction.atomic():
        attempt()
        assert _totals(web, supervisor)["attempts"] == "1"
        transaction.set_rollback(True)
    assert _totals(web, supervisor) == before
    goal()
    after = _totals(web, supervisor)
    assert (after["attempts"], after["goals"]) == ("0", "1")
