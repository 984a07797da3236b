"""Reads of session notes: the client timeline and the note search."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import JSONObject, TruncMonth
from django.utils import timezone

from clients.access import (
    STAND_IN_CLIENT,
    STAND_IN_ID,
    STAND_IN_RECORD,
    client_rows,
    rule_shape,
    stand_in,
    team,
)
from clients.models import Client, ClientStatus
from hr_clinic.lib import sql
from hr_clinic.lib.urls import record_url
from sessions.checkin_items import ITEMS as CHECKIN_ITEMS
from sessions.checkin_items import KEYS as CHECKIN_KEYS
from sessions.checkin_items import LOW_AT_OR_BELOW, CheckInItem
from sessions.models import (
    OPEN_DRAFT,
    PENDING,
    Addendum,
    CounselingNote,
    FollowUp,
    FollowUpOutcome,
    RelationshipCheckIn,
    ReviewStatus,
    SessionStatus,
    TherapySession,
)
from staff.models import User, person_name

# Marks around matched words in a search headline. Private-use characters: they
# cannot occur in typed text, so the template can escape everything first and
# then put only the text between them in <mark> (see sessions_tags.headline_parts).
MATCH_START, MATCH_END = "\ue000", "\ue001"


# What a timeline row shows: not the note text or its search vector.
TIMELINE_FIELDS = (
    "id",
    "client_id",
    "clinician_id",
    "started_at",
    "duration_minutes",
    "modality",
    "status",
)


def session_timeline(*, client: Client) -> QuerySet[TherapySession]:
    """A client's sessions, newest first, with the addenda count: one query per
    page whatever the number of sessions. `client` is already scoped. The
    authors are for the caller to attach (staff.selectors.people_attach): most
    often the person reading.

    The count is a subquery per row shown, not a join and GROUP BY over all of
    the client's sessions (which sorted every wide note row: 6 ms for a client
    with 90 sessions, against 0.2 ms), written as SQL (hr_clinic.lib.sql.count:
    0.4 ms less per page than the ORM's Subquery, measured in issue #17)."""
    return (
        TherapySession.objects.filter(client=client)
        .only(*TIMELINE_FIELDS)
        .annotate(addenda_count=sql.count(Addendum, "session", TherapySession))
        .order_by("-started_at")
    )


_RECENT = sql.CompiledOnce()


def recent_sessions(*, client: Client, n: int) -> list[TherapySession]:
    """The first `n` of `session_timeline` (the record page's newest notes),
    compiled once."""
    return _RECENT.objects(
        ("recent", n),
        lambda: session_timeline(client=Client(pk=STAND_IN_CLIENT))[:n],
        {STAND_IN_CLIENT: client.pk},
    )


@dataclass(frozen=True, slots=True)
class NoteSearchHit:
    """One note found by a search, with what its result line shows."""

    pk: uuid.UUID
    started_at: datetime.datetime
    status: str
    client_name: str
    # Whose note: the search's audit event names the clients a page held.
    client_id: uuid.UUID
    clinician_name: str
    # Note text around the matched words, which are between MATCH_START and
    # MATCH_END (see sessions_tags.headline_parts).
    headline: str

    def get_absolute_url(self) -> str:
        return record_url("sessions:detail", self.pk)

    @property
    def status_label(self) -> str:
        return str(SessionStatus(self.status).label)


# Scoping for the note search. `visible` is Client.objects.visible_to(user),
# compiled by the ORM; the clinicians of those clients are the scope key of
# session_search_scope_idx and of the walks' btrees (each note's copy of its
# client's clinician, kept by PostgreSQL), so a search reads the caseload's or
# team's notes only. Visibility itself is then checked on the client row: its
# clinician is one of those clinicians, so the client is visible. A stale copy
# could hide a note, never show one. The count of clients sizes the scope for
# the choice of plan (_PLAN_SQL).
_SCOPE_SQL = """
WITH scope AS (
    SELECT coalesce(array_agg(DISTINCT visible.clinician_id), '{}') AS clinicians,
           count(*) AS clients
      FROM ({visible}) visible
),
"""
# Table names come from the models' _meta.
_NOTES, _CLIENTS = TherapySession._meta.db_table, Client._meta.db_table
_STAFF = User._meta.db_table
# How many matches a search ranks and shows at most: the newest ones. Past it
# the page says "more than" and asks for a client or dates (issue #25): ranking
# and counting every match cost a supervisor of 40 clinicians half a second for
# a word in nearly every note, where the newest 1,000 are what anyone reads.
SEARCH_CAP = 1_000
# Which way the newest SEARCH_CAP + 1 matches are found (issue #25; measured in
# docs/performance.md):
# - "index": session_search_scope_idx gives every match within the scope, and
#   all of them are read and sorted by date. Its cost grows with the matches:
#   right for a rare word, wrong for a common one (a team's 11,000 "overdose"
#   notes are 8,600 heap pages to read before the newest are known).
# - "walk": each scope clinician's notes newest first (session_scope_newest_idx,
#   one index scan a clinician, merged by date: a Merge Append), each checked
#   for the words, stopping at SEARCH_CAP + 1 matches: about (SEARCH_CAP + 1) / f
#   notes read for words in a share f of the notes, whatever the scope's size,
#   and never another caseload's.
# The index reads about scope * f notes, the walk (SEARCH_CAP + 1) / f (or the
# whole scope): the walk is chosen where f >= sqrt((SEARCH_CAP + 1) / scope).
# f is PostgreSQL's own statistics of the column, as the planner estimates `@@`
# (most_common_elem_freqs): the share of notes holding the query's rarest
# indexable word; a word not among them is rarer than every one that is. The
# scope's notes: its clients times the notes per client (pg_class.reltuples,
# kept by ANALYZE). A first parameter other than NULL forces the plan ("walk" or
# "index", SEARCH_PLANS: tests and measurements). The plan is chosen by a query
# of its own (_CHOICE_SQL) before the search's, so that PostgreSQL plans only
# the chosen one: planning both in one statement, a walk of 41 clinicians
# among them, cost more than a rare word's whole search.
_PLAN_SQL = f"""
plan AS (
    SELECT coalesce(%s, CASE
             WHEN coalesce(words.share, 0) >= sqrt(%s
                      / greatest(scope.clients * sizes.notes_per_client, 1))
             THEN 'walk' ELSE 'index' END) AS way
      FROM scope,
           (SELECT greatest(notes.reltuples, 0) / greatest(clients.reltuples, 1)
                   AS notes_per_client
              FROM pg_class notes, pg_class clients
             WHERE notes.oid = '{_NOTES}'::regclass
               AND clients.oid = '{_CLIENTS}'::regclass) sizes,
           (SELECT min(coalesce(common.shares[array_position(
                     common.lexemes, replace(word.lexeme[1], '''''', ''''))], 0))
                   AS share
              FROM regexp_matches(
                     querytree(websearch_to_tsquery('english'::regconfig, %s))::text,
                     '''((?:[^'']|'''')+)''', 'g') AS word (lexeme)
              LEFT JOIN (
                SELECT stats.most_common_elems::text::text[] AS lexemes,
                       stats.most_common_elem_freqs AS shares
                  FROM pg_stats stats
                 WHERE stats.schemaname = current_schema()
                   AND stats.tablename = '{_NOTES}'
                   AND stats.attname = 'search_vector'
              ) common ON true
           ) words
)
"""  # nosec B608 - table names from the models; the values are parameters
# The plan, and the scope's clinicians (the walk's index scans, one each).
_CHOICE_SQL = _PLAN_SQL + "SELECT plan.way, scope.clinicians FROM plan, scope"  # nosec B608 - constants
# The search's words, parsed once for the ranks.
_WORDS_SQL = """
words AS MATERIALIZED (
    SELECT websearch_to_tsquery('english'::regconfig, %s) AS query
),
"""
# The walk's index scan for one clinician of the scope: their notes newest
# first, each one's words checked on the row the index leads to, by
# ts_match_vq, the function behind `@@`, which the GIN index cannot serve (the
# planner cannot turn a walk into the index's plan). {dates}: the narrowing's
# dates, for the btree to bound. Its own LIMIT (no clinician gives more than
# the walk keeps) makes it an index scan in date order for one clinician too,
# where PostgreSQL otherwise read all 50,000 notes of a 2,000-client caseload
# and sorted them (95 ms against 7.6, measured).
_WALK_SCAN_SQL = f"""(
    SELECT walk.id, walk.started_at, walk.client_id, walk.search_vector
      FROM {_NOTES} walk
     WHERE walk.client_clinician_id = %s
       AND walk.status <> 'discarded'
       AND ts_match_vq(walk.search_vector,
                       websearch_to_tsquery('english'::regconfig, %s))
{{dates}}
     ORDER BY walk.started_at DESC, walk.id DESC
     LIMIT %s
)"""  # nosec B608 - table names from the models; the values are parameters
# The walk: the clinicians' scans merged by date ({scans}, UNION ALL), the
# newest SEARCH_CAP + 1 of them ranked. Its notes are then checked on their
# client's row, as the index's plan does: the clinicians were read a moment
# before this statement, and only a stale copy (a client moved in between)
# could fail the check, which hides a note, never shows one.
_WALK_SQL = f"""
newest AS (
    SELECT walked.id, walked.started_at,
           ts_rank(walked.search_vector, (SELECT query FROM words)) AS rank
      FROM (
        SELECT merged.id, merged.started_at, merged.client_id, merged.search_vector
          FROM ({{scans}}) merged
         ORDER BY merged.started_at DESC, merged.id DESC
         LIMIT %s
      ) walked
      JOIN {_CLIENTS} client ON client.id = walked.client_id
     WHERE client.clinician_id = ANY ((SELECT clinicians FROM scope)::bigint[])
)
"""  # nosec B608 - table names from the models; the values are parameters
# The index's plan: session_search_scope_idx intersects the words' matches with
# the scope's notes, then the newest are sorted out and ranked.
_INDEX_SQL = f"""
newest AS (
    SELECT found.id, found.started_at,
           ts_rank(found.search_vector, (SELECT query FROM words)) AS rank
      FROM (
        SELECT note.id, note.started_at, note.search_vector
          FROM {_NOTES} note
          JOIN {_CLIENTS} client ON client.id = note.client_id
         WHERE note.search_vector @@ websearch_to_tsquery('english'::regconfig, %s)
           AND note.status <> 'discarded'
           AND ARRAY[note.client_clinician_id] && (SELECT clinicians FROM scope)
           AND client.clinician_id = ANY ((SELECT clinicians FROM scope)::bigint[])
{{narrow}}
         ORDER BY note.started_at DESC, note.id DESC
         LIMIT %s
      ) found
)
"""  # nosec B608 - table names from the models; the values are parameters
# The plans note_search may be told to use (`plan`); None lets it choose.
SEARCH_PLANS = ("walk", "index")
# A page of the newest SEARCH_CAP + 1 matches, ranked, and how many of them
# there are (so "more than SEARCH_CAP" is known), in one query. Only the page's
# notes are joined to their client and author and get a headline (about 60 µs
# a note), from the same texts as search_vector: the sections, other supplies,
# referrals and addenda. Ties in rank and start time are settled by id, so that
# no note shows on two pages.
_PAGE_SQL = f"""
SELECT hit.id, hit.started_at, hit.status, client.chosen_name, client.id,
       author.id, author.display_name, author.first_name, author.last_name,
       author.username,
       ts_headline('english'::regconfig,
                   concat_ws(' … ',
                             (SELECT string_agg(value, ' … ')
                                FROM jsonb_each_text(hit.sections)),
                             nullif(hit.other_supplies, ''),
                             nullif(hit.referrals, ''),
                             nullif(hit.addenda_text, '')),
                   websearch_to_tsquery('english'::regconfig, %s), %s),
       ranked.total
  FROM (
    SELECT newest.id, newest.started_at, newest.rank, count(*) OVER () AS total
      FROM newest
     ORDER BY newest.rank DESC, newest.started_at DESC, newest.id DESC
     LIMIT %s OFFSET %s
  ) ranked
  JOIN {_NOTES} hit ON hit.id = ranked.id
  JOIN {_CLIENTS} client ON client.id = hit.client_id
  JOIN {_STAFF} author ON author.id = hit.clinician_id
 ORDER BY ranked.rank DESC, ranked.started_at DESC, ranked.id DESC
"""  # nosec B608 - table names from the models; the values are parameters
# The count alone, capped like the page's: for a page number past the last page.
_COUNT_SQL = "SELECT count(*) FROM newest"
# ts_headline's options, as SearchHeadline would write them.
_HEADLINE_OPTIONS = (
    f"StartSel='{MATCH_START}', StopSel='{MATCH_END}', MaxWords=30, MinWords=10"
)


@dataclass(frozen=True, slots=True)
class NoteSearchNarrowing:
    """What a note search is narrowed to, besides its words: part of a
    client's name, and the notes' start dates (both ends included, local
    days). Empty: every note the user may see."""

    client_name: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None

    def sql(self) -> tuple[str, list[Any]]:
        """Conditions on `note` and its `client` for the matches' WHERE, and
        their parameters."""
        conditions: list[str] = []
        params: list[Any] = []
        if self.client_name:
            # A substring, case-insensitive, not a LIKE pattern: % and _ typed
            # in a name stay characters.
            conditions.append("strpos(lower(client.chosen_name), lower(%s)) > 0")
            params.append(self.client_name)
        dates, dates_params = self.dates_sql("note")
        return "".join(f"       AND {c}\n" for c in conditions) + dates, [
            *params,
            *dates_params,
        ]

    def dates_sql(self, notes: str) -> tuple[str, list[Any]]:
        """The conditions on the dates alone, on the notes named `notes`."""
        conditions: list[str] = []
        params: list[Any] = []
        if self.since is not None:
            conditions.append(f"{notes}.started_at >= %s")
            params.append(_local_midnight(self.since))
        if self.until is not None:
            conditions.append(f"{notes}.started_at < %s")
            params.append(_local_midnight(self.until + datetime.timedelta(days=1)))
        return "".join(f"       AND {c}\n" for c in conditions), params


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class NoteSearchResults:
    """The newest SEARCH_CAP matches of a note search, best first, then newest,
    in the form Paginator takes: `count()` and slices. `fetch(start, stop)`
    reads a slice and the count in one query; the count, or a slice within the
    fetched one, then costs nothing more. `more_than_cap` tells whether more
    notes match than are shown (only notes the user may see are counted).

    The queries are written by hand: built through the ORM, the two this
    replaces cost more to compile (4-6 ms a page) than to run."""

    def __init__(
        self,
        *,
        visible: tuple[str, tuple[Any, ...]] | None,
        terms: str,
        narrowing: NoteSearchNarrowing | None = None,
        plan: str | None = None,
    ):
        # `visible`: the visible clients' query and parameters; None when the
        # user may see no client at all. `plan`: one of SEARCH_PLANS, or None
        # to let the statistics choose (_PLAN_SQL).
        assert plan is None or plan in SEARCH_PLANS, plan
        narrowing = narrowing or NoteSearchNarrowing()
        if narrowing.client_name:
            # A client's name is checked on each note's client: walking a
            # team's notes for it would read them all. The index reads only
            # the matches, as before the walks.
            plan = "index"
        self._visible = visible
        self._terms = terms
        self._plan = plan
        self._narrowing = narrowing
        # The search's own query, once the plan is chosen (_newest()).
        self._newest_sql: tuple[str, list[Any]] | None = None
        # Matches among the newest SEARCH_CAP + 1: SEARCH_CAP + 1 means more.
        self._found: int | None = None if visible else 0
        self._fetched = (0, 0)
        self._hits: list[NoteSearchHit] = []

    def _newest(
        self, cursor: Any, scope: str, scope_params: list[Any]
    ) -> tuple[str, list[Any]]:
        """The chosen plan's WITH-list after the scope (_WORDS_SQL and the
        newest matches) and its parameters; the plan is chosen on first use by
        a query of its own (_CHOICE_SQL), and kept for the later ones."""
        if self._newest_sql is None:
            limit = SEARCH_CAP + 1
            cursor.execute(
                scope + _CHOICE_SQL,
                [*scope_params, self._plan, float(limit), self._terms],
            )
            way, clinicians = cursor.fetchone()
            if way == "walk" and clinicians:
                dates_sql, dates_params = self._narrowing.dates_sql("walk")
                scan = _WALK_SCAN_SQL.replace("{dates}", dates_sql)
                scans = "\n UNION ALL ".join([scan] * len(clinicians))
                self._newest_sql = (
                    _WORDS_SQL + _WALK_SQL.replace("{scans}", scans),
                    [
                        self._terms,
                        *(
                            p
                            for pk in clinicians
                            for p in (pk, self._terms, *dates_params, limit)
                        ),
                        limit,
                    ],
                )
            else:
                narrow_sql, narrow_params = self._narrowing.sql()
                self._newest_sql = (
                    _WORDS_SQL + _INDEX_SQL.replace("{narrow}", narrow_sql),
                    [self._terms, self._terms, *narrow_params, limit],
                )
        return self._newest_sql

    def _execute(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        assert self._visible is not None
        visible_sql, visible_params = self._visible
        # The ORM's SQL for the visible clients, with its parameters.
        scope = _SCOPE_SQL.replace("{visible}", visible_sql)
        with connection.cursor() as cursor:
            newest, newest_params = self._newest(cursor, scope, [*visible_params])
            cursor.execute(
                scope + newest + sql,
                [*visible_params, *newest_params, *params],
            )
            return cursor.fetchall()

    def fetch(self, start: int, stop: int) -> None:
        """Read the matches from `start` to `stop` in rank order (fewer at the
        end, none past SEARCH_CAP), and how many there are."""
        hits: list[NoteSearchHit] = []
        stop = min(stop, SEARCH_CAP)
        if self._visible is not None and stop > start:
            params = [self._terms, _HEADLINE_OPTIONS, stop - start, start]
            rows = self._execute(_PAGE_SQL, params)
            for pk, started, status, client, client_id, _, *author, headline, _ in rows:
                hits.append(
                    NoteSearchHit(
                        pk=pk,
                        started_at=started,
                        status=status,
                        client_name=client,
                        client_id=client_id,
                        clinician_name=person_name(*author),
                        headline=headline,
                    )
                )
            if rows:
                self._found = rows[0][-1]
            elif start == 0:
                self._found = 0
        self._fetched, self._hits = (start, stop), hits

    def _found_count(self) -> int:
        if self._found is None:
            self._found = self._execute(_COUNT_SQL, [])[0][0]
        return self._found

    @property
    def more_than_cap(self) -> bool:
        """More than SEARCH_CAP notes the user may see match."""
        return self._found_count() > SEARCH_CAP

    def count(self) -> int:
        """How many matches are shown: at most SEARCH_CAP."""
        return min(self._found_count(), SEARCH_CAP)

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[NoteSearchHit]:
        """Every match shown, a slice at a time (Paginator only slices)."""
        start = 0
        while found := self[start : start + 100]:
            yield from found
            start += len(found)

    @overload
    def __getitem__(self, index: int) -> NoteSearchHit: ...

    @overload
    def __getitem__(self, index: slice) -> list[NoteSearchHit]: ...

    def __getitem__(self, index: int | slice) -> NoteSearchHit | list[NoteSearchHit]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start = index.start or 0
        stop = self.count() if index.stop is None else min(index.stop, SEARCH_CAP)
        if not (self._fetched[0] <= start and stop <= self._fetched[1]):
            self.fetch(start, stop)
        offset = self._fetched[0]
        return self._hits[start - offset : stop - offset]


def note_search(
    *,
    user: User,
    terms: str,
    narrowing: NoteSearchNarrowing | None = None,
    plan: str | None = None,
) -> NoteSearchResults:
    """Notes `user` may see (TherapySession.objects.visible_to: through the
    client) whose text matches `terms` (PostgreSQL full-text search, web-search
    syntax; the text is the sections, the check-in's other supplies, the
    referrals and the addenda, see TherapySession.search_vector), within
    `narrowing` (a client's name, dates). Of those, the newest SEARCH_CAP are
    ranked and shown, best match first, then newest, each with a short
    headline around the matched words; `more_than_cap` says when more match.
    Discarded drafts are never found. Nothing is read until a slice or the
    count is asked for. The plan (SEARCH_PLANS) is chosen for the words and the
    scope (_PLAN_SQL) unless `plan` names one; both find the same notes."""
    # Whole caseloads only: a client opened by an emergency-access grant would
    # bring in every client of their clinician here. Such a record is opened,
    # and its notes read, from its own pages.
    visible = (
        Client.objects.visible_to(user, emergency=False)
        .order_by()
        .values("clinician_id")
    )
    try:
        sql, params = visible.query.sql_with_params()
    except EmptyResultSet:  # nobody's clients: an admin
        return NoteSearchResults(
            visible=None, terms=terms, narrowing=narrowing, plan=plan
        )
    return NoteSearchResults(
        visible=(sql, tuple(params)), terms=terms, narrowing=narrowing, plan=plan
    )


def review_queue(*, supervisor: User) -> QuerySet[TherapySession]:
    """Signed notes by `supervisor`'s supervisees that wait for co-signature,
    oldest first, wherever their clients have moved since (a note waits on its
    author's supervisor). Anyone else's notes never appear."""
    from clients.selectors import team_items

    # The same rows as the team dashboard's "waiting" figures, which count them.
    return (
        team_items(supervisor=supervisor, kind="waiting")
        .select_related("client", "clinician")
        .order_by("signed_at", "pk")
    )


MY_NOTE_FILTERS = {
    "returned": "Returned with comments",
    "drafts": "Drafts",
    "waiting": "Waiting for co-signature",
}
# Which of one's own notes each MY_NOTE_FILTERS key lists. The list (my_notes)
# and its count (waiting_counts) both filter _mine() by these: a count is its
# list's length by construction, whatever has moved.
_MY_NOTE_CONDITIONS = {
    "returned": Q(review_status=ReviewStatus.RETURNED),
    "drafts": OPEN_DRAFT,
    "waiting": Q(review_status=ReviewStatus.WAITING),
}


def _mine(user: User) -> QuerySet[TherapySession]:
    """`user`'s own notes that they may see (all of their pending ones, through
    TherapySession.objects.visible_to, even for clients who moved on)."""
    return TherapySession.objects.visible_to(user).filter(clinician=user)


def my_notes(*, user: User, show: str) -> QuerySet[TherapySession]:
    """`user`'s own notes that wait on someone: returned, drafts, or waiting (a
    MY_NOTE_FILTERS key; anything else means returned)."""
    condition = _MY_NOTE_CONDITIONS.get(show, _MY_NOTE_CONDITIONS["returned"])
    return (
        _mine(user)
        .filter(condition)
        .select_related("client")
        .order_by("started_at", "pk")
    )


def _waiting_counts_query(user: User) -> QuerySet[Any]:
    return sql.aggregated(
        _mine(user).filter(PENDING),
        **{
            key: Count("pk", filter=condition)
            for key, condition in _MY_NOTE_CONDITIONS.items()
        },
    )


_waiting_counts = sql.CompiledOnce()


def waiting_counts(*, user: User) -> dict[str, int]:
    """How many of `user`'s notes wait on someone, by MY_NOTE_FILTERS key: the
    number of rows my_notes lists for each, in one query (read from
    session_waiting_idx: the WHERE is the three conditions' union).

    Compiled once per process for each shape of the visibility rule
    (clients.access.rule_shape): building it took 5,500 Python calls of the
    caseload's 26,500, for a query that runs in under a millisecond."""
    shape = rule_shape(user)
    rows = _waiting_counts.rows(
        ("waiting_counts", *shape),
        lambda: _waiting_counts_query(stand_in(shape)),
        {STAND_IN_ID: user.pk},
    )
    counts = rows[0] if rows else (0,) * len(_MY_NOTE_CONDITIONS)
    return dict(zip(_MY_NOTE_CONDITIONS, counts, strict=True))


def counseling_note_list(
    *, user: User, session_id: uuid.UUID | None = None
) -> QuerySet[CounselingNote]:
    """The counseling notes `user` may read (CounselingNote.objects.visible_to:
    their own, and their supervisees' in supervised training), newest first,
    with their client and author; only those tied to `session_id` when given.
    The text is left out: the list shows whose and when, never what."""
    notes = CounselingNote.objects.visible_to(user)
    if session_id is not None:
        notes = notes.filter(session_id=session_id)
    return notes.select_related("client", "author").defer("text")


def open_follow_ups(
    *,
    user: User,
    clients: Iterable[Client | uuid.UUID] | None = None,
    today: datetime.date | None = None,
) -> QuerySet[FollowUp]:
    """Follow-ups still open on `user`'s own caseload (a supervisor's own
    clients, not their team's), for Today: agreed in a signed note or an open
    draft (never a discarded or handed-over one), of clients who are not
    closed; only `clients` (clients or ids) when given. Oldest date first,
    then those without a date, oldest agreed first. Each comes with its
    `client` (select_related), `agreed_at` (its note's start) and `is_due`
    (its date is `today` or earlier; `today` defaults to
    timezone.localdate()). One query; nothing for an admin
    (FollowUp.objects.on_caseload_of)."""
    today = today or timezone.localdate()
    rows = (
        FollowUp.objects.on_caseload_of(user)
        .live()
        .filter(outcome=FollowUpOutcome.OPEN)
        .exclude(client__status=ClientStatus.CLOSED)
    )
    if clients is not None:
        rows = rows.filter(
            client__in=[c.pk if isinstance(c, Client) else c for c in clients]
        )
    return (
        rows.select_related("client")
        .annotate(
            agreed_at=F("session__started_at"),
            is_due=ExpressionWrapper(
                Q(due_on__isnull=False, due_on__lte=today),
                output_field=BooleanField(),
            ),
        )
        .order_by(F("due_on").asc(nulls_last=True), "created_at", "pk")
    )


def session_checkins(session: TherapySession) -> list[RelationshipCheckIn]:
    """The check-ins about `session`, oldest first, with who entered them (one
    query), for its draft's form: the note they are about is already open to
    the reader."""
    return list(session.checkins.select_related("entered_by").order_by("created_at"))


def checkin_list(*, user: User, client: Client) -> QuerySet[RelationshipCheckIn]:
    """`client`'s relationship check-ins, oldest first, scoped to what `user`
    may see (RelationshipCheckIn.objects.visible_to), with who entered each.
    Those of a discarded or handed-over note count nowhere, as the note does
    not."""
    return (
        RelationshipCheckIn.objects.visible_to(user)
        .filter(client=client)
        .exclude(session__status=SessionStatus.DISCARDED)
        .exclude(session__handed_over_at__isnull=False)
        .select_related("entered_by")
        .order_by("created_at", "pk")
    )


def latest_checkin_answers(client: str = "pk") -> Subquery:
    """The answers of the latest check-in that counts of the client named by
    `client` (an OuterRef path), as an annotation: a dict of item key to
    answer, or None without a check-in. For a page that already reads the
    client (the record), so the prompt costs no query of its own."""
    latest = (
        RelationshipCheckIn.objects.filter(client=OuterRef(client))
        .exclude(session__status=SessionStatus.DISCARDED)
        .exclude(session__handed_over_at__isnull=False)
        .order_by("-created_at", "-pk")
        .values(answers=JSONObject(**{item.key: item.key for item in CHECKIN_ITEMS}))
    )
    return Subquery(latest[:1], output_field=JSONField())


def low_items(answers: dict[str, int | None] | None) -> list[CheckInItem]:
    """The items of one check-in's `answers` at or below LOW_AT_OR_BELOW."""
    return [
        item
        for item in CHECKIN_ITEMS
        if (answer := (answers or {}).get(item.key)) is not None
        and answer <= LOW_AT_OR_BELOW
    ]


_LATEST_CHECKIN = sql.CompiledOnce()


def checkin_low_items(
    *, user: User, client: Client, before: TherapySession | None = None
) -> list[CheckInItem]:
    """The items of `client`'s latest check-in (other than `before`'s own, on
    that note's form) answered at or below LOW_AT_OR_BELOW: a gentle prompt
    to ask about them next time, nothing more. One query, compiled once; []
    when there is no check-in or nothing was low."""

    def build(account: User, client_id: uuid.UUID) -> QuerySet[Any]:
        latest = checkin_list(user=account, client=Client(pk=client_id)).order_by(
            "-created_at", "-pk"
        )
        if before is not None:
            latest = latest.exclude(session_id=STAND_IN_RECORD)
        return latest.values_list(*CHECKIN_KEYS)[:1]

    name = "latest check-in" if before is None else "latest check-in before"
    values = {} if before is None else {STAND_IN_RECORD: before.pk}
    found = client_rows(_LATEST_CHECKIN, name, user, client.pk, build, values)
    if not found:
        return []
    return low_items(dict(zip(CHECKIN_KEYS, found[0], strict=True)))


@dataclass(frozen=True)
class CheckInMonth:
    """One month of a supervisee's check-ins, averaged: no client, no words."""

    month: datetime.date
    count: int
    averages: list[float | None]  # in CHECKIN_ITEMS order


@dataclass(frozen=True)
class TeamCheckInTrend:
    person: Any  # a User, or the dashboard's row for one
    months: list[CheckInMonth]


TEAM_TREND_MONTHS = 12


def _trend_rows(supervisor: User, since: datetime.date) -> QuerySet[Any]:
    """Each active supervisee's check-ins since `since`, per month: the
    author, the month, how many, and each item's average."""
    return (
        RelationshipCheckIn.objects.filter(
            session__clinician__in=team(supervisor, inactive=False).values("pk"),
            created_at__date__gte=since,
        )
        .exclude(session__status=SessionStatus.DISCARDED)
        .exclude(session__handed_over_at__isnull=False)
        .annotate(month=TruncMonth("created_at"))
        .values("session__clinician", "month")
        .annotate(
            count=Count("pk"), **{item.key: Avg(item.key) for item in CHECKIN_ITEMS}
        )
        .order_by("session__clinician", "month")
        .values_list(
            "session__clinician",
            "month",
            "count",
            *(item.key for item in CHECKIN_ITEMS),
        )
    )


# Compiled once (hr_clinic.lib.sql.CompiledOnce): building it took 4,000
# Python calls, a quarter of the team dashboard's.
_trend_query = sql.CompiledOnce()
_STAND_IN_SINCE = datetime.date(sql.STAND_IN_YEAR, 1, 1)


def team_checkin_trends(
    supervisor: User, people: Sequence[Any] | None = None
) -> list[TeamCheckInTrend]:
    """Each active supervisee's relationship check-ins over the last
    TEAM_TREND_MONTHS months, averaged per month per item (by the session's
    author), to support supervision: anonymised (no client, no free text,
    nothing per person seen) and in the team dashboard's name order, never ranked by
    score. Two queries whatever the team's size, one when the dashboard
    passes the `people` it already holds (its rows: each with `pk`, `name`
    and `is_active`, in its order). Nothing for a non-supervisor."""
    if not supervisor.is_supervisor:
        return []
    rows: Iterable[Any] = (
        team(supervisor, inactive=False).order_by("display_name", "username")
        if people is None
        else people
    )
    people = [p for p in rows if p.is_active]
    if not people:
        return []
    this_month = timezone.localdate().replace(day=1)
    # The team is the supervisor's id alone (clients.access.in_team): one
    # form of the query for everyone.
    rows = _trend_query.rows(
        "team_checkin_trends",
        lambda: _trend_rows(User(pk=STAND_IN_ID), _STAND_IN_SINCE),
        {
            STAND_IN_ID: supervisor.pk,
            _STAND_IN_SINCE: this_month.replace(year=this_month.year - 1),
        },
    )
    months: dict[int, list[CheckInMonth]] = {p.pk: [] for p in people}
    for clinician, month, count, *averages in rows:
        if clinician not in months:
            continue  # deactivated since the dashboard read its rows
        months[clinician].append(
            CheckInMonth(
                # The local month's start, as the database truncated it
                # (TruncMonth: a timestamp in the current time zone).
                month=month.date() if isinstance(month, datetime.datetime) else month,
                count=count,
                averages=[
                    None if average is None else round(float(average), 1)
                    for average in averages
                ],
            )
        )
    return [TeamCheckInTrend(person=p, months=months[p.pk]) for p in people]
