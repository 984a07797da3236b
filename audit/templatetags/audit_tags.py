"""Presentation helpers for the audit trail pages.

The report shows 50 events of nine cells each and a staff picker with every
staff member. As template loops that was a few thousand variable and tag nodes
per page, most of the page's time (issue #11); these tags build the same markup
in Python."""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from audit.models import Action, Outcome
from staff.models import person_name

register = template.Library()

# The labels of get_action_display() and get_outcome_display(), escaped once.
_ACTION_LABELS = {value: html.escape(label) for value, label in Action.choices}
_OUTCOME_LABELS = {value: html.escape(label) for value, label in Outcome.choices}
# Labels that already say what was acted on: the access history shows them
# alone ("Added an addendum", not "Added an addendum session").
_COMPLETE_LABELS = {Action.ADDENDUM, Action.RETURN}

_REPORT_ROW = (
    "\n    <tr{}>"
    "\n      <td>{}</td>"
    '\n      <td class="text-nowrap">{}</td>'
    "\n      <td>{}</td>"
    "\n      <td>{}{}</td>"
    '\n      <td class="small">{}{}</td>'
    '\n      <td class="small">{}</td>'
    "\n      <td>{}</td>"
    '\n      <td class="small">{}</td>'
    '\n      <td class="small"><code>{}</code></td>'
    "\n    </tr>"
)
_HISTORY_ROW = (
    "\n    <tr{}>"
    '\n      <td class="text-nowrap">{}</td>'
    "\n      <td>{}</td>"
    "\n      <td>{}{}</td>"
    "\n      <td>{}</td>"
    "\n    </tr>"
)
# Fixed markup, no data in it.
_NOBODY = SafeString('<span class="text-body-secondary">nobody signed in</span>')
_DENIED = SafeString(' class="table-warning"')


def _truncate(value: str, length: int) -> str:
    """`value|truncatechars:length`. Ids are ASCII, where slicing gives the same
    result; anything else goes through Django's Truncator (combining marks)."""
    if value.isascii():
        return value if len(value) <= length else value[: length - 1] + "…"
    return Truncator(value).chars(length)


def staff_name(event: Any) -> str:
    """User.name, from a row with selectors.ACTOR_NAME_COLUMNS."""
    return person_name(
        event.actor__display_name,
        event.actor__first_name,
        event.actor__last_name,
        event.actor__username,
    )


def _who(event: Any) -> str:
    """The staff cell: name and role, or that nobody was signed in."""
    if event.actor_id is None:
        return _NOBODY
    return format_html(
        '{} <span class="small text-body-secondary">({})</span>',
        staff_name(event),
        event.actor_role,
    )


def _count(value: int | None) -> str:
    """How many results a list or search showed (an integer: nothing to escape)."""
    if value is None:
        return ""
    plural = "" if value == 1 else "s"
    return f' <span class="small text-body-secondary">({value} result{plural})</span>'


@register.simple_tag
def audit_rows(events: Iterable[Any]) -> SafeString:
    """The report's table rows from selectors.event_rows, one per event (denied
    ones highlighted); times in the current time zone, as the `date` filter.

    Every text column is escaped here, explicitly: this is the page's hottest
    loop, and format_html() per row and cell cost about four times as much.
    What is not escaped cannot hold markup: integers (seq, result count), the
    formatted time, a UUID, and labels escaped once at import. The staff cell is
    the same for all of one person's events: built once per person and role."""
    zone = timezone.get_current_timezone()
    escape = html.escape
    who_cells: dict[tuple[Any, str], str] = {}
    rows = []
    for event in events:
        who_key = (event.actor_id, event.actor_role)
        who = who_cells.get(who_key)
        if who is None:
            who = who_cells[who_key] = _who(event)
        when: datetime.datetime = event.occurred_at.astimezone(zone)
        object_id = event.object_id
        rows.append(
            _REPORT_ROW.format(
                _DENIED if event.outcome == Outcome.DENIED else "",
                str(event.seq),
                f"{when:%Y-%m-%d %H:%M:%S}",
                who,
                _ACTION_LABELS.get(event.action) or escape(event.action),
                _count(event.result_count),
                escape(event.object_type),
                f" <code>{escape(_truncate(object_id, 13))}</code>"
                if object_id
                else "",
                f"<code>{event.client_id}</code>" if event.client_id else "",
                _OUTCOME_LABELS.get(event.outcome) or escape(event.outcome),
                escape(event.source_ip or ""),
                escape(_truncate(event.request_id, 9)),
            )
        )
    # Escaped above, value by value.
    return SafeString("".join(rows))  # nosec B703 - escaped above, value by value


@register.simple_tag
def select_options(choices: Sequence[tuple[Any, str]], chosen: Any) -> SafeString:
    """`<option>`s for (value, label) pairs, `chosen` selected: the staff picker
    lists every staff member, too many to loop over in the template or to pass
    through format_html() one by one: values and labels are escaped here."""
    escape = html.escape
    options = [
        f'<option value="{escape(str(value))}"{" selected" if value == chosen else ""}>'
        f"{escape(str(label))}</option>"
        for value, label in choices
    ]
    # Escaped above, value by value.
    return SafeString("".join(options))  # nosec B703 - escaped above, value by value


@register.simple_tag
def access_rows(events: Iterable[Any]) -> SafeString:
    """A client's access history rows from selectors.client_access_history, built
    like audit_rows (and escaped the same way); times in the current time zone
    with the `date` filter's "j M Y, H:i"."""
    zone = timezone.get_current_timezone()
    escape = html.escape
    names: dict[Any, str] = {}
    rows = []
    for event in events:
        who = names.get(event.actor_id)
        if who is None:
            who = names[event.actor_id] = (
                escape(staff_name(event)) if event.actor_id is not None else "—"
            )
        when = dateformat.format(event.occurred_at.astimezone(zone), "j M Y, H:i")
        rows.append(
            _HISTORY_ROW.format(
                _DENIED if event.outcome == Outcome.DENIED else "",
                escape(when),
                who,
                _ACTION_LABELS.get(event.action) or escape(event.action),
                ""
                if event.action in _COMPLETE_LABELS
                else " " + escape(event.object_type),
                _OUTCOME_LABELS.get(event.outcome) or escape(event.outcome),
            )
        )
    # Escaped above, value by value.
    return SafeString("".join(rows))  # nosec B703 - escaped above, value by value
