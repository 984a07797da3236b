from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html

from sessions.language import find_suggestions, group_by_term

if TYPE_CHECKING:
    from sessions.selectors import NoteSearchHit

register = template.Library()


# A page checks at most this much of each text it shows suggestions for (each
# note section on the edit page, the whole note on the sign page): about 0.13 s
# of the guide's time, where a 2.4 MB draft cost 7-9 s a page. Notes are capped
# at MAX_NOTE_CHARS, so this bounds older, longer drafts; the live check as the
# clinician types reads each box itself (views.language).
PAGE_CHECK_MAX_CHARS = 20_000


@register.inclusion_tag("sessions/_language_suggestions.html")
def language_suggestions(
    text: str | None, limit: int = PAGE_CHECK_MAX_CHARS, quiet: bool = False
) -> dict[str, Any]:
    """Render the language suggestions for the first `limit` characters of
    `text` (a note or goal on save), saying so when there is more.

    `{% language_suggestions form.text.value %}` shows the same fragment as the
    live check; empty or missing text gives the "no suggestions" fragment.
    `quiet` (one of several boxes on a page) leaves out "No language
    suggestions.": the page says it once (session_form.html). Views may call it
    too, to build the fragment's context.
    """
    text = text or ""
    groups = group_by_term(find_suggestions(text[:limit]))
    return {
        "groups": groups,
        "checked": bool(text) and not quiet,
        "truncated": len(text) > limit,
        "limit": f"{limit:,}",
    }


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


@register.simple_tag
def note_search_result(hit: NoteSearchHit) -> str:
    """One result of the note search as a list item: a link to the note (the
    client's chosen name and the date), its author and status, and the headline
    with the matched words marked. Built here rather than with template
    variables and filters, which cost 1.5 ms for a page of 20."""
    # What |date:"j M Y" shows, without building a DateFormat per row (a third
    # of this tag's time).
    day = timezone.localtime(hit.started_at)
    started = f"{day.day} {MONTHS_3[day.month].title()} {day.year:04d}"
    return format_html(
        '<li class="list-group-item">\n'
        '    <a href="{}">{}, {}</a>\n'
        '    <span class="small text-body-secondary"> · {} · {}</span>\n'
        '    <p class="mb-0 small">{}</p>\n'
        "  </li>",
        hit.url,
        hit.client_name,
        started,
        hit.clinician_name,
        hit.status_label,
        highlight(hit.headline),
    )
