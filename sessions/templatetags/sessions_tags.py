from __future__ import annotations

from typing import Any

from django import template

from hr_clinic.lib.language import find_suggestions, group_by_term

register = template.Library()


@register.inclusion_tag("sessions/_language_suggestions.html")
def language_suggestions(text: str | None) -> dict[str, Any]:
    """Render the language suggestions for `text` (a note or goal on save).

    `{% language_suggestions form.text.value %}` shows the same fragment as the
    live check; empty or missing text gives the "no suggestions" fragment.
    Views may call it too, to build the fragment's context.
    """
    groups = group_by_term(find_suggestions(text or ""))
    return {"groups": groups, "checked": bool(text), "truncated": False}
