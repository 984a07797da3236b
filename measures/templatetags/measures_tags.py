"""Presentation for measures: the history chart (the goal charts' SVG,
hr_clinic/lib/charts.py, with the measure's bands) and the tags the record
and a note use to show measures without the clients and sessions apps
knowing of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from hr_clinic.lib.charts import line_chart
from measures import definitions, selectors
from measures.definitions import Measure
from measures.models import MeasureResponse
from sessions.models import TherapySession
from staff.models import User

register = template.Library()

Y_TICK_COUNT = 5


def _ticks(top: int) -> list[int]:
    step = max(1, round(top / Y_TICK_COUNT))
    return sorted({*range(0, top, step), top})


@register.inclusion_tag("measures/_chart.html")
def measure_chart(
    measure: Measure, responses: Sequence[MeasureResponse], chart_id: str
) -> dict[str, Any]:
    """A measure's totals over time on its whole scale (0 to its maximum),
    its bands shaded; nothing for a measure never taken."""
    responses = list(responses)
    if not responses:
        return {"empty": True}
    return {
        **line_chart(
            [(r.taken_on, r.total) for r in responses],
            top=measure.max_total,
            y_ticks=_ticks(measure.max_total),
            bands=[(b.low, b.high, b.label) for b in measure.bands],
        ),
        "empty": False,
        "chart_id": chart_id,
        "measure": measure,
        "count": len(responses),
        "first": responses[0],
        "last": responses[-1],
    }


@register.simple_tag
def session_measures(session: TherapySession, user: User) -> list[MeasureResponse]:
    """The measures taken in a session, for its note."""
    return selectors.session_measures(user=user, session=session)


@register.simple_tag
def measure_definitions() -> list[Measure]:
    """Every defined measure, in order (for "Take a measure" links)."""
    return list(definitions.MEASURES.values())
