"""Search across the notes a staff member may see. The search words are kept in
the server-side session, never in a URL (they may be names or health details)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from audit import services as audit
from hr_clinic.lib.pages import page_offset
from sessions import selectors
from sessions.forms import NoteSearchForm
from staff.decorators import AuthenticatedHttpRequest, caseload_only

SEARCH_KEY = "sessions:search"
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
    if form.is_valid() and "clear" not in request.POST:
        request.session[SEARCH_KEY] = form.cleaned_data["q"].strip()
    else:
        request.session.pop(SEARCH_KEY, None)
    return redirect("sessions:search_results")


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
    page: Page[selectors.NoteSearchHit] | None = None
    if terms:
        results = selectors.note_search(user=request.user, terms=terms)
        # The page asked for and the count in one query; Paginator then finds
        # both read (a page past the end costs a count and the last page).
        number = request.GET.get("page")
        first = page_offset(_page_number(number), PAGE_SIZE)
        results.fetch(first, first + PAGE_SIZE)
        page = Paginator(results, PAGE_SIZE).get_page(number)
        audit.searched(
            request.user, "session", page.paginator.count, rows=page.object_list
        )
    return render(
        request,
        "sessions/note_search.html",
        {"form": NoteSearchForm(initial={"q": terms}), "terms": terms, "page": page},
    )
