from __future__ import annotations

import datetime
import html

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from clients.models import Client, ClientStatus
from clients.selectors import TeamMember
from hr_clinic.lib.urls import record_url

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
    drawn on every caseload row, where an include costs several times more.
    The label is escaped here; the class comes from the code."""
    badge = BADGE_CLASSES.get(client.status, "text-bg-secondary")
    label = html.escape(client.get_status_display())
    return SafeString(f'<span class="badge {badge}">{label}</span>')  # nosec B703 - escaped above


_NO_SESSION = SafeString('<span class="text-body-secondary">No session yet</span>')
_REACH_OUT = SafeString('<span class="badge text-bg-info reach-out">Reach out</span>')


@register.simple_tag
def caseload_row(client: Client, reach_out_cutoff: datetime.date) -> SafeString:
    """One caseload row: name and pronouns (linked), status, last contact, days
    since contact (from intake when there has been no session), and the reach-out
    prompt. `client` comes from selectors.with_contact.

    A tag, not template markup: the caseload is the page clinicians open most,
    and its 25 rows as template nodes were two thirds of its rendering. The two
    free-text values are escaped here, explicitly (format_html() per row cost
    twice as much); nothing else in a row can hold markup: a UUID in the link,
    a status label and class from the code, a date, a number."""
    contact_since = client.contact_since  # type: ignore[attr-defined]
    last_contact = client.last_contact  # type: ignore[attr-defined]
    pronouns = ""
    if client.pronouns:
        pronouns = (
            ' <span class="text-body-secondary small">'
            f"({html.escape(client.pronouns)})</span>"
        )
    reach_out = (
        _REACH_OUT
        if client.status == ClientStatus.ACTIVE and contact_since <= reach_out_cutoff
        else ""
    )
    return SafeString(  # nosec B703 - the free text is escaped in place
        "<tr>\n"
        f'      <td><a href="{client.get_absolute_url()}">'
        f"{html.escape(client.chosen_name)}</a>{pronouns}</td>\n"
        f"      <td>{status_badge(client)}</td>\n"
        f"      <td>{_short_date(last_contact) if last_contact else _NO_SESSION}</td>\n"
        f"      <td>{days_since(contact_since)}</td>\n"
        f"      <td>{reach_out}</td>\n"
        "    </tr>"
    )


def _short_date(day: datetime.date) -> str:
    """The `date:"j M Y"` filter's text (12 Mar 2026), without its formatter."""
    return f"{day.day} {MONTHS_3[day.month].title()} {day.year}"


@register.filter
def days_since(value: datetime.date | None) -> int | None:
    if value is None:
        return None
    return (timezone.localdate() - value).days


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters changed (for sort, filter
    and page links). Only status, sort and page are ever in a caseload URL.
    (A plain dict, not request.GET.copy(): that deep-copies, eight times a page.)"""
    params = dict(context["request"].GET.lists())
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = [str(value)]
    if "page" not in changes:
        params.pop("page", None)
    encoded = urlencode(params, doseq=True)
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
_FIGURE_CELL = '<td class="text-end"><a href="{}">{}</a></td>'


@register.simple_tag
def team_figures(member: TeamMember) -> SafeString:
    """One supervisee's six dashboard figures as table cells, each linking to the
    list behind it: what six `{% url %}` tags and twelve variables gave, which
    were half of the dashboard's rendering. Links come from
    hr_clinic.lib.urls (each route reversed once, not once per link)."""
    values = []
    for name, field in _TEAM_FIGURES:
        values += [record_url(name, member.pk), getattr(member, field)]
    return format_html(_FIGURE_CELL * len(_TEAM_FIGURES), *values)
