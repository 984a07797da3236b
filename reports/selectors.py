"""The program figures (issue #23): each one SQL aggregate over a period,
grouped by month, within a FigureScope (clients.access.figure_scope). Rows
are never loaded: every query returns one row per month (and one for the
whole period), so the cost follows the period, not the caseload. What each
figure counts is written in FIGURES, which the page and the CSV show."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.utils import timezone

from clients.access import FigureScope
from clients.models import Client
from clients.selectors import due_reach_out_cutoff, reach_out_due
from goals.models import GoalArea
from reports.models import (
    FLAGGED,
    MODALITY_COLUMNS,
    OVERDOSE_FLAG,
    REFERRAL_COLUMNS,
)
from reports.periods import Period
from reports.suppression import Cell, hide_small, protect
from sessions.checkin_items import ITEMS as CHECKIN_ITEMS
from sessions.checkin_items import TEAM_MIN_COUNT
from sessions.models import Modality, ReferralKind

Numbers = dict[datetime.date | None, dict[str, Any]]  # month (None: period)


@dataclass
class Row:
    label: str
    cells: list[Cell]  # one per month
    total: Cell
    # Whether the months add up to the total (sums and counts of records),
    # so that a hidden month could be worked out from it; not so for
    # distinct people (the same person in two months) or averages.
    additive: bool = True


@dataclass
class Figure:
    key: str
    title: str
    definition: str
    rows: list[Row]
    total_label: str = "Whole period"
    # A row of month totals below the rows (sessions of every modality).
    footer: Row | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def headline(self) -> Row:
        return self.footer or self.rows[0]


@dataclass
class Report:
    period: Period
    months: list[datetime.date]
    figures: list[Figure]
    suppress: bool


# Memory for one figure query's sorts and hashes: a year of the whole
# service groups about 190,000 summary rows, which spilled to disk with the
# default 4 MB (docs/performance.md, issue #23). SET LOCAL: this transaction.
WORK_MEM = "64MB"


def _fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col.name for col in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _by_month(rows: list[dict[str, Any]], key: str = "month") -> Numbers:
    return {row[key]: row for row in rows}


def _scope_sql(scope: FigureScope, column: str) -> str:
    """The staff condition on `column` (a staff id column): nothing for the
    whole service."""
    return "" if scope.staff is None else f" AND {column} = ANY(%(staff)s)"


def _params(scope: FigureScope, period: Period) -> dict[str, Any]:
    return {
        "start": period.start,
        "end": period.end,
        "last": period.last_month,
        "staff": list(scope.staff or ()),
        "zone": settings.TIME_ZONE,
    }


# The summaries' columns (reports.CountedMonth) the figure rows add up.
SESSION_SUMS = list(FLAGGED)


def _flags_sql(row: str) -> str:
    """ClientMonth.flags of a grouped row `row`, computed as the trigger
    sets them."""
    return " | ".join(
        [f"(({row}.{column} > 0)::int << {bit})" for bit, column in enumerate(FLAGGED)]
        + [
            f"(({row}.overdoses_experienced + {row}.overdoses_witnessed > 0)::int"
            f" << {OVERDOSE_FLAG})"
        ]
    )


def _person_months_sql(scope: FigureScope) -> str:
    """One row per person and month in the period, with the summary's
    columns, `flags` and `is_first`: for the whole service ClientMonth's own
    rows; for a team, its authors' SessionMonth rows added up per person and
    month, with the person's first month from ClientMonth (the service's)."""
    columns = ", ".join(SESSION_SUMS)
    if scope.staff is None:
        return f"""
            SELECT client_id, month, flags, is_first, {columns}
            FROM reports_clientmonth
            WHERE month >= %(start)s AND month < %(end)s
        """  # nosec B608 - names from code, values bound
    sums = ", ".join(f"sum(s.{c}) AS {c}" for c in SESSION_SUMS)
    return f"""
        SELECT per.*, {_flags_sql("per")} AS flags, c.is_first
        FROM (
            SELECT s.client_id, s.month, {sums}
            FROM reports_sessionmonth s
            WHERE s.month >= %(start)s AND s.month < %(end)s
                AND s.author_id = ANY(%(staff)s)
            GROUP BY s.client_id, s.month
        ) per
        JOIN reports_clientmonth c USING (client_id, month)
    """  # nosec B608 - names from code, values bound


def session_numbers(scope: FigureScope, period: Period) -> Numbers:
    """Per month and for the whole period (key None): distinct people with a
    signed note (`people`), of whom new to the service (`new`: their first
    signed note with anyone in the service falls in that month, or in the
    period), each summary column's sum and the people behind it
    (`<column>_people`), and the people who reported an overdose. One query
    on the summaries (reports.ClientMonth, SessionMonth): the months from
    one row per person a month, the period's people from one bit_or of
    their flags each."""
    month_columns = ", ".join(
        f"sum({c}) AS {c}, count(*) FILTER (WHERE {c} > 0) AS {c}_people"
        for c in SESSION_SUMS
    )
    period_sums = ", ".join(f"sum(m.{c}) AS {c}" for c in SESSION_SUMS)
    period_people = ", ".join(
        f"count(*) FILTER (WHERE p.flags & {1 << bit} <> 0) AS {c}_people"
        for bit, c in enumerate(SESSION_SUMS)
    )
    sql = f"""
        WITH r AS MATERIALIZED ({_person_months_sql(scope)}),
        months AS (
            SELECT month, count(*) AS people,
                count(*) FILTER (WHERE is_first) AS new,
                count(*) FILTER (
                    WHERE overdoses_experienced + overdoses_witnessed > 0
                ) AS overdose_people,
                {month_columns}
            FROM r GROUP BY month
        ), people AS (
            SELECT bit_or(flags) AS flags, bool_or(is_first) AS is_first
            FROM r GROUP BY client_id
        ), period_people AS (
            SELECT count(*) AS people, count(*) FILTER (WHERE p.is_first) AS new,
                count(*) FILTER (WHERE p.flags & {1 << OVERDOSE_FLAG} <> 0)
                    AS overdose_people,
                {period_people}
            FROM people p
        ), period_sums AS (
            SELECT {period_sums} FROM months m
        )
        SELECT * FROM months
        UNION ALL
        SELECT NULL::date AS month, pp.people, pp.new, pp.overdose_people,
            {", ".join(f"ps.{c}, pp.{c}_people" for c in SESSION_SUMS)}
        FROM period_people pp, period_sums ps
    """  # nosec B608 - names from code, values bound
    return _by_month(_fetch(sql, _params(scope, period)))


def attempt_numbers(scope: FigureScope, period: Period) -> Numbers:
    """Attempts to reach someone, by who tried, per month of when they were
    tried (the service's time zone) and for the period: how many, and the
    distinct people tried."""
    sql = f"""
        SELECT date_trunc('month', tried_at AT TIME ZONE %(zone)s)::date AS month,
            count(*) AS attempts, count(DISTINCT client_id) AS people
        FROM clients_contactattempt
        WHERE tried_at >= (%(start)s::timestamp AT TIME ZONE %(zone)s)
            AND tried_at < (%(end)s::timestamp AT TIME ZONE %(zone)s)
            {_scope_sql(scope, "by_id")}
        GROUP BY GROUPING SETS ((1), ())
    """  # nosec B608 - names from code, values bound
    return _by_month(_fetch(sql, _params(scope, period)))


def goal_numbers(scope: FigureScope, period: Period) -> list[dict[str, Any]]:
    """Goals set in the period (by the day they were set), by who set them:
    per area and month, per area, per month and in all (GROUPING SETS), each
    with the distinct people whose goals they are."""
    sql = f"""
        SELECT area, date_trunc('month', set_on)::date AS month,
            count(*) AS goals, count(DISTINCT client_id) AS people
        FROM goals_goal
        WHERE set_on >= %(start)s AND set_on < %(end)s
            {_scope_sql(scope, "created_by_id")}
        GROUP BY GROUPING SETS ((area, 2), (area), (2), ())
    """  # nosec B608 - names from code, values bound
    return _fetch(sql, _params(scope, period))


def rating_change_numbers(scope: FigureScope, period: Period) -> dict[str, Any]:
    """Change in the person's own ratings: goals (set by someone in scope)
    rated at least twice by the end of the period, at least once in it;
    from the goal's first rating to its latest by the end of the period
    (latest: the newest day, then the newest entered that day, as
    goals.selectors.LATEST_RATING_FIRST; two entered in the same instant,
    as a bulk load can, by id, so the same data always gives the same
    figures). How many moved up, stayed, moved down, the people behind
    each, and the median change."""
    sql = f"""
        WITH g AS (
            SELECT goal.client_id,
                (array_agg(r.score ORDER BY r.rated_on, r.created_at, r.id))[1]
                    AS first,
                (array_agg(
                    r.score ORDER BY r.rated_on DESC, r.created_at DESC, r.id DESC
                ))[1] AS latest
            FROM goals_goalrating r JOIN goals_goal goal ON goal.id = r.goal_id
            WHERE r.rated_on < %(end)s {_scope_sql(scope, "goal.created_by_id")}
            GROUP BY r.goal_id, goal.client_id
            HAVING count(*) >= 2 AND max(r.rated_on) >= %(start)s
        )
        SELECT count(*) AS goals, count(DISTINCT client_id) AS people,
            count(*) FILTER (WHERE latest > first) AS up,
            count(DISTINCT client_id) FILTER (WHERE latest > first) AS up_people,
            count(*) FILTER (WHERE latest = first) AS same,
            count(DISTINCT client_id) FILTER (WHERE latest = first) AS same_people,
            count(*) FILTER (WHERE latest < first) AS down,
            count(DISTINCT client_id) FILTER (WHERE latest < first) AS down_people,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY latest - first) AS median
        FROM g
    """  # nosec B608 - names from code, values bound
    return _fetch(sql, _params(scope, period))[0]


def checkin_numbers(scope: FigureScope, period: Period) -> Numbers:
    """Relationship check-ins after notes by someone in scope (not of a
    discarded or handed-over draft), per month of when they were given and
    for the period: how many, the distinct people, and each item's average
    over the answers given."""
    averages = ", ".join(f"avg(c.{item.key}) AS {item.key}" for item in CHECKIN_ITEMS)
    sql = f"""
        SELECT date_trunc('month', c.created_at AT TIME ZONE %(zone)s)::date AS month,
            count(*) AS checkins, count(DISTINCT c.client_id) AS people, {averages}
        FROM therapy_sessions_relationshipcheckin c
        JOIN therapy_sessions_therapysession s ON s.id = c.session_id
        WHERE c.created_at >= (%(start)s::timestamp AT TIME ZONE %(zone)s)
            AND c.created_at < (%(end)s::timestamp AT TIME ZONE %(zone)s)
            AND s.status <> 'discarded' AND s.handed_over_at IS NULL
            {_scope_sql(scope, "s.clinician_id")}
        GROUP BY GROUPING SETS ((1), ())
    """  # nosec B608 - names from code, values bound
    return _by_month(_fetch(sql, _params(scope, period)))


def reach_out_numbers(
    scope: FigureScope, period: Period, today: datetime.date
) -> dict[datetime.date, int | None]:
    """The reach-out list's size per month: the count recorded on the last
    day recorded in that month before `today` (ReachOutCount, summed over the
    clients' primary clinicians in scope); for the month holding `today`,
    today's list itself (clients.selectors.reach_out_due, counted in one
    query, no row read). None for a month with no count recorded."""
    sizes: dict[datetime.date, int | None] = dict.fromkeys(period.months)
    sql = f"""
        WITH last AS (
            SELECT date_trunc('month', day)::date AS month, max(day) AS day
            FROM reports_reachoutcount
            WHERE day >= %(start)s AND day < %(end)s AND day < %(today)s
                {_scope_sql(scope, "clinician_id")}
            GROUP BY 1
        )
        SELECT last.month, sum(r.due) AS due
        FROM last JOIN reports_reachoutcount r ON r.day = last.day
        WHERE true {_scope_sql(scope, "r.clinician_id")}
        GROUP BY last.month
    """  # nosec B608 - names from code, values bound
    for row in _fetch(sql, {**_params(scope, period), "today": today}):
        sizes[row["month"]] = int(row["due"])
    this_month = today.replace(day=1)
    if period.start <= this_month < period.end:
        # The whole service's clients, or the scope's caseloads: a count of
        # what the rule finds, never a row (an admin sees no client).
        clients = Client.objects.all()
        if scope.staff is not None:
            clients = clients.filter(clinician__in=scope.staff)
        sizes[this_month] = reach_out_due(
            clients, cutoff=due_reach_out_cutoff(today), today=today
        ).count()
    return sizes


def _cell(
    numbers: Numbers, month: datetime.date | None, value: str, people: str
) -> Cell:
    row = numbers.get(month) or {}
    got = row.get(value)
    return Cell(
        value=int(got or 0) if not isinstance(got, float) else got,
        people=int(row.get(people) or 0),
    )


def _row(
    label: str,
    numbers: Numbers,
    months: Sequence[datetime.date],
    value: str,
    people: str,
    *,
    additive: bool = True,
) -> Row:
    return Row(
        label=label,
        cells=[_cell(numbers, m, value, people) for m in months],
        total=_cell(numbers, None, value, people),
        additive=additive,
    )


def _lines(rows: Sequence[Row], footer: Row | None) -> list[tuple[list[Cell], Cell]]:
    """The additive lines of a table: each additive row to its total, and,
    with a footer of totals, each month's column and the totals column."""
    lines = [(row.cells, row.total) for row in rows if row.additive]
    if footer is not None:
        lines.append((footer.cells, footer.total))
        for index, cell in enumerate(footer.cells):
            lines.append(([row.cells[index] for row in rows], cell))
        lines.append(([row.total for row in rows], footer.total))
    return lines


def _people_figure(numbers: Numbers, months: list[datetime.date]) -> Figure:
    served = _row("People served", numbers, months, "people", "people", additive=False)
    new = _row("New to the service", numbers, months, "new", "new", additive=False)
    returning = Row("Returning", [], Cell(0), additive=False)
    for got_served, got_new in zip(
        [*served.cells, served.total], [*new.cells, new.total], strict=True
    ):
        count = int(got_served.value or 0) - int(got_new.value or 0)
        returning.cells.append(Cell(count, people=count))
    returning.total = returning.cells.pop()
    return Figure(
        "people",
        "People served",
        "People served: distinct people with at least one signed note in the "
        "month (or, in the last column, in the whole period); a person seen "
        "every month counts once in the period. New to the service: their "
        "first signed note with anyone in the service is in that month (or "
        "period). Returning: seen before it. Drafts never count.",
        [served, new, returning],
    )


def _session_figures(numbers: Numbers, months: list[datetime.date]) -> list[Figure]:
    def row(label: str, column: str, *, people: str = "") -> Row:
        return _row(label, numbers, months, column, people or f"{column}_people")

    modalities = [
        row(label, MODALITY_COLUMNS[value]) for value, label in Modality.choices
    ]
    people_noted = "people (noted in the check-in)"
    return [
        Figure(
            "sessions",
            "Sessions by modality",
            "Signed notes of sessions in the month, by how the session took "
            "place (the note's modality), dated by the session's start.",
            modalities,
            footer=row("All sessions", "sessions"),
        ),
        Figure(
            "naloxone",
            "Naloxone doses given",
            "The sum of the naloxone doses given, as each signed note's "
            "harm-reduction check-in records them; a two-dose kit counts as two. "
            f"People: the distinct {people_noted} given any.",
            [
                row("Naloxone doses given", "naloxone_doses"),
                _row(
                    "People given naloxone",
                    numbers,
                    months,
                    "naloxone_doses_people",
                    "naloxone_doses_people",
                    additive=False,
                ),
            ],
        ),
        Figure(
            "supplies",
            "Fentanyl test strips and other supplies",
            "Fentanyl test strips: the sum of the strips given, from the signed "
            "notes' check-ins. Other safer-use supplies: how many signed notes "
            "record any given (what was given is the note's own words and is "
            "never shown here).",
            [
                row("Fentanyl test strips given", "test_strips"),
                row("Notes with other supplies given", "supplies_notes"),
            ],
        ),
        Figure(
            "overdoses",
            "Overdoses reported",
            "From the signed notes' check-ins: overdoses the person experienced "
            "and overdoses they witnessed since their last contact, as they "
            "told them, and how many notes say naloxone was used in an overdose.",
            [
                row("Overdoses they experienced", "overdoses_experienced"),
                row("Overdoses they witnessed", "overdoses_witnessed"),
                row("Notes: naloxone was used", "naloxone_used_notes"),
                _row(
                    "People who reported an overdose",
                    numbers,
                    months,
                    "overdose_people",
                    "overdose_people",
                    additive=False,
                ),
            ],
        ),
        Figure(
            "referrals",
            "Referrals made, by kind",
            "Signed notes whose check-in ticks each kind of referral (a note "
            "may tick several). Only the ticked kinds are counted; the note's "
            "own words about referrals are never read or shown.",
            [
                row(label, REFERRAL_COLUMNS[value])
                for value, label in ReferralKind.choices
            ],
        ),
    ]


def _attempt_figure(numbers: Numbers, months: list[datetime.date]) -> Figure:
    return Figure(
        "attempts",
        "Contact attempts",
        "Attempts to reach someone (\u201cTried to reach\u201d), by when they "
        "were tried, whatever the outcome; people: the distinct people tried.",
        [
            _row("Attempts to reach someone", numbers, months, "attempts", "people"),
            _row("People tried", numbers, months, "people", "people", additive=False),
        ],
    )


def _goal_figure(rows: list[dict[str, Any]], months: list[datetime.date]) -> Figure:
    def cell(area: str | None, month: datetime.date | None) -> Cell:
        for row in rows:
            if row["area"] == area and row["month"] == month:
                return Cell(int(row["goals"]), people=int(row["people"]))
        return Cell(0, people=0)

    areas = [*GoalArea.choices, ("", "No area given")]
    return Figure(
        "goals",
        "Goals set, by area of life",
        "Goals the people set in the period, by the day each was set and "
        "the area of life it is in. A goal reworded later still counts once.",
        [
            Row(label, [cell(value, m) for m in months], cell(value, None))
            for value, label in areas
        ],
        footer=Row("All goals", [cell(None, m) for m in months], cell(None, None)),
    )


def _rating_figure(numbers: dict[str, Any]) -> Figure:
    def cell(value: str, people: str) -> Cell:
        return Cell(int(numbers[value] or 0), people=int(numbers[people] or 0))

    median = numbers["median"]
    rows = [
        Row("Moved up", [], cell("up", "up_people")),
        Row("Stayed the same", [], cell("same", "same_people")),
        Row("Moved down", [], cell("down", "down_people")),
    ]
    return Figure(
        "ratings",
        "Change in the person's own ratings",
        "Goals rated at least twice by the end of the period and at least "
        "once in it: from the goal's first rating to its latest, in the "
        "person's own 0\u201310 ratings, how many moved up, stayed the same or "
        "moved down. The median change is the middle one of those changes. "
        "A rating that moved down says where the person feels they are now, "
        "nothing more.",
        [
            *rows,
            Row(
                "Median change",
                [],
                Cell(
                    None if median is None else round(float(median), 1),
                    people=int(numbers["people"] or 0),
                ),
                additive=False,
            ),
        ],
        footer=Row("Goals rated at least twice", [], cell("goals", "people")),
        total_label="In the period",
    )


def _checkin_figure(numbers: Numbers, months: list[datetime.date]) -> Figure:
    def average(month: datetime.date | None, key: str) -> Cell:
        row = numbers.get(month) or {}
        value = row.get(key)
        cell = Cell(
            None if value is None else round(float(value), 1),
            people=int(row.get("people") or 0),
        )
        # The team dashboard's rule (sessions.checkin_items.TEAM_MIN_COUNT),
        # for everyone: too few check-ins and one person's answers show.
        if 0 < int(row.get("checkins") or 0) < TEAM_MIN_COUNT:
            cell.hidden = f"fewer than {TEAM_MIN_COUNT} check-ins"
        return cell

    return Figure(
        "checkins",
        "Relationship check-in averages",
        "The average of each item (0\u201310, in the person's own voice) over the "
        "check-ins given after sessions in the month, counting only the items "
        f"answered. A month with fewer than {TEAM_MIN_COUNT} check-ins shows "
        "no average, so no one person's answers can be read from it.",
        [
            Row(
                item.wording,
                [average(m, item.key) for m in months],
                average(None, item.key),
                additive=False,
            )
            for item in CHECKIN_ITEMS
        ]
        + [_row("Check-ins given", numbers, months, "checkins", "people")],
    )


def _reach_out_figure(
    sizes: dict[datetime.date, int | None], months: list[datetime.date]
) -> Figure:
    cells = [
        Cell(sizes[m], people=sizes[m]) if sizes[m] is not None else Cell(None)
        for m in months
    ]
    known = [cell for cell in cells if cell.value is not None]
    latest = Cell(known[-1].value, people=known[-1].people) if known else Cell(None)
    return Figure(
        "reach_out",
        "Reach-out list size",
        "People due a reach-out (the reach-out list's rule: no contact since "
        "the cutoff, a paused record's review date come, or an appointment "
        "they didn't make it to), as counted on the last day recorded in the "
        "month (daily, by record_reach_out_counts), and today for this month. "
        "\u2013: not recorded.",
        [Row("Due a reach-out", cells, latest, additive=False)],
        total_label="Latest",
    )


# Computed figures, kept by this process (settings.CACHES["figures"]).
FIGURES_CACHE = "figures"
# How long a period's figures are kept unasked (a version moved on leaves
# entries nobody can ask for again; this frees them).
KEPT_SECONDS = 3600


def report_figures(
    scope: FigureScope, period: Period, *, today: datetime.date | None = None
) -> Report:
    """Every program figure for `period` within `scope`, with small cells
    hidden when the scope says so (reports.suppression). Seven queries, plus
    one when the period holds today (the reach-out list's live count),
    whatever the service's size; or, when nothing they count has changed
    since this process last counted them, one (figures_version) and none
    of those."""
    today = today or timezone.localdate()
    # Read before counting: figures counted after it hold at least what
    # had committed when it was read, so they are never older than the
    # version they are kept under (a change committed meanwhile moves the
    # version, and the next page counts again).
    key = _cache_key(figures_version(), scope, period, today)
    cache = caches[FIGURES_CACHE]
    report: Report | None = cache.get(key)
    if report is None:
        report = _count(scope, period, today)
        cache.set(key, report, KEPT_SECONDS)
    return report


def figures_version() -> str:
    """What reports.FiguresVersion says now: moved by PostgreSQL, in the
    same transaction, by any change the figures count (migration
    reports.0003_figures_version). Empty before the first change."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version, changed_by, changed_at FROM reports_figuresversion"
        )
        row = cursor.fetchone()
    return "" if row is None else "/".join(map(str, row))


def _cache_key(
    version: str, scope: FigureScope, period: Period, today: datetime.date
) -> str:
    """Everything the figures depend on besides the data: whose work (in a
    fixed order), whether small cells are hidden, the period, the day (the
    reach-out list's rule and this month's live count) and the zone months
    are counted in."""
    staff = "all" if scope.staff is None else ",".join(sorted(map(str, scope.staff)))
    parts = [
        version,
        staff,
        str(scope.suppress),
        period.kind,
        period.start.isoformat(),
        period.end.isoformat(),
        today.isoformat(),
        settings.TIME_ZONE,
    ]
    return "figures:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def _count(scope: FigureScope, period: Period, today: datetime.date) -> Report:
    months = period.months
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        figures = _figures(scope, period, months, today)
    if scope.suppress:
        for figure in figures:
            _suppress(figure)
    return Report(period, months, figures, scope.suppress)


def _figures(
    scope: FigureScope,
    period: Period,
    months: list[datetime.date],
    today: datetime.date,
) -> list[Figure]:
    numbers = session_numbers(scope, period)
    return [
        _people_figure(numbers, months),
        *_session_figures(numbers, months),
        _attempt_figure(attempt_numbers(scope, period), months),
        _goal_figure(goal_numbers(scope, period), months),
        _rating_figure(rating_change_numbers(scope, period)),
        _checkin_figure(checkin_numbers(scope, period), months),
        _reach_out_figure(reach_out_numbers(scope, period, today), months),
    ]


def _suppress(figure: Figure) -> None:
    """Hide the figure's small cells, then every total that would give one
    away (reports.suppression). The returning row is the served row less the
    new one, so each month's (new, returning) adds up to people served."""
    rows = [*figure.rows, *([figure.footer] if figure.footer else [])]
    for row in rows:
        hide_small([*row.cells, row.total])
    lines = _lines(
        [row for row in figure.rows if row.additive and row.cells]
        if figure.footer is not None and figure.rows[0].cells
        else [row for row in figure.rows if row.additive],
        figure.footer if figure.footer is not None and figure.footer.cells else None,
    )
    if figure.footer is not None and not figure.footer.cells:
        # Period-only figures (ratings): the categories add up to the total.
        lines.append(
            ([row.total for row in figure.rows if row.additive], figure.footer.total)
        )
    if figure.key == "people":
        served, new, returning = figure.rows
        for index in range(len(served.cells) + 1):
            column = [*served.cells, served.total][index]
            lines.append(
                (
                    [
                        [*new.cells, new.total][index],
                        [*returning.cells, returning.total][index],
                    ],
                    column,
                )
            )
    protect(lines)
