from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from clients.access import Access, open_client_to_change, open_goal
from goals import services
from goals.forms import ChangeForm, GoalForm, RatingForm, RewordForm, StatusForm
from goals.models import Goal, GoalStatus
from hr_clinic.lib.forms import add_service_error
from sessions import language
from staff.decorators import AuthenticatedHttpRequest
from staff.models import User

FOURTH_GOAL_NOTE = (
    "Goal Based Outcomes suggests working on up to three goals at a time, so each "
    "gets attention. The person can still have more if they want to."
)


def _open_goal(
    request: AuthenticatedHttpRequest, pk: object, *, to_change: bool = False
) -> tuple[Goal, Access]:
    """A goal of a client the signed-in person may see (404 otherwise); with
    `to_change`, one on their own caseload (403 for a supervisee's)."""
    return open_goal(request, pk, to_change=to_change, records=_goal_page_goal)


def _goal_page_goal(_: User) -> QuerySet[Goal]:
    """A goal as its pages show it (clients.access.open_goal)."""
    return Goal.objects.select_related("client__clinician", "replaced_by")


def _language_notice(request: AuthenticatedHttpRequest, form: RewordForm) -> None:
    """The language guide's suggestions for the goal's words, why it matters and
    (changing a goal) why it changed, after a save: the page it lands on shows
    no suggestion fragment. Never blocks anything."""
    texts = (form.cleaned_data.get(f) for f in ("wording", "why_it_matters", "note"))
    if notice := language.summary("\n\n".join(t for t in texts if t)):
        messages.info(request, notice)


def goal_create(request: AuthenticatedHttpRequest, client_pk: object) -> HttpResponse:
    client = open_client_to_change(request, client_pk)
    active = services.active_goal_count(client)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(
                client=client,
                by=request.user,
                wording=form.cleaned_data["wording"],
                why_it_matters=form.cleaned_data["why_it_matters"],
                area=form.cleaned_data["area"],
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Goal added.")
            _language_notice(request, form)
            if active >= services.SUGGESTED_ACTIVE_GOALS:
                messages.info(request, FOURTH_GOAL_NOTE)
            return redirect(goal)
    return render(
        request,
        "goals/goal_form.html",
        {
            "form": form,
            "client": client,
            "active_count": active,
            "suggest_fewer": active >= services.SUGGESTED_ACTIVE_GOALS,
            "fourth_goal_note": FOURTH_GOAL_NOTE,
        },
    )


@require_safe
def goal_detail(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    goal, access = _open_goal(request, pk)
    return render(
        request,
        "goals/goal_detail.html",
        {
            "goal": goal,
            "client": goal.client,
            # A goal is its client's to change.
            "client_access": access,
            "ratings": list(goal.ratings.all()),
            "revisions": list(goal.revisions.select_related("revised_by")),
            "status_changes": list(goal.status_changes.select_related("changed_by")),
            "replaces": list(goal.replaces.all()),
            "rating_form": RatingForm(),
            "status_form": StatusForm(),
        },
    )


def goal_update(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Reword a goal; the old wording is kept in its history."""
    goal, _ = _open_goal(request, pk, to_change=True)
    form = RewordForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_reword(goal=goal, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, "Saved. The earlier wording stays in the history."
            )
            _language_notice(request, form)
            return redirect(goal)
    goal.refresh_from_db()  # the page header shows the saved wording
    return render(
        request,
        "goals/goal_update.html",
        {"form": form, "goal": goal, "client": goal.client},
    )


def goal_rate(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    goal, _ = _open_goal(request, pk, to_change=True)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_rate(goal=goal, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Rating of {form.cleaned_data['score']} saved.")
            return redirect(goal)
    return render(
        request,
        "goals/goal_rate.html",
        {"form": form, "goal": goal, "client": goal.client},
    )


@require_POST
def goal_status_update(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Mark reached, set aside, or take up again."""
    goal, _ = _open_goal(request, pk, to_change=True)
    to_status = {
        "reached": GoalStatus.REACHED,
        "set_aside": GoalStatus.SET_ASIDE,
        "active": GoalStatus.ACTIVE,
    }.get(request.POST.get("status", ""))
    form = StatusForm(request.POST)
    if to_status is None or not form.is_valid():
        messages.error(request, "That change is not available.")
        return redirect(goal)
    try:
        services.goal_set_status(
            goal=goal,
            by=request.user,
            to_status=to_status,
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Goal marked: {to_status.label.lower()}.")
    return redirect(goal)


def goal_change(request: AuthenticatedHttpRequest, pk: object) -> HttpResponse:
    """Change a goal into a new one, linking the two."""
    goal, _ = _open_goal(request, pk, to_change=True)
    form = ChangeForm(request.POST or None, initial={"area": goal.area})
    if request.method == "POST" and form.is_valid():
        try:
            successor = services.goal_change(
                goal=goal, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The goal changed into a new one. Both are kept.")
            _language_notice(request, form)
            return redirect(successor)
    return render(
        request,
        "goals/goal_change.html",
        {"form": form, "goal": goal, "client": goal.client},
    )
