"""Writes to goals. Every change keeps its history: wordings, statuses, ratings."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from audit.models import Action
from clients.models import Client
from goals.models import (
    EnteredHow,
    Goal,
    GoalRating,
    GoalRevision,
    GoalStatus,
    GoalStatusChange,
)
from hr_clinic.lib.form_tokens import create_once, same_values
from staff.models import User

# Goal Based Outcomes suggests working on up to three goals at a time. A guide,
# never a limit: a fourth goal is allowed, with a gentle note.
SUGGESTED_ACTIVE_GOALS = 3


@transaction.atomic
def goal_create(
    *,
    client: Client,
    by: User,
    wording: str,
    why_it_matters: str = "",
    area: str = "",
    score: int | None = None,
    comment: str = "",
    form_token: uuid.UUID | None = None,
) -> Goal:
    """Create a goal in the client's words, its first revision, and (if a score is
    given) its first rating. A re-sent form (same token, same content) returns
    the goal it made the first time; the same token with other content raises
    FormAlreadyUsed. Raises ValidationError for blank wording."""
    typed = {
        "wording": wording.strip(),
        "why_it_matters": why_it_matters.strip(),
        "area": area,
    }
    first_rating = None if score is None else (score, comment.strip())

    def create() -> Goal:
        goal = Goal(client=client, created_by=by, form_token=form_token, **typed)
        goal.full_clean()
        goal.save()
        GoalRevision.objects.create(
            goal=goal,
            wording=goal.wording,
            why_it_matters=goal.why_it_matters,
            revised_by=by,
        )
        audit.record(actor=by, action=Action.CREATE, obj=goal)
        if score is not None:
            goal_rate(goal=goal, by=by, score=score, comment=comment)
        return goal

    def same(goal: Goal) -> bool:
        rated = goal.ratings.order_by("created_at").values_list("score", "comment")
        return same_values(goal, typed) and rated.first() == first_rating

    goal, _ = create_once(
        earlier=Goal.objects.filter(client=client, created_by=by),
        token=form_token,
        same=same,
        create=create,
        already_used="This form already added a goal, shown on the client's "
        "page. To add this one as well, check it and press Add the goal again.",
    )
    return goal


@transaction.atomic
def goal_reword(
    *, goal: Goal, by: User, wording: str, why_it_matters: str, area: str
) -> Goal:
    """New wording for a goal; the old wording stays in its revisions. A change of
    area alone adds no revision. Raises ValidationError for a goal that is not
    active (a reached or changed goal keeps the words it had)."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if not goal.is_active:
        raise ValidationError("Only a goal the person is working on can be reworded.")
    wording, why_it_matters = wording.strip(), why_it_matters.strip()
    reworded = (wording, why_it_matters) != (goal.wording, goal.why_it_matters)
    goal.wording, goal.why_it_matters, goal.area = wording, why_it_matters, area
    goal.full_clean()
    goal.save()
    if reworded:
        GoalRevision.objects.create(
            goal=goal, wording=wording, why_it_matters=why_it_matters, revised_by=by
        )
    audit.record(actor=by, action=Action.UPDATE, obj=goal)
    return goal


@transaction.atomic
def goal_rate(
    *,
    goal: Goal,
    by: User,
    score: int,
    rated_on: datetime.date | None = None,
    comment: str = "",
    form_token: uuid.UUID | None = None,
    entered_how: str = EnteredHow.CLINICIAN,
) -> GoalRating:
    """Record the client's 0–10 rating (`entered_how`: typed in by the
    clinician, or by the person on the screen handed to them). A re-sent form
    (same token, same content) returns the rating it made the first time,
    however many copies arrive at once; the same token with other content
    raises FormAlreadyUsed.
    Raises ValidationError outside 0–10 or for a future date (the database
    refuses both too)."""
    rated_on = rated_on or timezone.localdate()
    if not 0 <= score <= 10:
        raise ValidationError("A rating is a whole number from 0 to 10.")
    if rated_on > timezone.localdate():
        raise ValidationError("A rating cannot be dated in the future.")
    if entered_how not in EnteredHow.values:
        raise ValidationError("Say who entered the rating.")
    typed = {
        "score": score,
        "rated_on": rated_on,
        "comment": comment.strip(),
        "entered_how": entered_how,
    }

    def create() -> GoalRating:
        rating = GoalRating.objects.create(
            goal=goal, recorded_by=by, form_token=form_token, **typed
        )
        audit.record(
            actor=by,
            action=Action.CREATE,
            object_type="rating",
            object_id=str(rating.pk),
            client_id=goal.client_id,
            detail={"entered_how": entered_how},
        )
        return rating

    rating, _ = create_once(
        earlier=GoalRating.objects.filter(goal=goal, recorded_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already saved a rating, shown in the list below. "
        "To add this one as well, check it and press Save the rating again.",
    )
    return rating


def _set_status(*, goal: Goal, by: User, to_status: str, note: str) -> Goal:
    GoalStatusChange.objects.create(
        goal=goal,
        from_status=goal.status,
        to_status=to_status,
        note=note,
        changed_by=by,
    )
    goal.status = to_status
    goal.status_changed_on = timezone.localdate()
    goal.save()
    audit.record(actor=by, action=Action.UPDATE, obj=goal)
    return goal


@transaction.atomic
def goal_set_status(*, goal: Goal, by: User, to_status: str, note: str = "") -> Goal:
    """Mark a goal reached, set it aside, or take it up again. Raises
    ValidationError when it is already in that status, or for a changed goal
    (which lives on in its successor)."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if to_status not in (GoalStatus.ACTIVE, GoalStatus.REACHED, GoalStatus.SET_ASIDE):
        raise ValidationError("That is not a change this page can make.")
    if goal.status == GoalStatus.CHANGED:
        raise ValidationError("This goal became a new goal; work on that one.")
    if goal.status == to_status:
        raise ValidationError("The goal already has that status.")
    return _set_status(goal=goal, by=by, to_status=to_status, note=note.strip())


@transaction.atomic
def goal_change(
    *,
    goal: Goal,
    by: User,
    wording: str,
    why_it_matters: str = "",
    area: str = "",
    note: str = "",
) -> Goal:
    """Change a goal into a new one: the new goal starts, the old one is marked
    changed and links to it. Returns the new goal. Raises ValidationError unless
    the old goal is active."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if not goal.is_active:
        raise ValidationError("Only a goal the person is working on can be changed.")
    successor = goal_create(
        client=goal.client,
        by=by,
        wording=wording,
        why_it_matters=why_it_matters,
        area=area or goal.area,
    )
    goal.replaced_by = successor
    _set_status(goal=goal, by=by, to_status=GoalStatus.CHANGED, note=note.strip())
    return successor


def active_goal_count(client: Client) -> int:
    return Goal.objects.filter(client=client).active().count()
