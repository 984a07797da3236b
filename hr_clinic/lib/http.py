from __future__ import annotations

from django.http import HttpRequest

from staff.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request from a signed-in staff member (LoginRequiredMiddleware ensures it)."""

    user: User
