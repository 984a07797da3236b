"""Search across the notes a staff member may see. The search words are kept in
the server-side session, never in a URL (they may be names or health details)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from audit import services as audit
from hr_clinic.lib.http import AuthenticatedHttpRequest
from sessions import selectors
from sessions.forms import NoteSearchForm

SEARCH_KEY = "sessions:search"
PAGE_SIZE = 20


@require_POST
def note_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.carries_caseload:
        raise Http404
    form = NoteSearchForm(request.POST)
    if form.is_valid() and "clear" not in request.POST:
        request.session[SEARCH_KEY] = form.cleaned_data["q"].strip()
    else:
        request.session.pop(SEARCH_KEY, None)
    return redirect("sessions:search_results")


@require_safe
def note_search_results(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.carries_caseload:
        raise Http404
    terms = request.session.get(SEARCH_KEY, "")
    page = None
    if terms:
        results = selectors.note_search(user=request.user, terms=terms)
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        audit.searched(request.user, "session", page.paginator.count)
    return render(
        request,
        "sessions/note_search.html",
        {"form": NoteSearchForm(initial={"q": terms}), "terms": terms, "page": page},
    )
