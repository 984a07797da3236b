"""hr_clinic.lib.sql: the hand-written correlated subqueries agree with what the
ORM's own Subquery/Count would give, and refuse the wrong outer model."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db.models import Count, IntegerField, QuerySet

from clients.models import Client
from goals.models import Goal, GoalRating
from hr_clinic.lib import sql
from sessions.models import Addendum, TherapySession
from staff.models import User
from tests.factories import GoalFactory, GoalRatingFactory, TherapySessionFactory


def test_count_matches_the_orm(client_record: Client, clinician: User) -> None:
    plain, one, three = TherapySessionFactory.create_batch(3, client=client_record)
    for note, n in ((one, 1), (three, 3)):
        for i in range(n):
            Addendum.objects.create(
                session=note, author=clinician, reason="r", text=f"{i}"
            )
    annotated = TherapySession.objects.annotate(
        n=sql.count(Addendum, "session", TherapySession),
        orm=Count("addenda"),
    )
    rows = {pk: rest for pk, *rest in annotated.values_list("pk", "n", "orm")}
    assert rows == {plain.pk: [0, 0], one.pk: [1, 1], three.pk: [3, 3]}


def test_nth_latest_follows_the_ordering(client_record: Client) -> None:
    goal, unrated = GoalFactory.create_batch(2, client=client_record)
    day = datetime.date(2026, 3, 1)
    for offset, score in ((0, 2), (5, 6), (2, 9)):  # latest: day+5 (6), then day+2 (9)
        GoalRatingFactory.create(
            goal=goal, score=score, rated_on=day + datetime.timedelta(offset)
        )
    names = ("latest", "previous", "third", "fourth")
    annotated = Goal.objects.annotate(
        **{
            name: sql.nth_latest(
                GoalRating,
                "goal",
                Goal,
                value="score",
                order_by=("rated_on", "created_at"),
                n=n,
                output_field=IntegerField(),
            )
            for n, name in enumerate(names)
        }
    )
    scores = {pk: rest for pk, *rest in annotated.values_list("pk", *names)}
    assert scores == {goal.pk: [6, 9, 2, None], unrated.pk: [None, None, None, None]}


def test_a_subquery_refuses_a_queryset_of_another_model(db: None) -> None:
    """The SQL names the outer row by its table's alias: on another model's
    queryset it would silently correlate with nothing, so it is refused."""
    addenda = sql.count(Addendum, "session", TherapySession)
    latest = sql.nth_latest(
        GoalRating,
        "goal",
        Goal,
        value="score",
        order_by=("rated_on",),
        n=0,
        output_field=IntegerField(),
    )
    with pytest.raises(TypeError, match="cannot annotate a queryset of"):
        Client.objects.annotate(n=addenda)
    with pytest.raises(TypeError, match="cannot annotate a queryset of"):
        TherapySession.objects.annotate(latest=latest)


def test_compiled_once_runs_with_the_real_values(
    clinician: User, outsider: User
) -> None:
    """The SQL compiled for a stand-in id answers for each real id in turn."""
    once = sql.CompiledOnce()

    def build() -> QuerySet[Any]:
        return User.objects.filter(pk=-1).values_list("username")

    for person in (clinician, outsider):
        rows = once.rows("who", build, {-1: person.pk})
        assert rows == [(person.username,)]


def test_compiled_once_refuses_a_stand_in_the_query_lacks(db: None) -> None:
    with pytest.raises(ValueError, match="stand-ins missing"):
        sql.CompiledOnce().rows("x", lambda: User.objects.filter(pk=-1), {-2: 5})


def test_compiled_once_refuses_a_moment_worked_out_from_a_stand_in(
    db: None,
) -> None:
    """A cutoff computed from a stand-in day would be compiled in as it is, and
    run for every real day: refused at the first compile."""
    stand_in = datetime.date(sql.STAND_IN_YEAR, 6, 3)

    def build() -> QuerySet[Any]:
        week_before = stand_in - datetime.timedelta(days=7)
        return User.objects.filter(date_joined__date__range=(week_before, stand_in))

    with pytest.raises(ValueError, match="worked out from stand-ins"):
        sql.CompiledOnce().rows("x", build, {stand_in: datetime.date.today()})


def _as_loaded(obj: Any, related: tuple[str, ...], annotations: tuple[str, ...]) -> Any:
    """Everything a model instance was loaded with: its fields, its
    select_related objects' fields, its annotations."""

    def fields(o: Any) -> dict[str, Any]:
        return {f.attname: getattr(o, f.attname) for f in o._meta.concrete_fields}

    return (
        fields(obj),
        {name: fields(getattr(obj, name)) for name in related},
        {name: getattr(obj, name) for name in annotations},
        obj._state.adding,
        obj._state.db,
    )


def test_compiled_once_objects_are_the_querysets_own(
    client_record: Client, clinician: User, outsider: User
) -> None:
    """objects() makes what iterating the queryset makes: the fields, the
    select_related person, and annotations through their converters (a JSON
    object, a subquery's text), for each real id in turn."""
    from django.db.models import Exists, OuterRef

    from clients.selectors import current_wants_words
    from sessions.selectors import latest_checkin_answers
    from tests.factories import (
        ClientFactory,
        RelationshipCheckInFactory,
        WantsFactory,
    )

    other = ClientFactory.create(clinician=outsider, aliases="Sky")
    note = TherapySessionFactory.create(client=client_record)
    RelationshipCheckInFactory.create(session=note, heard=7, wanted=None)
    WantsFactory.create(client=client_record, words="Somewhere quiet to talk")
    stand_in = uuid.UUID(int=1901)  # not a client id anyone has

    def query(pk: Any) -> QuerySet[Client]:
        return (
            Client.objects.select_related("clinician")
            .annotate(
                has_notes=Exists(TherapySession.objects.filter(client=OuterRef("pk"))),
                wants_words=current_wants_words(),
                last_checkin=latest_checkin_answers(),
            )
            .filter(pk=pk)
        )

    once = sql.CompiledOnce()
    shown = ("has_notes", "wants_words", "last_checkin")
    for record in (client_record, other):
        [compiled] = once.objects(
            "client", lambda: query(stand_in), {stand_in: record.pk}
        )
        [orm] = query(record.pk)
        assert _as_loaded(compiled, ("clinician",), shown) == _as_loaded(
            orm, ("clinician",), shown
        )
    [first] = once.objects(
        "client", lambda: query(stand_in), {stand_in: client_record.pk}
    )
    assert first.clinician == clinician and first.has_notes
    assert first.last_checkin["heard"] == 7
    assert first.wants_words == "Somewhere quiet to talk"


def test_compiled_once_objects_of_an_empty_queryset(
    db: None, django_assert_num_queries: Any
) -> None:
    """A queryset that can match nothing (an admin's clinical records) is no
    rows, without a query."""
    once = sql.CompiledOnce()
    with django_assert_num_queries(0):
        assert once.objects("none", lambda: Client.objects.none(), {}) == []
        assert once.rows("none", lambda: Client.objects.none(), {}) == []
