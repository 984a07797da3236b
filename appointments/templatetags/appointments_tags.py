from __future__ import annotations

from django import template

from appointments import selectors
from appointments.models import Appointment
from clients.models import Client
from staff.models import User

register = template.Library()


@register.simple_tag
def next_appointments(client: Client, user: User) -> list[Appointment]:
    """The client's next appointments for their record page (one query). A
    tag, so that the clients app needs to know nothing of appointments."""
    return selectors.upcoming_for_client(user=user, client=client)
