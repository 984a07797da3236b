from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from staff.models import User

P = ParamSpec("P")


class AuthenticatedHttpRequest(HttpRequest):
    """A request from a signed-in staff member (LoginRequiredMiddleware ensures it)."""

    user: User


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
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Pages for one role: anyone else gets a 404, as for any page outside their role
# (DESIGN.md), whatever the method. Put them above @require_POST.
admin_only = _role_only(lambda user: user.is_admin)
supervisor_only = _role_only(lambda user: user.is_supervisor)


def client_address(request: HttpRequest) -> str:
    """The address a request came from. Behind a proxy that appends the client's
    address to X-Forwarded-For (TRUST_X_FORWARDED_FOR), the last entry is the one
    that proxy saw; earlier entries come from the client and could be forged."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return str(request.META.get("REMOTE_ADDR", ""))
