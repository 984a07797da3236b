from __future__ import annotations

import datetime

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.http import urlencode

from clients.models import Client, ClientStatus, ContactAttempt
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
def badge_class(client: Client) -> str:
    """The badge colour of the record's status (class names from the code)."""
    return BADGE_CLASSES.get(client.status, "text-bg-secondary")


@register.filter
def due_reach_out(client: Client, cutoff: datetime.date) -> bool:
    """An active record with no contact since `cutoff`, or a paused one whose
    review date has come: the caseload's prompt, as selectors.reach_out_due
    decides it. `client` comes from selectors.with_contact."""
    contact_since: datetime.date = client.contact_since  # type: ignore[attr-defined]
    if client.status == ClientStatus.PAUSED:
        return client.review_on is not None and client.review_on <= timezone.localdate()
    return client.status == ClientStatus.ACTIVE and contact_since <= cutoff


@register.filter
def tried_ago(attempt: ContactAttempt) -> str:
    """ "Tried today", "Tried yesterday", "Tried 3 days ago" (local dates)."""
    days = (timezone.localdate() - timezone.localdate(attempt.tried_at)).days
    if days <= 0:
        return "Tried today"
    if days == 1:
        return "Tried yesterday"
    return f"Tried {days} days ago"


# Local time, as Django's `date` filter: an aware datetime arrives converted to
# the current time zone.
@register.filter(expects_localtime=True)
def short_date(value: datetime.date | None) -> str:
    """The one "day month year" form of the pages: 12 Mar 2026 (what
    `date:"j M Y"` gives, without building a DateFormat for each value, which
    costs about five times as much on a list page's rows)."""
    if value is None or value == "":
        return ""
    return f"{value.day} {MONTHS_3[value.month].title()} {value.year:04d}"


@register.filter(expects_localtime=True)
def short_datetime(value: datetime.datetime | None) -> str:
    """short_date and the time of day: 12 Mar 2026, 14:05 (`date:"j M Y, H:i"`)."""
    if value is None or value == "":
        return ""
    return f"{short_date(value)}, {value:%H:%M}"


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
    return query_string(context["request"].GET, **changes)


def query_string(get: QueryDict, **changes: object) -> str:
    """query_with's work, for the Jinja2 pages too (hr_clinic/jinja2.py)."""
    params = dict(get.lists())
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = [str(value)]
    if "page" not in changes:
        params.pop("page", None)
    encoded = urlencode(params, doseq=True)
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def query_with_value(context: template.Context, name: str, value: object) -> str:
    """query_with for a parameter whose name is a variable (filter pills,
    includes/_filter_pills.html)."""
    return query_with(context, **{name: value})


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


@register.filter
def team_figures(member: TeamMember) -> list[tuple[str, int]]:
    """One supervisee's six dashboard figures, each with the link to the list
    behind it, in the dashboard's column order. Links come from
    hr_clinic.lib.urls (each route reversed once, not once per link)."""
    return [
        (record_url(name, member.pk), getattr(member, field))
        for name, field in _TEAM_FIGURES
    ]
