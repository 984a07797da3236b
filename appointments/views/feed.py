"""The private calendar feed's page (turn on, copy the address once, turn
off) and the feed itself, reached without signing in by its secret address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from appointments import feeds
from appointments.models import CalendarFeed
from audit import services as audit
from audit.models import Action
from staff.decorators import AuthenticatedHttpRequest, caseload_only


@require_safe
@caseload_only
def feed_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Whether the feed is on; just after turning it on, its address (once:
    only its hash is kept)."""
    token = request.session.pop("calendar_feed_token", None)
    url = (
        request.build_absolute_uri(reverse("appointments:feed_ics", args=[token]))
        if token
        else ""
    )
    return render(
        request,
        "appointments/feed_settings.html",
        {
            "live": CalendarFeed.objects.live().filter(user=request.user).exists(),
            "feed_url": url,
        },
    )


@require_POST
@caseload_only
def feed_on(request: AuthenticatedHttpRequest) -> HttpResponse:
    request.session["calendar_feed_token"] = feeds.feed_turn_on(user=request.user)
    messages.success(
        request, "Your calendar feed is on. Copy its address now: it is shown once."
    )
    return redirect("appointments:feed")


@require_POST
@caseload_only
def feed_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    feeds.feed_turn_off(user=request.user)
    messages.success(request, "Your calendar feed is off; its address no longer works.")
    return redirect("appointments:feed")


@login_not_required
@require_safe
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed (text/calendar). An unknown or ended address is a 404, the same
    for both."""
    user = feeds.feed_owner(token)
    if user is None:
        raise Http404
    appointments = feeds.feed_appointments(user=user)
    audit.record(
        actor=user,
        action=Action.LIST,
        object_type="appointment",
        result_count=len(appointments),
        detail={
            "via": "calendar_feed",
            "clients": sorted({str(a.client_id) for a in appointments}),
        },
    )
    body = render_to_string(
        "appointments/feed.ics",
        {"appointments": appointments, "stamp": timezone.now()},
    )
    # RFC 5545 lines end in CRLF; the template is written with plain newlines.
    response = HttpResponse(
        body.replace("\r\n", "\n").replace("\n", "\r\n"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="hr-clinic.ics"'
    return response
