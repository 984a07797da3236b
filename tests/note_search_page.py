"""The note search's results as a clinician reads them: which notes the page
lists, in its order, and how many pages there are (the page's content is
Jinja2, which leaves no template context to read)."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django.urls import reverse

from sessions.models import TherapySession

_STAND_IN = uuid.UUID(int=0)
_BEFORE, _AFTER = reverse("sessions:detail", args=[_STAND_IN]).split(str(_STAND_IN))
_NOTE_LINK = (
    re.escape(f'<a href="{_BEFORE}') + "([0-9a-f-]{36})" + re.escape(f'{_AFTER}">')
)


def hits(response: Any) -> list[uuid.UUID]:
    """The notes the results page lists, in its order."""
    html = response.text
    start = html.find('<ol class="list-group')
    if start == -1:
        return []
    results = html[start : html.index("</ol>", start)]
    return [uuid.UUID(pk) for pk in re.findall(_NOTE_LINK, results)]


def pages(response: Any) -> int:
    """How many pages of results the page says there are."""
    found = re.search(r"Page \d+ of (\d+)", response.text)
    return int(found.group(1)) if found else 1


def has_next(response: Any) -> bool:
    return ">Next</a>" in response.text


def started(response: Any) -> list[datetime.datetime]:
    """When each listed note's session started, in the page's order."""
    listed = hits(response)
    when = dict(
        TherapySession.objects.filter(pk__in=listed).values_list("pk", "started_at")
    )
    return [when[pk] for pk in listed]


def clients(response: Any) -> set[uuid.UUID]:
    """The clients of the listed notes."""
    return set(
        TherapySession.objects.filter(pk__in=hits(response)).values_list(
            "client_id", flat=True
        )
    )
