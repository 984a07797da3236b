"""Reads of session notes: the client timeline and the note search."""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import (
    Count,
    F,
    Func,
    Q,
    QuerySet,
    TextField,
)

from clients.models import Client
from hr_clinic.lib import sql
from sessions.models import Addendum, ReviewStatus, SessionStatus, TherapySession
from staff.models import User

# Marks around matched words in a search headline. Private-use characters: they
# cannot occur in typed text, so the template can escape everything first and
# then turn only these into <mark> (see sessions_tags.highlight).
MATCH_START, MATCH_END = "\ue000", "\ue001"


# What a timeline row shows: not the note text or its search vector.
TIMELINE_FIELDS = (
    "id",
    "client_id",
    "started_at",
    "duration_minutes",
    "modality",
    "status",
    *(f"clinician__{f}" for f in ("display_name", "first_name", "last_name")),
    "clinician__username",
)


def session_timeline(*, client: Client) -> QuerySet[TherapySession]:
    """A client's sessions, newest first, with author and addenda count: one query
    per page whatever the number of sessions. `client` is already scoped.

    The count is a subquery per row shown, not a join and GROUP BY over all of
    the client's sessions (which sorted every wide note row: 6 ms for a client
    with 90 sessions, against 0.2 ms), written as SQL (hr_clinic.lib.sql)."""
    return (
        TherapySession.objects.filter(client=client)
        .select_related("clinician")
        .only(*TIMELINE_FIELDS)
        .annotate(addenda_count=sql.count(Addendum, "session", TherapySession))
        .order_by("-started_at")
    )


# See note_search: up to this many visible clients, their ids are listed.
LIST_CLIENTS_UP_TO = 300


def note_search(*, user: User, terms: str) -> QuerySet[TherapySession]:
    """Notes `user` may see (TherapySession.objects.visible_to) whose text matches
    `terms` (PostgreSQL full-text search, web-search syntax), best match first,
    with a short `headline` around the matched words."""
    query = SearchQuery(terms, search_type="websearch", config="english")
    # A caseload-sized set of visible clients goes in as a list of ids: spelled
    # out, PostgreSQL estimates their sessions correctly and ANDs the client index
    # bitmap with the full-text GIN bitmap before reading a row (a clinician's
    # search: 78 ms -> 3 ms, docs/performance.md). A team-sized set (a supervisor)
    # costs more to probe client by client than reading the GIN matches and
    # keeping the visible ones, so it stays a subquery.
    visible = Client.objects.visible_to(user)
    client_ids = list(visible.values_list("pk", flat=True)[: LIST_CLIENTS_UP_TO + 1])
    notes = TherapySession.objects.visible_to(user)
    if len(client_ids) <= LIST_CLIENTS_UP_TO:
        notes = TherapySession.objects.filter(client_id__in=client_ids)
    return (
        notes.filter(search_vector=query)
        .select_related("client", "clinician")
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=SearchHeadline(
                Func(
                    F("sections"),
                    template="(SELECT string_agg(value, ' … ') "
                    "FROM jsonb_each_text(%(expressions)s))",
                    output_field=TextField(),
                ),
                query,
                config="english",
                start_sel=MATCH_START,
                stop_sel=MATCH_END,
                max_words=30,
                min_words=10,
            ),
        )
        .order_by("-rank", "-started_at")
    )


def review_queue(*, supervisor: User) -> QuerySet[TherapySession]:
    """Signed notes by `supervisor`'s supervisees that wait for co-signature,
    oldest first. Anyone else's notes never appear."""
    return (
        TherapySession.objects.visible_to(supervisor)
        .filter(clinician__supervisor=supervisor, review_status=ReviewStatus.WAITING)
        .select_related("client", "clinician")
        .order_by("signed_at", "pk")
    )


MY_NOTE_FILTERS = {
    "returned": "Returned with comments",
    "drafts": "Drafts",
    "waiting": "Waiting for co-signature",
}


def my_notes(*, user: User, show: str) -> QuerySet[TherapySession]:
    """`user`'s own notes that wait on someone: returned, drafts, or waiting."""
    notes = TherapySession.objects.visible_to(user).filter(clinician=user)
    if show == "drafts":
        notes = notes.drafts()
    else:
        status = ReviewStatus.RETURNED if show == "returned" else ReviewStatus.WAITING
        notes = notes.filter(review_status=status)
    return notes.select_related("client").order_by("started_at", "pk")


def waiting_counts(*, user: User) -> dict[str, int]:
    """How many of `user`'s notes wait on someone, by MY_NOTE_FILTERS key: one
    query."""
    counts = (
        TherapySession.objects.filter(clinician=user)
        .filter(
            Q(status=SessionStatus.DRAFT)
            | Q(review_status__in=[ReviewStatus.RETURNED, ReviewStatus.WAITING])
        )
        .aggregate(
            drafts=Count("pk", filter=Q(status=SessionStatus.DRAFT)),
            returned=Count("pk", filter=Q(review_status=ReviewStatus.RETURNED)),
            waiting=Count("pk", filter=Q(review_status=ReviewStatus.WAITING)),
        )
    )
    return {key: int(value or 0) for key, value in counts.items()}
