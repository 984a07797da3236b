from __future__ import annotations

from django import template

from clients.models import Client
from consents import selectors
from consents.models import NoticeGiven
from staff.models import User

register = template.Library()


@register.simple_tag
def notice_given(client: Client, user: User) -> NoticeGiven | None:
    """For the client page's notice line (one query). A tag, so that the
    clients app needs to know nothing of consents."""
    return selectors.notice_latest(client=client, user=user)
