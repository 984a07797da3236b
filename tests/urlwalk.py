"""Every URL pattern of the project, with sample arguments, for walking tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

SAMPLE_BY_CONVERTER = {
    "uuid": str(uuid.UUID(int=1)),
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "path": "sample",
}


# The only routes that answer without signing in (and without a second factor).
PUBLIC_ROUTES = frozenset(
    # The calendar feed answers its secret address, never a session.
    # The client's screen closed by a time-out: a neutral page, for anyone.
    {
        "login",
        "set_password",
        "logout",
        "healthz",
        "appointments:feed_ics",
        "screen:closed",
    }
)


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself when unnamed
    path: str  # a concrete path with sample arguments


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str
) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if not isinstance(entry.pattern, RoutePattern):
                continue
            ns = entry.namespace or namespace
            route = prefix + _fill(entry.pattern)
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry.pattern, RoutePattern):
            full = prefix + _fill(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or full)
            yield Route(name=name, path="/" + full)


def _fill(pattern: RoutePattern) -> str:
    route = str(pattern)
    for key, converter in pattern.converters.items():
        kind = type(converter).__name__.removesuffix("Converter").lower()
        sample = SAMPLE_BY_CONVERTER.get(kind, "1")
        for token in (f"<{kind}:{key}>", f"<{key}>"):
            route = route.replace(token, sample)
    return route


def project_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", ""))


def post_routes_file(folder: str) -> str:
    return f"{folder}/post-routes.json"
