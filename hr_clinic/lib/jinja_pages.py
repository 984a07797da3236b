"""Pages whose content is a Jinja2 template (hr_clinic/jinja2.py) inside the
one `base.html`."""

from __future__ import annotations

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
    page: str = "content_page.html",
) -> HttpResponse:
    """`template` (Jinja2, autoescaped) rendered with `context`, as the content
    of `base.html` under `title`; `page` is content_page.html or a Django
    template extending it (to add the page's scripts, in `extra_js`). Its
    output is already escaped HTML, so it is marked safe to go in unescaped
    once, the way Django's own widgets pass their rendered templates on
    (Widget.render); nothing else is marked."""
    content = render_to_string(template, context, request, using="jinja2")
    return render(
        request,
        page,
        # nosec: already escaped, by the autoescaping Jinja2 template above.
        {"title": title, "content": mark_safe(content)},  # noqa: S308  # nosec B308 B703
    )
