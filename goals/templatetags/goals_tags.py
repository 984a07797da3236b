"""Presentation helpers for goals: the trend word and the SVG progress chart
(its geometry shared with the measures' charts, hr_clinic/lib/charts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from goals.models import GoalRating
from hr_clinic.lib.charts import line_chart

register = template.Library()


@register.filter
def trend(goal: Any) -> str:
    """How the latest rating compares with the one before, in plain words."""
    latest, previous = goal.latest_score, goal.previous_score
    if latest is None:
        return "No rating yet"
    if previous is None:
        return "First rating"
    if latest > previous:
        return f"Up from {previous}"
    if latest < previous:
        return f"Down from {previous}"
    return "Same as before"


@register.inclusion_tag("goals/_chart.html")
def goal_chart(
    ratings: Sequence[GoalRating | Any],
    chart_id: str,
    title: str = "How close they feel to the goal, 0 to 10",
) -> dict[str, Any]:
    """A line chart of 0–10 ratings over time, drawn on the server as SVG (no
    script, works under a strict CSP and in print). Reads well for one rating
    (a single labelled dot) and for hundreds (a line, dots only up to MAX_DOTS).
    Any 0–10 answers with `rated_on` and `score` draw the same way (the
    relationship check-in's items, sessions_tags.checkin_points), under their
    own `title`."""
    ratings = list(ratings)
    if not ratings:
        return {"empty": True}
    return {
        **line_chart(
            [(r.rated_on, r.score) for r in ratings],
            top=10,
            y_ticks=(0, 2, 4, 6, 8, 10),
        ),
        "empty": False,
        "chart_id": chart_id,
        "title": title,
        "count": len(ratings),
        "first": ratings[0],
        "last": ratings[-1],
    }
