"""Who may open a page, by role, and the request type views use for a signed-in
staff member (as healthchecks keeps them in hc/accounts/decorators.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.http import Http404, HttpRequest, HttpResponse

from audit.models import Action, Outcome
from staff.models import User

P = ParamSpec("P")


class AuthenticatedHttpRequest(HttpRequest):
    """A request from a signed-in staff member (LoginRequiredMiddleware ensures it)."""

    user: User


def _record_denied(request: AuthenticatedHttpRequest) -> None:
    """A page outside the person's role: a denied event naming the route and
    the ids in its path (a path holds ids only, never words), while the answer
    stays a plain 404."""
    from audit import services as audit  # audit's views import this module

    match = request.resolver_match
    audit.record(
        actor=request.user,
        action=Action.READ,
        object_type="page",
        object_id=match.view_name if match else "",
        outcome=Outcome.DENIED,
        detail={"path_ids": {k: str(v) for k, v in match.kwargs.items()}}
        if match and match.kwargs
        else None,
    )


def _role_only(
    allowed: Callable[[User], bool],
) -> Callable[
    [Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse]],
    Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse],
]:
    def decorator(
        view: Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse],
    ) -> Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse]:
        @functools.wraps(view)
        def wrapper(
            request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            if not (request.user.is_active and allowed(request.user)):
                _record_denied(request)
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Pages for one role: anyone else gets a 404, as for any page outside their role
# (docs/design.md), whatever the method. Put them above @require_POST.
admin_only = _role_only(lambda user: user.is_admin)
supervisor_only = _role_only(lambda user: user.is_supervisor)
# Pages of a caseload: admins hold none and see no clinical pages, so they get a
# 404 like any other page outside their role. Put it below the method decorator
# (@require_safe, @require_POST): a wrong method is a 405 for everyone first.
caseload_only = _role_only(lambda user: user.carries_caseload)
# Service figures (reports/): supervisors (their team's) and admins (the whole
# service, aggregate only); clinicians get a 404 (docs/design.md, role table).
figures_only = _role_only(lambda user: user.is_supervisor or user.is_admin)
