"""Search across the notes a staff member may see. The search words are kept in
the server-side session, never in a URL (they may be names or health details)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from audit import services as audit
from hr_clinic.lib.jinja_pages import render_content
from hr_clinic.lib.pages import page_offset
from sessions import selectors
from sessions.forms import NoteSearchForm
from staff.decorators import AuthenticatedHttpRequest, caseload_only

SEARCH_KEY = "sessions:search"
# What the search is narrowed to (a client's name, dates), kept like its words.
NARROW_KEY = "sessions:search_narrowing"
PAGE_SIZE = 20


@require_http_methods(["GET", "HEAD", "POST"])
@caseload_only
def note_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Keep the search words (POST), then show the results. Opened as a link or
    reloaded (GET), it changes nothing and shows the results page with its form,
    rather than a blank 405."""
    if request.method != "POST":
        return redirect("sessions:search_results")
    form = NoteSearchForm(request.POST)
    if "clear" in request.POST:
        request.session.pop(SEARCH_KEY, None)
        request.session.pop(NARROW_KEY, None)
    elif form.is_valid():
        data = form.cleaned_data
        request.session[SEARCH_KEY] = data["q"].strip()
        request.session[NARROW_KEY] = {
            "client": data["client"].strip(),
            "since": data["since"].isoformat() if data["since"] else "",
            "until": data["until"].isoformat() if data["until"] else "",
        }
    elif form.has_error("q"):
        request.session.pop(SEARCH_KEY, None)
    else:  # dates the wrong way round: say so, keep what was kept
        return _page(request, {"form": form, "page": None})
    return redirect("sessions:search_results")


def _narrowing(kept: dict[str, str]) -> selectors.NoteSearchNarrowing:
    """The narrowing kept in the session (ISO dates, or empty)."""

    def day(value: str) -> datetime.date | None:
        return datetime.date.fromisoformat(value) if value else None

    return selectors.NoteSearchNarrowing(
        client_name=kept.get("client", ""),
        since=day(kept.get("since", "")),
        until=day(kept.get("until", "")),
    )


def _page_number(value: str | None) -> int:
    """The page Paginator.get_page will most likely show for `value`."""
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


@require_safe
@caseload_only
def note_search_results(request: AuthenticatedHttpRequest) -> HttpResponse:
    terms = request.session.get(SEARCH_KEY, "")
    kept = request.session.get(NARROW_KEY, {})
    page: Page[selectors.NoteSearchHit] | None = None
    more_than_cap = False
    if terms:
        results = selectors.note_search(
            user=request.user, terms=terms, narrowing=_narrowing(kept)
        )
        # The page asked for and the count in one query; Paginator then finds
        # both read (a page past the end costs a count and the last page).
        number = request.GET.get("page")
        first = page_offset(_page_number(number), PAGE_SIZE)
        results.fetch(first, first + PAGE_SIZE)
        page = Paginator(results, PAGE_SIZE).get_page(number)
        more_than_cap = results.more_than_cap
        audit.searched(
            request.user, "session", page.paginator.count, rows=page.object_list
        )
    form = NoteSearchForm(initial={"q": terms, **kept})
    context = {
        "form": form,
        "page": page,
        "more_than_cap": more_than_cap,
        # As the page writes it: "1,000".
        "cap": f"{selectors.SEARCH_CAP:,}",
    }
    return _page(request, context)


def _page(request: AuthenticatedHttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render_content(
        request, "sessions/note_search.jinja", context, title="Search notes"
    )
