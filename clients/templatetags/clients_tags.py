from __future__ import annotations

import datetime

from django import template
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
