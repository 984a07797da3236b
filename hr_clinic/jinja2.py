"""The Jinja2 environment for the pages that draw many rows (STYLE.md rule 22:
a family of pages too slow on Django's template language moves to Django's
built-in Jinja2 backend). Today, the week, the team week and the reach-out
lists (issue #21) draw up to 160 appointments or 25 people a page at scale;
Django's templates took about 130 µs an appointment there, Jinja2 a tenth of
that (docs/performance.md). The client's record (issue #25) is one too: its
dozen sections through Django's includes and inclusion tags were most of its
Python calls. So are the audit report, 50 events of ten cells a page, the
note search, opened for each search and each page of its results, and the
program figures, a dozen tables of up to 60 months and their charts.

Only the page's content is Jinja2: `hr_clinic.lib.jinja_pages.render_content` puts
it inside `base.html`, so the header, navigation, messages and time-out stay
in one place. Autoescaping is on (the backend's default), as in every
template here: client and clinician words are always escaped.

The filters are the ones these pages need, each Django's own (or the
project's, from clients_tags, goals_tags and audit_tags) with the value in
local time first, as Django's template language does for `date` and `time`."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import Environment, nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

from audit.templatetags import audit_tags
from clients.templatetags import clients_tags
from goals.templatetags import goals_tags
from hr_clinic.lib.urls import plain_url, record_url, record_urls
from screens.templatetags import screens_tags
from sessions.templatetags import sessions_tags


def _local(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.template_localtime(value)  # type: ignore[attr-defined]
    return value


def date(value: Any, fmt: str = "N j, Y") -> str:
    return defaultfilters.date(_local(value), fmt)


def time(value: Any, fmt: str = "H:i") -> str:
    if fmt == "H:i" and isinstance(value, datetime.datetime):
        # The pages' one format, a fifth of the cost of Django's formatter
        # (which reads the format letter by letter, 20 µs a time): the same
        # text, hours 00-23 and minutes with leading zeros.
        return _local(value).strftime("%H:%M")
    return defaultfilters.time(_local(value), fmt)


def short_date(value: Any) -> str:
    return clients_tags.short_date(_local(value))


def short_datetime(value: Any) -> str:
    return clients_tags.short_datetime(_local(value))


def audit_time(value: datetime.datetime) -> str:
    return audit_tags.audit_time(_local(value))


def url(name: str, *args: Any) -> str:
    """`{% url %}`: reversed once per name (hr_clinic.lib.urls) where it can be."""
    if not args:
        return plain_url(name)
    if len(args) == 1 and isinstance(args[0], uuid.UUID | int):
        return record_url(name, args[0])
    return reverse(name, args=args)


def query_with(request: HttpRequest, **changes: object) -> str:
    """`{% query_with %}`: the current query string with some parameters changed."""
    return clients_tags.query_string(request.GET, **changes)


class FragmentCache(Extension):
    """`{% cache key %}…{% endcache %}`: Django's `{% cache %}` for these
    templates (STYLE.md rule 22, "cache a fragment"), after Jinja2's own
    example extension. The body is drawn once per key and kept in
    `caches["fragments"]`, this process's own memory (hr_clinic/settings.py);
    a key of `none` draws the body every time, uncached.

    Only markup that holds nothing of a person is kept: the key names everything
    the body depends on, and a template passes `none` wherever the body reads a
    request's values (a bound form, a draft). The key also carries a value made
    when the template is compiled, so a template changed in development and
    compiled again never reads what its older self drew."""

    tags = {"cache"}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = parser.parse_expression()
        compiled = nodes.Const(f"{parser.name}:{lineno}:{uuid.uuid4().hex}")
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        call = self.call_method("_fragment", [compiled, key])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(
        self, compiled: str, key: tuple[object, ...] | None, caller: Callable[[], str]
    ) -> str:
        if key is None:
            return caller()
        cache = caches["fragments"]
        name = f"{compiled}:{':'.join(map(str, key))}"
        kept = cache.get(name)
        if kept is None:
            # Already escaped markup: the body's own output, as Jinja2 draws it.
            kept = caller()
            cache.set(name, kept, None)
        return kept


def environment(**options: Any) -> Environment:
    # Always on, whatever the settings say (the backend's default too): client
    # and clinician words are escaped here as in every template.
    options.pop("autoescape", None)
    options["extensions"] = [*options.get("extensions", ()), FragmentCache]
    env = Environment(autoescape=True, **options)
    env.globals.update(
        url=url,
        record_urls=record_urls,
        static=static,
        query_with=query_with,
        # The note form's (sessions/session_form.jinja): the language guide's
        # suggestions for a saved box, and the hand-over's questionnaires.
        language_suggestions=sessions_tags.language_suggestions,
        screen_measure_choices=screens_tags.screen_measure_choices,
        # The audit report's sortable column headers.
        audit_sort_header=audit_tags.sort_header,
    )
    # Each Django's own or the project's template filter, for the Jinja2 pages:
    # Today and the week, the reach-out lists, the caseload, the team
    # dashboard, the client record, the note page and the note form (issues
    # #21, #25), the audit report, the note search and the program figures.
    # plain_widget gives a field's widget as data, never markup.
    env.filters.update(
        action_label=audit_tags.action_label,
        audit_time=audit_time,
        event_url=audit_tags.event_url,
        outcome_label=audit_tags.outcome_label,
        short_id=audit_tags.short_id,
        staff_name=audit_tags.staff_name,
        date=date,
        time=time,
        short_date=short_date,
        short_datetime=short_datetime,
        badge_class=clients_tags.badge_class,
        checkin_rows=sessions_tags.checkin_rows,
        days_since=clients_tags.days_since,
        due_reach_out=clients_tags.due_reach_out,
        floatformat=defaultfilters.floatformat,
        headline_parts=sessions_tags.headline_parts,
        linebreaksbr=defaultfilters.linebreaksbr,
        pluralize=defaultfilters.pluralize,
        plain_widget=sessions_tags.plain_widget,
        slugify=defaultfilters.slugify,
        team_figures=clients_tags.team_figures,
        trend=goals_tags.trend,
        tried_ago=clients_tags.tried_ago,
        yes_no_unknown=clients_tags.yes_no_unknown,
        yesno=defaultfilters.yesno,
    )
    return env
