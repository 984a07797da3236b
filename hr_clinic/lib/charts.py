"""The geometry of the server-drawn SVG line charts (goal ratings, measure
totals): no script, so they work under a strict CSP and in print. Values over
time on a fixed 0–`top` scale; the templates (`includes/_line_chart_body.html`)
draw what this returns. A chart reads well for one value (a single labelled
dot) and for hundreds (a line, dots only up to MAX_DOTS)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 20, 14, 40
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_DOTS = 60  # past this many values the line alone reads better
MAX_DATE_TICKS = 6


def _anchor(index: int, count: int) -> str:
    """Keep the first and last date labels inside the chart."""
    if count == 1:
        return "middle"
    return "start" if index == 0 else "end" if index == count - 1 else "middle"


def line_chart(
    points: Sequence[tuple[datetime.date, int]],
    *,
    top: int,
    y_ticks: Sequence[int],
    bands: Sequence[tuple[int, int, str]] = (),
) -> dict[str, Any]:
    """Where to draw `points` (day, value; oldest first, at least one) on a
    0–`top` scale, with grid lines at `y_ticks` and shaded `bands` (low,
    high, label: from low to just past high, so bands meet)."""

    def y(value: float) -> float:
        return round(TOP + (top - value) / top * PLOT_H, 1)

    first, last = points[0][0], points[-1][0]
    span = (last - first).days

    def x(day: datetime.date) -> float:
        if span == 0:
            return LEFT + PLOT_W / 2
        return round(LEFT + (day - first).days / span * PLOT_W, 1)

    placed = [(x(day), y(value), value) for day, value in points]
    tick_days = sorted({first, last})
    if span > 0:
        steps = min(MAX_DATE_TICKS - 1, span)
        tick_days = sorted(
            {first + (last - first) * i / steps for i in range(steps + 1)}
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "plot_width": PLOT_W,
        "bottom": TOP + PLOT_H,
        "label_y": HEIGHT - 12,
        "polyline": " ".join(f"{px},{py}" for px, py, _ in placed),
        "dots": placed if len(placed) <= MAX_DOTS else [],
        "single": len(placed) == 1,
        "last_point": placed[-1],
        "y_ticks": [(value, y(value)) for value in y_ticks],
        "x_ticks": [
            (x(day), day, _anchor(i, len(tick_days))) for i, day in enumerate(tick_days)
        ],
        "bands": [
            (
                y(min(high + 0.5, top)),
                round(y(max(low - 0.5, 0)) - y(min(high + 0.5, top)), 1),
                label,
                n % 2,
            )
            for n, (low, high, label) in enumerate(bands)
        ],
    }


BAR_GAP = 0.25  # of each bar's slot, left empty between bars


def _nice_top(value: float) -> float:
    """The scale's top: the smallest of 1, 2 or 5 times a power of ten that
    holds `value` (at least 1, so an all-zero chart still has a scale)."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def bar_chart(bars: Sequence[tuple[str, float | None]]) -> dict[str, Any]:
    """Where to draw one bar per (label, value) pair, left to right, on a scale
    from 0 to a round number above the largest value; a value of None (not
    shown, or not recorded) gets no bar, only its label. Works for no bars
    (an empty frame), one and many (labels thin out past MAX_DATE_TICKS * 2)."""
    values = [value for _, value in bars if value is not None]
    top = _nice_top(max(values, default=0))

    def y(value: float) -> float:
        return round(TOP + (top - value) / top * PLOT_H, 1)

    slot = PLOT_W / max(len(bars), 1)
    every = max(1, -(-len(bars) // (MAX_DATE_TICKS * 2)))
    placed = []
    for index, (label, value) in enumerate(bars):
        x = round(LEFT + slot * index + slot * BAR_GAP / 2, 1)
        placed.append(
            {
                "x": x,
                "width": round(slot * (1 - BAR_GAP), 1),
                "y": y(value) if value is not None else TOP + PLOT_H,
                "height": round(PLOT_H - (y(value) - TOP), 1)
                if value is not None
                else 0,
                "value": value,
                "label": label if index % every == 0 else "",
                "middle": round(x + slot * (1 - BAR_GAP) / 2, 1),
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": TOP + PLOT_H,
        "label_y": HEIGHT - 12,
        "bars": placed,
        "y_ticks": [(tick, y(tick)) for tick in (0, top / 2, top)],
        "top": top,
    }
