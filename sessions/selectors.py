"""Reads of session notes: the client timeline and the note search."""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Count, F, Func, QuerySet, TextField

from clients.models import Client
from sessions.models import TherapySession
from staff.models import User

# Marks around matched words in a search headline. Private-use characters: they
# cannot occur in typed text, so the template can escape everything first and
# then turn only these into <mark> (see sessions_tags.highlight).
MATCH_START, MATCH_END = "\ue000", "\ue001"


def session_timeline(*, client: Client) -> QuerySet[TherapySession]:
    """A client's sessions, newest first, with author and addenda count: one query
    per page whatever the number of sessions. `client` is already scoped."""
    return (
        TherapySession.objects.filter(client=client)
        .select_related("clinician")
        .annotate(addenda_count=Count("addenda"))
        .order_by("-started_at")
    )


def note_search(*, user: User, terms: str) -> QuerySet[TherapySession]:
    """Notes `user` may see (TherapySession.objects.visible_to) whose text matches
    `terms` (PostgreSQL full-text search, web-search syntax), best match first,
    with a short `headline` around the matched words."""
    query = SearchQuery(terms, search_type="websearch", config="english")
    return (
        TherapySession.objects.visible_to(user)
        .filter(search_vector=query)
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
