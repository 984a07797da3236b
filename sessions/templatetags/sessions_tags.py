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


@register.filter
def highlight(headline: str) -> str:
    """A search headline with matched words in <mark>. Everything is escaped
    first; only the private-use markers set by the search become tags."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    from sessions.selectors import MATCH_END, MATCH_START

    escaped = str(escape(headline))
    # Escaped above; only our own markers become tags.
    return mark_safe(  # nosec B308 B703
        escaped.replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>")
    )
