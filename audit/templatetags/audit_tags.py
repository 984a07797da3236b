"""Presentation helpers for the audit trail pages: labels for the named rows of
audit.selectors (event_rows, client_access_history), which carry codes and the
actor's name columns rather than model instances."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.text import Truncator

from audit.forms import SORT_LABELS
from audit.models import Action, Outcome
from clients.templatetags.clients_tags import query_string
from hr_clinic.lib.urls import record_url
from staff.models import person_name

register = template.Library()

# The labels of get_action_display() and get_outcome_display().
_ACTION_LABELS = dict(Action.choices)
_OUTCOME_LABELS = dict(Outcome.choices)
# Labels that already say what was acted on: the access history shows them
# alone ("Added an addendum", not "Added an addendum session").
_COMPLETE_LABELS = {Action.ADDENDUM, Action.RETURN}


@register.filter
def staff_name(event: Any) -> str:
    """User.name, from a row with selectors.ACTOR_NAME_COLUMNS."""
    return person_name(
        event.actor__display_name,
        event.actor__first_name,
        event.actor__last_name,
        event.actor__username,
    )


@register.filter
def action_label(event: Any) -> str:
    return _ACTION_LABELS.get(event.action) or event.action


@register.filter
def outcome_label(event: Any) -> str:
    return _OUTCOME_LABELS.get(event.outcome) or event.outcome


@register.filter
def what_was_done(event: Any) -> str:
    """The access history's "What": the action and what it was done to."""
    label = action_label(event)
    if event.action in _COMPLETE_LABELS:
        return label
    return f"{label} {event.object_type}"


# Local time, as Django's `date` filter: an aware datetime arrives converted to
# the current time zone (which the column header names).
@register.filter(expects_localtime=True)
def audit_time(value: datetime.datetime) -> str:
    """`date:"Y-m-d H:i:s"`, without a DateFormat per row (a fifth of the
    report's rows' rendering)."""
    return f"{value:%Y-%m-%d %H:%M:%S}"


@register.filter
def short_id(value: str, length: int) -> str:
    """`value|truncatechars:length`. Ids are ASCII, where slicing gives the same
    result; anything else goes through Django's Truncator (combining marks)."""
    if value.isascii():
        return value if len(value) <= length else value[: length - 1] + "…"
    return Truncator(value).chars(length)


def sort_header(
    get: QueryDict, sort: tuple[str, bool], column: str, label: str
) -> dict[str, Any]:
    """A report column's header (audit/audit_report.jinja): a plain link that
    sorts by it (ascending first; again, descending; time starts newest first)
    and `aria-sort` on the column the report is sorted by (`sort`, as
    forms.sort_key gives it). `get`: the report's query."""
    current, descending = sort
    sorted_here = current == column
    if sorted_here:
        link = column if descending else f"-{column}"
    else:
        link = f"-{column}" if column == "time" else column
    return {
        "label": label,
        "href": query_string(get, sort=link),
        "aria_sort": ("descending" if descending else "ascending")
        if sorted_here
        else "",
        "next_label": SORT_LABELS[column][link.startswith("-")],
    }


@register.filter
def event_url(seq: int) -> str:
    """`{% url "audit:event" seq %}`, reversed once for the whole report."""
    return record_url("audit:event", seq)
