from __future__ import annotations

from django import template

from measures import definitions

register = template.Library()


@register.simple_tag
def screen_measure_choices() -> list[tuple[str, str]]:
    """The questionnaires a clinician may offer on the screen
    (measures.definitions), as (code, name)."""
    return [(m.code, m.full_name) for m in definitions.MEASURES.values()]
