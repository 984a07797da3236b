"""Pages whose content is a Jinja2 template (hr_clinic/jinja2.py), inside the
frame of every page: `content_page.jinja`, the Jinja2 twin of `base.html`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from markupsafe import Markup

from hr_clinic.lib.session_timeout import idle_timeout


def render_content(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    scripts: Sequence[str] = (),
) -> HttpResponse:
    """`template` (Jinja2, autoescaped) rendered with `context`, as the content
    of the page's frame under `title`, with `scripts` (static paths) at the end
    of the page. The frame is `content_page.jinja`, base.html's markup in
    Jinja2 (tests/test_page_frame.py holds them to the same markup): with
    Django's template language and its includes, the frame alone was 3,600 of
    a caseload request's 18,000 Python calls (issue #25). The content is
    already escaped HTML, so it goes in as markup, unescaped once; nothing
    else is marked. The frame reads what base.html's context processors give
    it: the messages and the idle warning."""
    content = render_to_string(template, context, request, using="jinja2")
    frame = {
        "title": title,
        "content": Markup(content),  # nosec B704 - escaped by the Jinja2 template above
        "scripts": scripts,
        "messages": get_messages(request),
        **idle_timeout(request),
    }
    return HttpResponse(
        render_to_string("content_page.jinja", frame, request, using="jinja2")
    )
