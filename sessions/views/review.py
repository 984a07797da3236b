"""Co-signature: the supervisor's review queue, co-sign, return with comments;
and the clinician's own list of notes that wait for them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from audit import services as audit
from hr_clinic.lib.forms import add_service_error
from sessions import language, selectors, services
from sessions.forms import ReturnForm
from sessions.models import TherapySession
from staff.decorators import AuthenticatedHttpRequest, caseload_only, supervisor_only

PAGE_SIZE = 25


@supervisor_only
@require_safe
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Signed notes by the supervisor's team waiting for co-signature, oldest first."""
    notes = selectors.review_queue(supervisor=request.user)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.listed(request.user, "session", page.paginator.count, rows=page.object_list)
    return render(request, "sessions/review_queue.html", {"page": page})


@supervisor_only
@require_POST
def review_cosign(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    session = audit.open_record(
        request, TherapySession.objects.visible_to(request.user), pk=pk
    )
    try:
        services.review_cosign(session=session, by=request.user)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
        return redirect(session)
    messages.success(request, "Co-signed.")
    return redirect("sessions:review_queue")


@supervisor_only
def review_return(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    session = audit.open_record(
        request,
        TherapySession.objects.visible_to(request.user).select_related("client"),
        pk=pk,
    )
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_return(
                session=session, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Returned to the clinician with your comments.")
            if notice := language.summary(form.cleaned_data["comment"]):
                messages.info(request, notice)
            return redirect("sessions:review_queue")
    return render(
        request,
        "sessions/review_return.html",
        {
            "form": form,
            "session": session,
            "client": session.client,
            # The supervisor comments on what they can see on this page.
            "ratings": session.goal_ratings.select_related("goal"),
            "addenda": session.addenda.select_related("author"),
        },
    )


@require_safe
@caseload_only
def my_notes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The notes that wait for their author: returned with comments, drafts, or
    waiting for co-signature (?show=returned|drafts|waiting)."""
    show = request.GET.get("show", "returned")
    if show not in selectors.MY_NOTE_FILTERS:
        show = "returned"
    notes = selectors.my_notes(user=request.user, show=show)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.listed(request.user, "session", page.paginator.count, rows=page.object_list)
    return render(
        request,
        "sessions/my_notes.html",
        {"page": page, "show": show, "filters": selectors.MY_NOTE_FILTERS},
    )
