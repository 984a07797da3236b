"""Pages whose content is a Jinja2 template (hr_clinic/jinja2.py) inside the
one `base.html`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


def render_content(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    scripts: Sequence[str] = (),
) -> HttpResponse:
    """`template` (Jinja2, autoescaped) rendered with `context`, as the content
    of `base.html` under `title`, with `scripts` (static paths) at the end of
    the page as its `extra_js`. Its output is already escaped HTML, so it is
    marked safe to go in unescaped once, the way Django's own widgets pass
    their rendered templates on (Widget.render); nothing else is marked."""
    content = render_to_string(template, context, request, using="jinja2")
    return render(
        request,
        "content_page.html",
        # nosec: already escaped, by the autoescaping Jinja2 template above.
        {"title": title, "content": mark_safe(content), "scripts": scripts},  # noqa: S308  # nosec B308 B703
    )
