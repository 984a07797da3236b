"""Fictional demo goals with rating histories, for `manage.py seed_demo`."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from goals.models import Goal, GoalArea, GoalRating, GoalRevision, GoalStatus

# (area, the goal in the person's words, why it matters to them)
GOALS: list[tuple[str, str, str]] = [
    (GoalArea.SAFER_USE, "Never use alone", "I want to be around for my dog"),
    (
        GoalArea.SAFER_USE,
        "Test what I buy before I use it",
        "Things are really bad right now",
    ),
    (
        GoalArea.SAFER_USE,
        "Carry naloxone every time I go out",
        "So I can help my friends",
    ),
    (GoalArea.CHANGING_USE, "Cut down to weekends only", "I want my weekdays back"),
    (
        GoalArea.CHANGING_USE,
        "Take a break from drinking for a month",
        "To see how I feel",
    ),
    (GoalArea.HOUSING, "Get on the housing list", "I am tired of the shelter"),
    (GoalArea.HEALTH, "See a doctor about my leg", "It has hurt for months"),
    (
        GoalArea.RELATIONSHIPS,
        "Call my sister once a week",
        "She is the one who gets me",
    ),
    (GoalArea.WORK_OR_STUDY, "Finish the forklift course", ""),
    (
        GoalArea.EMOTIONAL_WELLBEING,
        "Sleep more than five hours",
        "Everything is harder tired",
    ),
    (GoalArea.LEGAL, "Sort out the court date", "So it stops hanging over me"),
]
COMMENTS = [
    "",
    "",
    "",
    "Better than last time",
    "Hard week",
    "Getting there",
    "Proud of this",
]


@transaction.atomic
def seed_goals() -> tuple[int, int]:
    """Give every open demo client one to three goals with a rating history.
    Returns (goals created, clients that already had goals)."""
    rng = random.Random(7)
    today = timezone.localdate()
    created = existing = 0
    clients = Client.objects.open().filter(chosen_name__endswith="(demo)")
    for client in clients.select_related("clinician").order_by("chosen_name"):
        if client.goals.exists():
            existing += 1
            continue
        for area, wording, why in rng.sample(GOALS, rng.randint(1, 3)):
            set_on = client.intake_date + datetime.timedelta(days=rng.randint(0, 10))
            goal = Goal.objects.create(
                client=client,
                wording=wording,
                why_it_matters=why,
                area=area,
                set_on=set_on,
                created_by=client.clinician,
            )
            GoalRevision.objects.create(
                goal=goal,
                wording=wording,
                why_it_matters=why,
                revised_by=client.clinician,
            )
            score = rng.randint(1, 4)
            day = set_on
            while day <= today:
                GoalRating.objects.create(
                    goal=goal,
                    score=score,
                    rated_on=day,
                    comment=rng.choice(COMMENTS),
                    recorded_by=client.clinician,
                )
                score = max(0, min(10, score + rng.choice([-1, 0, 1, 1, 2])))
                day += datetime.timedelta(days=rng.randint(10, 25))
            if score >= 9:
                goal.status = GoalStatus.REACHED
                goal.status_changed_on = today
                goal.save()
            created += 1
    return created, existing
