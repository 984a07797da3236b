"""The private calendar feed (issue #21): off by default, on by the
clinician, a secret address that shows times and a record id only, ended by
them; an ended or unknown address is a 404."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import CalendarFeed
from appointments.services import Details, appointment_book
from audit.models import AuditEvent
from clients.models import Client
from staff.models import User

pytestmark = pytest.mark.django_db


def test_turn_on_read_and_turn_off_the_feed(
    web: Any, clinician: User, client_record: Client, settings: Any
) -> None:
    settings.TIME_ZONE = "America/New_York"
    client_record.phone = "555-0100"
    client_record.save()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    appointment_book(
        client=client_record,
        by=clinician,
        starts_at=timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(10, 0))),
        details=Details(duration_minutes=45, modality="in_person", place="Their flat"),
    )
    app = web(clinician)
    page = app.get(reverse("appointments:week")).click("Calendar feed")
    assert page.html.select("[data-testid=feed-off]")
    page = page.forms["feed-on-form"].submit().follow()
    url = page.html.select_one("[data-testid=feed-url] code").text
    assert not CalendarFeed.objects.filter(token_hash__contains=url.rsplit("/", 1)[1])
    # Shown once.
    assert not app.get(reverse("appointments:feed")).html.select(
        "[data-testid=feed-url]"
    )

    feed = web(None).get(url)  # no sign-in: the address is the key
    assert feed.content_type == "text/calendar"
    body = feed.text
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "\r\nEND:VCALENDAR" in body
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(10, 0)))
    assert f"DTSTART:{start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in body
    assert f"record {str(client_record.pk)[:8]}" in body
    for never in (client_record.chosen_name, "Their flat", "555-0100", "in_person"):
        assert never not in body, never
    assert AuditEvent.objects.filter(
        actor=clinician, action="list", detail__via="calendar_feed"
    ).exists()

    app.get(reverse("appointments:feed")).forms["feed-off-form"].submit().follow()
    assert web(None).get(url, status=404)


def test_an_unknown_address_is_a_404_and_the_feed_is_off_by_default(
    web: Any, clinician: User
) -> None:
    assert not CalendarFeed.objects.exists()
    assert web(None).get(
        reverse("appointments:feed_ics", args=["not-a-real-token"]), status=404
    )
    page = web(clinician).get(reverse("appointments:feed"))
    assert page.html.select("[data-testid=feed-off]")


def test_a_new_address_ends_the_old_one(web: Any, clinician: User) -> None:
    app = web(clinician)
    first = (
        app.get(reverse("appointments:feed")).forms["feed-on-form"].submit().follow()
    )
    old = first.html.select_one("[data-testid=feed-url] code").text
    second = first.forms["feed-new-form"].submit().follow()
    new = second.html.select_one("[data-testid=feed-url] code").text
    assert old != new
    assert web(None).get(old, status=404)
    assert re.search(r"VCALENDAR", web(None).get(new).text)
