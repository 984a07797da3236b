from __future__ import annotations

from django import template

from clients.access import may_change_client
from clients.models import Client
from screens import selectors, steps
from staff.models import User

register = template.Library()


@register.simple_tag
def screen_offer(client: Client, user: User) -> list[steps.Step]:
    """The steps "Hand to <name>" offers `user` for `client` (one query, for a
    consent waiting to be signed on the device); none for anyone but the
    client's own clinician, so the form is not shown."""
    if not may_change_client(user, client):
        return []
    consent = selectors.consent_waiting(client=client, user=user)
    return steps.offered(consent_waiting=consent is not None)
