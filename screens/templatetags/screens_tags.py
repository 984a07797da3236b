from __future__ import annotations

from django import template

from clients.access import may_change_client
from clients.models import Client
from measures import definitions
from screens import selectors, steps
from staff.models import User

register = template.Library()


@register.simple_tag
def screen_offer(client: Client, user: User, note: object = None) -> list[steps.Step]:
    """The steps "Hand to <name>" offers `user` for `client`, from `note` (a
    draft) if given: one query, for a consent waiting to be signed on the
    device; none for anyone but the client's own clinician, so the form is
    not shown."""
    if not may_change_client(user, client):
        return []
    consent = selectors.consent_waiting(client=client, user=user)
    return steps.offered(consent_waiting=consent is not None, from_note=bool(note))


@register.simple_tag
def screen_measure_choices() -> list[tuple[str, str]]:
    """The questionnaires a clinician may offer on the screen
    (measures.definitions), as (code, name)."""
    return [(m.code, m.full_name) for m in definitions.MEASURES.values()]
