"""Reads of goals that annotate or are shared between pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL

from clients.access import STAND_IN_CLIENT
from clients.models import Client
from goals.models import Goal, GoalRating, GoalStatus
from hr_clinic.lib import sql

# Which rating of a goal is its latest: the newest day, then the newest entered
# that day. The record, the note form ("last time: 3") and Today all read it so.
LATEST_RATING_FIRST = ("-rated_on", "-created_at")


def _nth_latest_score(n: int) -> RawSQL:
    """The score of a goal's n-th latest rating (0: the latest), or NULL. As SQL
    (hr_clinic.lib.sql): the ORM's Subquery(...)[n:n+1] cost 0.25 ms more each
    on the client page, measured in issue #17."""
    return sql.nth_latest(
        GoalRating,
        "goal",
        Goal,
        value="score",
        order_by=("rated_on", "created_at"),
        n=n,
        output_field=IntegerField(),
    )


_RECORD_GOALS = sql.CompiledOnce()


def goal_list_for_client(*, client: Client) -> list[Goal]:
    """A client's goals with `latest_score` and `previous_score` annotated: one
    query whatever the number of goals or ratings (two index probes per goal),
    compiled once. The caller has already scoped `client` with
    Client.objects.visible_to."""

    def build() -> QuerySet[Goal]:
        return (
            Goal.objects.filter(client_id=STAND_IN_CLIENT)
            .annotate(
                latest_score=_nth_latest_score(0),
                previous_score=_nth_latest_score(1),
            )
            .order_by("set_on", "created_at")
        )

    return _RECORD_GOALS.objects("goals", build, {STAND_IN_CLIENT: client.pk})


def split_by_status(goals: Iterable[Goal]) -> dict[str, list[Goal]]:
    """Active goals first; then reached, set aside and changed ones."""
    groups: dict[str, list[Goal]] = {status: [] for status in GoalStatus.values}
    for goal in goals:
        groups[goal.status].append(goal)
    return groups
