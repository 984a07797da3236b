from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from sessions import language
from sessions.templatetags.sessions_tags import language_suggestions
from staff.decorators import AuthenticatedHttpRequest

# The live check reads at most this much of a note; the rest is not checked.
LANGUAGE_CHECK_MAX_CHARS = 100_000


@require_safe
def language_guide(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The language guide: every term, its alternatives and why they matter.

    It holds no clinical data, so every signed-in role may read it.
    """
    return render(request, "sessions/language_guide.html", {"terms": language.TERMS})


@require_POST
def language_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Suggestions for the POSTed `text`, as an HTML fragment for a live region.

    The text is neither stored nor logged. Longer texts are checked up to
    LANGUAGE_CHECK_MAX_CHARS characters.
    """
    text = request.POST.get("text", "")
    context = language_suggestions(
        text, limit=LANGUAGE_CHECK_MAX_CHARS, quiet=request.POST.get("quiet") == "1"
    )
    return render(request, "sessions/_language_suggestions.html", context)
