"""Reads for the clinician's day and week (issue #21): Today, the week view and
the supervisor's team week. Each reads what the person may see, in a fixed
number of queries whatever the size of the caseload."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import JSONObject, TruncDate
from django.utils import timezone

from appointments.models import NOT_TAKING_TIME, Appointment, Outcome
from appointments.selectors import appointments_between
from clients.access import STAND_IN_ID, in_team, rule_shape, stand_in
from clients.models import Client
from clients.selectors import (
    current_wants_words,
    due_reach_out_cutoff,
    reach_out_due,
    with_latest_attempt,
)
from goals.models import Goal, GoalRating
from goals.selectors import LATEST_RATING_FIRST
from groups.selectors import meetings_between
from hr_clinic.lib import sql
from measures.definitions import OfMeasure
from measures.selectors import open_safety_prompts
from sessions.models import Modality, TherapySession
from sessions.selectors import open_follow_ups
from staff.models import User

# How many of the reach-out list Today shows (the list itself has them all).
REACH_OUTS_SHOWN = 5


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of `day` and of the next in the service's time zone (a
    daylight-saving day is 23 or 25 hours long)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    )
    return start, end


MODALITY_LABELS = dict(Modality.choices)
OUTCOME_LABELS = dict(Outcome.choices)


def week_labels() -> dict[str, dict[str, str]]:
    """The modality and outcome labels as text, for a week's page to look up:
    a week draws 160 of each, and each lazy label made text (and each method
    call from the template) cost about a tenth of the page."""
    return {
        "modality": {k: str(v) for k, v in MODALITY_LABELS.items()},
        "outcome": {k: str(v) for k, v in OUTCOME_LABELS.items()},
    }


class AppointmentRow:
    """What a page asks of an appointment read as values (a Visit, a
    WeekItem), as it would ask the model: whether it was called off, and its
    labels. (Its address comes from the page's record_urls.)"""

    __slots__ = ()
    modality: str
    outcome: str

    @property
    def is_called_off(self) -> bool:
        return self.outcome in NOT_TAKING_TIME

    def get_modality_display(self) -> str:
        return str(MODALITY_LABELS[self.modality])

    def get_outcome_display(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, ""))


@dataclass(slots=True)
class Visit(AppointmentRow):
    """One appointment of the day, with what the clinician wants at hand:
    read as values, the appointment's and its client's own columns that the
    day shows (at scale a day is 30 appointments; two model instances each,
    with every column of the client, were a quarter of the page; the query
    is compiled once, see _DAY_QUERIES)."""

    id: uuid.UUID
    starts_at: dt.datetime
    duration_minutes: int
    modality: str
    place: str
    outcome: str
    session_id: uuid.UUID | None
    client_id: uuid.UUID
    client_name: str
    pronouns: str
    voicemail_ok: bool | None
    texts_ok: bool | None
    safe_times: str
    # Whether a code word is on file: the day says so, never the word.
    has_code_word: bool
    # "What I want from coming here", the latest words (#22), or None.
    wants: str | None
    # {"wording", "last_score"} of each active goal, oldest set first, as
    # JSON text (None without any): see `goals`.
    goals_json: str | None
    agreed: list[dict[str, Any]] = field(default_factory=list)
    note_to_write: bool = False

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def goals(self) -> list[dict[str, Any]]:
        return json.loads(self.goals_json) if self.goals_json else []


# The columns of a Visit, in its order, up to `goals` (the rest is added).
_VISIT_COLUMNS = (
    "id",
    "starts_at",
    "duration_minutes",
    "modality",
    "place",
    "outcome",
    "session_id",
    "client_id",
    "client__chosen_name",
    "client__pronouns",
    "client__voicemail_ok",
    "client__texts_ok",
    "client__safe_times",
    "has_code_word",
    "wants",
    "goals_at_hand",
)


@dataclass(frozen=True, slots=True)
class SafetyPrompt(OfMeasure):
    """A measure's answer whose safety check-in is still to record, as Today
    shows it: read as values, with its measure and title as a response has
    them."""

    id: uuid.UUID
    code: str
    taken_on: dt.date
    client_id: uuid.UUID
    client_name: str


@dataclass
class Day:
    day: dt.date
    visits: list[Visit]
    # Values: id, started_at, client_id, client_name.
    drafts: list[Any]
    to_write: list[Visit]
    # Values: client_id, client_name, text, due_on, is_due.
    follow_ups: list[dict[str, Any]]
    # Values: id, chosen_name, last_tried_on, last_tried_outcome, due_in_all.
    reach_outs: list[dict[str, Any]]
    reach_out_count: int
    # PHQ-9 item 9 answers whose safety check-in is still to record, on the
    # whole caseload: at the top of the day whoever is booked (#22).
    safety_prompts: list[SafetyPrompt]
    # The day's meetings of groups they facilitate (#24): values, no member
    # named (groups.selectors.meetings_between).
    group_meetings: list[dict[str, Any]] = field(default_factory=list)


def _goals_at_hand() -> Subquery:
    """For an appointment, its client's active goals as a JSON list, oldest
    set first, each with its wording and last rating: read with the
    appointments, in their query (one row of JSON per appointment instead of a
    query and a model instance a goal)."""
    last_score = Subquery(
        GoalRating.objects.filter(goal=OuterRef("pk"))
        .order_by(*LATEST_RATING_FIRST)
        .values("score")[:1]
    )
    goals = (
        Goal.objects.filter(client_id=OuterRef("client_id"))
        .active()
        .order_by()
        .values("client_id")
        .annotate(
            rows=JSONBAgg(
                JSONObject(wording="wording", last_score=last_score),
                order_by=("set_on", "created_at"),
            )
        )
        .values("rows")
    )
    return Subquery(goals)


# What each visit of the day reads besides its own columns, built once: the
# same for every clinician and day, and Django copies an expression before it
# resolves one in a query, so a shared one is never changed. Building them
# anew was a fifth of the day's query.
_AT_HAND = {
    "has_code_word": ExpressionWrapper(
        ~Q(client__code_word=""), output_field=BooleanField()
    ),
    "wants": current_wants_words("client_id"),
    "goals_at_hand": _goals_at_hand(),
}


# Today's queries (and the week's) are the ORM's own, compiled once per
# process for each shape the visibility rule takes (hr_clinic.lib.sql.
# CompiledOnce): building and compiling them on every request was 24,000 of
# Today's 54,000 Python calls, more than half its time, for SQL that runs in
# 3 ms (issue #21,
# docs/performance.md). The shape is the person's role and whether they hold
# an emergency-access grant or facilitate a group (clients.access: the only
# things the rule's form depends on besides their id); the stand-ins are an
# id no account has and moments in mid-1901, swapped for the real values.
_DAY_QUERIES = sql.CompiledOnce()
_STAND_IN_START = dt.datetime(1901, 6, 1, tzinfo=dt.UTC)
_STAND_IN_END = dt.datetime(1901, 6, 2, tzinfo=dt.UTC)
_STAND_IN_DAY = dt.date(1901, 6, 3)
_STAND_IN_CUTOFF = dt.date(1901, 6, 4)


def _visits(user: User, start: dt.datetime, end: dt.datetime) -> Any:
    return (
        appointments_between(user=user, start=start, end=end)
        .annotate(**_AT_HAND)
        .values_list(*_VISIT_COLUMNS)
    )


def _follow_ups(user: User, day: dt.date) -> Any:
    # Each comes annotated with `is_due` (sessions.selectors.open_follow_ups).
    open_ones: QuerySet[Any] = open_follow_ups(user=user, today=day)
    return open_ones.values_list(
        "client_id", "text", "due_on", "is_due", "client__chosen_name"
    )


def _drafts(user: User, start: dt.datetime, end: dt.datetime) -> Any:
    return (
        TherapySession.objects.visible_to(user)
        .drafts()
        .filter(clinician=user, started_at__gte=start, started_at__lt=end)
        .order_by("started_at")
        .values_list("id", "started_at", "client_id", "client__chosen_name")
    )


def _reach_outs(user: User, cutoff: dt.date, today: dt.date) -> Any:
    # The first few, how many in all (a window count) and each one's latest
    # attempt to reach them, in one query.
    due = reach_out_due(
        Client.objects.visible_to(user).filter(clinician=user), cutoff, today
    )
    return (
        with_latest_attempt(due)
        .annotate(due_in_all=Window(Count("pk")))
        .values_list("id", "chosen_name", "latest_attempt", "due_in_all")[
            :REACH_OUTS_SHOWN
        ]
    )


def _safety_prompts(user: User) -> Any:
    return open_safety_prompts(user).values_list(
        "id", "code", "taken_on", "client_id", "client__chosen_name"
    )


def _meetings(user: User, start: dt.datetime, end: dt.datetime) -> Any:
    return meetings_between(user=user, start=start, end=end).values_list(
        "id", "starts_at", "duration_minutes", "place", "status", "group__name"
    )


_MEETING_KEYS = ("id", "starts_at", "duration_minutes", "place", "status", "group_name")


def today_for(
    *, user: User, day: dt.date | None = None, now: dt.datetime | None = None
) -> Day:
    """`user`'s day: their appointments in time order, each with the person's
    active goals (latest rating) and what was agreed last time; the notes from
    the day still to write (an appointment whose time has passed with no note
    and no other outcome) or to sign (their drafts started that day); the
    follow-ups due; the first of their reach-out list (as of today, whichever
    day is shown). A fixed number of queries, whatever the size of the
    caseload (tests/test_query_budgets.py)."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    start, end = day_bounds(day)
    today = timezone.localdate(now)
    shape = rule_shape(user)
    values = {
        STAND_IN_ID: user.pk,
        _STAND_IN_START: start,
        _STAND_IN_END: end,
        _STAND_IN_DAY: day,
        _STAND_IN_CUTOFF: due_reach_out_cutoff(today),
    }

    def rows(name: str, build: Any, *stand_ins: Any) -> list[tuple[Any, ...]]:
        return _DAY_QUERIES.rows(
            (name, *shape),
            lambda: build(stand_in(shape), *stand_ins),
            {k: values[k] for k in (STAND_IN_ID, *stand_ins)},
        )

    visits = [
        Visit(*row) for row in rows("visits", _visits, _STAND_IN_START, _STAND_IN_END)
    ]
    follow_ups = [
        {"client_id": c, "text": t, "due_on": d, "is_due": due, "client_name": n}
        for c, t, d, due, n in rows("follow-ups", _follow_ups, _STAND_IN_DAY)
    ]
    agreed: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for item in follow_ups:
        agreed[item["client_id"]].append(item)
    to_write: list[Visit] = []
    for visit in visits:
        visit.agreed = agreed.get(visit.client_id, [])
        visit.note_to_write = (
            visit.ends_at <= now
            and visit.session_id is None
            and visit.outcome in ("", Outcome.MET)
        )
        if visit.note_to_write:
            to_write.append(visit)
    drafts = [
        {"id": pk, "started_at": at, "client_id": c, "client_name": n}
        for pk, at, c, n in rows("drafts", _drafts, _STAND_IN_START, _STAND_IN_END)
    ]
    # The reach-out list is today's, whichever day is shown.
    values[_STAND_IN_DAY] = today
    reach_outs = []
    for pk, name, tried, due_in_all in rows(
        "reach-outs", _reach_outs, _STAND_IN_CUTOFF, _STAND_IN_DAY
    ):
        latest = json.loads(tried) if tried else None
        reach_outs.append(
            {
                "id": pk,
                "chosen_name": name,
                "last_tried_on": latest and dt.date.fromisoformat(latest["tried_on"]),
                "last_tried_outcome": latest and latest["outcome"],
                "due_in_all": due_in_all,
            }
        )
    # Only a facilitator has group meetings: nobody else pays for the query.
    meetings = (
        [
            dict(zip(_MEETING_KEYS, row, strict=True))
            for row in rows("meetings", _meetings, _STAND_IN_START, _STAND_IN_END)
        ]
        if shape[2]
        else []
    )
    return Day(
        day=day,
        visits=visits,
        drafts=drafts,
        to_write=to_write,
        follow_ups=[f for f in follow_ups if f["is_due"]],
        reach_outs=reach_outs,
        reach_out_count=reach_outs[0]["due_in_all"] if reach_outs else 0,
        group_meetings=meetings,
        # Only what the prompt shows: selecting every column of the response
        # and its client was half this query's cost, for a list mostly empty.
        safety_prompts=[
            SafetyPrompt(*row) for row in rows("safety prompts", _safety_prompts)
        ],
    )


def week_bounds(day: dt.date) -> list[dt.date]:
    """The seven days, Monday first, of the week holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=n) for n in range(7)]


@dataclass(frozen=True, slots=True)
class WeekItem(AppointmentRow):
    """One appointment in a week view: what its line shows, read as values
    (a week at scale is 160 appointments; two model instances each, the
    appointment and its whole client, were a third of the page; the query is
    compiled once, as Today's)."""

    id: uuid.UUID
    starts_at: dt.datetime
    duration_minutes: int
    modality: str
    outcome: str
    client_id: uuid.UUID
    client_name: str
    clinician_id: int


_WEEK_COLUMNS = (
    "id",
    "starts_at",
    "duration_minutes",
    "modality",
    "outcome",
    "client_id",
    "client__chosen_name",
    "clinician_id",
)
# A team member's week: a stand-in for the one member whose week it is.
_STAND_IN_MEMBER = -2


def _week_rows(
    user: User, start: dt.datetime, end: dt.datetime, member: bool
) -> QuerySet[Any, tuple[Any, ...]]:
    clinicians = [User(pk=_STAND_IN_MEMBER)] if member else None
    return appointments_between(
        user=user, start=start, end=end, clinicians=clinicians
    ).values_list(*_WEEK_COLUMNS)


def week_for(
    *, user: User, day: dt.date, clinicians: list[User] | None = None
) -> tuple[list[dt.date], dict[Any, dict[dt.date, list[WeekItem]]]]:
    """The week holding `day`: its days, and the appointments on each, by
    clinician (the user's own, or one team member's). One query, compiled
    once per form of the rule, as Today's are (_DAY_QUERIES)."""
    days = week_bounds(day)
    start, _ = day_bounds(days[0])
    _, end = day_bounds(days[-1])
    grid: dict[Any, dict[dt.date, list[WeekItem]]] = defaultdict(
        lambda: {d: [] for d in days}
    )
    if clinicians is not None and len(clinicians) != 1:
        raise ValueError("a week is one person's: the user's own or one member's")
    shape = rule_shape(user)
    member = clinicians is not None
    values: dict[Any, Any] = {
        STAND_IN_ID: user.pk,
        _STAND_IN_START: start,
        _STAND_IN_END: end,
    }
    if clinicians is not None:
        values[_STAND_IN_MEMBER] = clinicians[0].pk
    rows = _DAY_QUERIES.rows(
        ("week", member, *shape),
        lambda: _week_rows(stand_in(shape), _STAND_IN_START, _STAND_IN_END, member),
        values,
    )
    here = timezone.get_current_timezone()
    for row in rows:
        item = WeekItem(*row)
        grid[item.clinician_id][item.starts_at.astimezone(here).date()].append(item)
    return days, grid


@dataclass(frozen=True)
class DayCount:
    """One person's day in the team week: how many appointments still take
    the time, how many were met, didn't make it or were called off, and how
    many notes are still to write (as Today counts them)."""

    booked: int
    met: int
    didnt_make_it: int
    called_off: int
    to_write: int


def team_week_counts(
    *,
    user: User,
    day: dt.date,
    clinicians: list[User],
    now: dt.datetime | None = None,
) -> tuple[list[dt.date], dict[Any, dict[dt.date, DayCount]]]:
    """The week holding `day`, and for each of `clinicians` (the supervisor
    and their team, as appointments_between limits them) the count of each
    day's appointments (each person's own: see below), counted in the
    database by the day in the service's time zone. One query, whatever the
    number of appointments: the team week shows how each person's week is
    going, not 1,400 names (the member's own week, opened from a row, shows
    the appointments)."""
    now = now or timezone.now()
    days = week_bounds(day)
    start, _ = day_bounds(days[0])
    _, end = day_bounds(days[-1])
    ends_at = ExpressionWrapper(
        F("starts_at") + F("duration_minutes") * dt.timedelta(minutes=1),
        output_field=DateTimeField(),
    )
    # Each person's diary, not their clients': no client is named or opened
    # here, so the count reads the appointments' own index (appt_clinician_idx,
    # covering) without joining every client to check who may see them; a
    # person's week, opened from a row, shows only the clients `user` may see.
    rows = (
        Appointment.objects.filter(
            Q(clinician=user) | in_team(user, inactive=True, via="clinician__"),
            clinician__in=[c.pk for c in clinicians],
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .order_by()
        .alias(ends=ends_at)
        .annotate(
            local_day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone())
        )
        .values("clinician_id", "local_day")
        # Counting a column of the covering index (never null), not the id:
        # the id is not in the index, and counting it sent the scan to every
        # appointment's row (1,700 pages at scale) instead of the index only.
        .annotate(
            booked=Count("starts_at", filter=~Q(outcome__in=NOT_TAKING_TIME)),
            met=Count("starts_at", filter=Q(outcome=Outcome.MET)),
            didnt_make_it=Count("starts_at", filter=Q(outcome=Outcome.DIDNT_MAKE_IT)),
            called_off=Count("starts_at", filter=Q(outcome__in=NOT_TAKING_TIME)),
            to_write=Count(
                "starts_at",
                filter=Q(
                    ends__lte=now,
                    session__isnull=True,
                    outcome__in=["", Outcome.MET],
                ),
            ),
        )
    )
    grid: dict[Any, dict[dt.date, DayCount]] = defaultdict(dict)
    for row in rows:
        clinician_id, local_day = row.pop("clinician_id"), row.pop("local_day")
        grid[clinician_id][local_day] = DayCount(**row)
    return days, grid
