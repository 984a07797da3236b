from django.http import HttpResponse
from django.shortcuts import render

from staff.decorators import AuthenticatedHttpRequest


def baseline(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who am I: the benchmark's baseline page (routed only by bench.urls).
    Sign-in required like every page; one primary-key query for the user."""
    return render(request, "bench/baseline.html", {"name": request.user.name})
