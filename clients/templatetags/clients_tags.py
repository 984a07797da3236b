from __future__ import annotations

import datetime
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from clients.models import Client, ClientStatus

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


# The lists behind a supervisee's dashboard figures, by the key the template
# uses.
_TEAM_LINKS = {
    "clients": "team:member_clients",
    "reach_out": "team:member_reach_out",
    "sessions": "team:member_sessions",
    "drafts": "team:member_drafts",
    "waiting": "team:member_waiting",
    "returned": "team:member_returned",
}
# A marker staff id: no script prefix or fixed part of those routes holds it.
_STAFF_MARKER = 987654321


@lru_cache(maxsize=8)
def _team_link_parts(prefix: str) -> dict[str, tuple[str, str]]:
    marker = f"/{_STAFF_MARKER}/"
    parts = {}
    for key, name in _TEAM_LINKS.items():
        before, _, after = reverse(name, args=[_STAFF_MARKER]).rpartition(marker)
        parts[key] = (f"{before}/", f"/{after}")
    return parts


@register.simple_tag
def team_links(staff_pk: int) -> dict[str, str]:
    """The URLs of the lists behind one supervisee's six dashboard figures, by
    key of _TEAM_LINKS: what `{% url %}` would give, without a reverse() per
    link (54 of them were a third of the dashboard's rendering). As in
    hr_clinic.lib.urls, each route is reversed once per script prefix with a
    marker id, and the staff id (digits, no quoting needed) put in its place."""
    parts = _team_link_parts(get_script_prefix())
    return {key: f"{before}{staff_pk}{after}" for key, (before, after) in parts.items()}
