"""Presentation helpers for goals: the trend word and the SVG progress chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from goals.models import GoalRating

register = template.Library()

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 20, 14, 40
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_DOTS = 60  # past this many ratings the line alone reads better
MAX_DATE_TICKS = 6


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


def _anchor(index: int, count: int) -> str:
    """Keep the first and last date labels inside the chart."""
    if count == 1:
        return "middle"
    return "start" if index == 0 else "end" if index == count - 1 else "middle"


def _y(score: int) -> float:
    return round(TOP + (10 - score) / 10 * PLOT_H, 1)


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
    first, last = ratings[0].rated_on, ratings[-1].rated_on
    span = (last - first).days

    def x(day: Any) -> float:
        if span == 0:
            return LEFT + PLOT_W / 2
        return round(LEFT + (day - first).days / span * PLOT_W, 1)

    points = [(x(r.rated_on), _y(r.score), r) for r in ratings]
    tick_days = sorted({first, last})
    if span > 0:
        steps = min(MAX_DATE_TICKS - 1, span)
        tick_days = sorted(
            {first + (last - first) * i / steps for i in range(steps + 1)}  # type: ignore[misc]
        )
    return {
        "empty": False,
        "chart_id": chart_id,
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": TOP + PLOT_H,
        "label_y": HEIGHT - 12,
        "polyline": " ".join(f"{px},{py}" for px, py, _ in points),
        "dots": points if len(points) <= MAX_DOTS else [],
        "single": len(points) == 1,
        "last_point": points[-1],
        "y_ticks": [(score, _y(score)) for score in (0, 2, 4, 6, 8, 10)],
        "x_ticks": [
            (x(day), day, _anchor(i, len(tick_days))) for i, day in enumerate(tick_days)
        ],
        "count": len(ratings),
        "first": ratings[0],
        "last": ratings[-1],
    }
