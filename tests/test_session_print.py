"""The print view names who the note is about and has a way back (#16 item 15).
In the browser, print styles and the printed page: tests/e2e/test_print.py."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from clients.models import Client
from sessions.models import SessionStatus
from tests.factories import TherapySessionFactory


def test_the_print_view_names_the_client_with_record_id_and_date(
    as_clinician: HttpClient, client_record: Client
) -> None:
    started = timezone.make_aware(dt.datetime(2026, 3, 12, 10, 0))
    note = TherapySessionFactory.create(
        client=client_record,
        started_at=started,
        status=SessionStatus.SIGNED,
        signed_at=started,
    )
    page = as_clinician.get(reverse("sessions:print", args=[note.pk]))
    assertContains(page, '<h1 class="h4 mb-0">Robin Example', html=False)
    assertContains(page, f"Record id {client_record.pk}")
    assertContains(page, "Session note of 12 March 2026")
    back = reverse("sessions:detail", args=[note.pk])
    assertContains(page, f'<a href="{back}">Back to the note</a>', html=True)


def test_the_print_stylesheet_is_for_print_only(
    as_clinician: HttpClient, client_record: Client
) -> None:
    note = TherapySessionFactory.create(
        client=client_record, status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    html = as_clinician.get(reverse("sessions:print", args=[note.pk])).text
    links = re.findall(r"<link[^>]*print\.css[^>]*>", html)
    assert links and all('media="print"' in link for link in links)
