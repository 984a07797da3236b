from __future__ import annotations

import datetime
from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from clients.models import Client, ClientStatus
from clients.selectors import TeamMember

register = template.Library()


@register.filter
def yes_no_unknown(value: bool | None) -> str:
    """A safe-contact answer: an unanswered question is not a "no"."""
    if value is None:
        return "Not asked yet"
    return "Yes" if value else "No"


BADGE_CLASSES: dict[str, str] = {
    ClientStatus.ACTIVE: "text-bg-success",
    ClientStatus.PAUSED: "text-bg-warning",
}


@register.filter
def status_badge(client: Client) -> SafeString:
    """The record's status as a badge. A filter, not an `{% include %}`: it is
    drawn on every caseload row, where an include costs several times more."""
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGE_CLASSES.get(client.status, "text-bg-secondary"),
        client.get_status_display(),
    )


@register.filter
def days_since(value: datetime.date | None) -> int | None:
    if value is None:
        return None
    return (timezone.localdate() - value).days


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters changed (for sort, filter
    and page links). Only status, sort and page are ever in a caseload URL."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    if "page" not in changes:
        params.pop("page", None)
    encoded: str = params.urlencode()
    return f"?{encoded}" if encoded else "?"


# The lists behind a supervisee's dashboard figures, in the dashboard's column
# order, with the TeamMember field each figure is read from.
_TEAM_FIGURES = (
    ("team:member_clients", "active_clients"),
    ("team:member_reach_out", "reach_out"),
    ("team:member_sessions", "recent_sessions"),
    ("team:member_drafts", "old_drafts"),
    ("team:member_waiting", "waiting"),
    ("team:member_returned", "returned"),
)
# A marker staff id: no script prefix or fixed part of those routes holds it.
_STAFF_MARKER = 987654321


@lru_cache(maxsize=8)
def _team_row_format(prefix: str, urlconf: str) -> str:
    """The six figure cells as one format_html() string, for this script prefix
    and URLconf: each route reversed once with a marker id, the marker replaced
    by a placeholder for the staff id, then one for the figure."""
    marker = f"/{_STAFF_MARKER}/"
    cells = []
    for name, _ in _TEAM_FIGURES:
        url = escape(reverse(name, args=[_STAFF_MARKER]))
        before, _, after = url.replace("{", "{{").replace("}", "}}").rpartition(marker)
        cells.append(
            f'<td class="text-end"><a href="{before}/{{}}/{after}">{{}}</a></td>'
        )
    return "".join(cells)


@register.simple_tag
def team_figures(member: TeamMember) -> SafeString:
    """One supervisee's six dashboard figures as table cells, each linking to the
    list behind it: what six `{% url %}` tags and twelve variables gave, which
    were half of the dashboard's rendering. As in hr_clinic.lib.urls, each route
    is reversed once per script prefix, not once per link."""
    values = []
    for _, field in _TEAM_FIGURES:
        values += [member.pk, getattr(member, field)]
    urlconf = str(get_urlconf() or settings.ROOT_URLCONF)
    return format_html(_team_row_format(get_script_prefix(), urlconf), *values)
