from __future__ import annotations

from django import template

from clients.models import Client
from goals.models import Goal
from records import selectors
from records.selectors import AmendmentEntry
from sessions.models import TherapySession
from staff.models import User

register = template.Library()


@register.simple_tag
def amendments_on(
    client: Client,
    user: User,
    note: TherapySession | None = None,
    goal: Goal | None = None,
) -> list[AmendmentEntry]:
    """The decided requests to change `note`, `goal` or (neither given) the
    parts of `client`'s record named in words, to show with that part (one
    query). A tag, so that the sessions, goals and clients apps need to know
    nothing of amendment requests."""
    found = selectors.amendment_statements(client=client, user=user)
    if note is not None:
        return found.for_note(note.pk)
    if goal is not None:
        return found.for_goal(goal.pk)
    return found.other
