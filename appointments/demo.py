"""Fictional demo appointments for `manage.py seed_demo`: a weekly series for
each clinician's first four open demo clients, from last week on, so Today
and the week view show a day's work."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from appointments.models import Appointment
from appointments.services import Details, Plan, appointment_book
from clients.demo import first_open_demo_clients

TIMES = [(9, 30), (11, 0), (13, 30), (15, 0)]
MODALITIES = ["in_person", "drop_in", "video", "outreach"]


@transaction.atomic
def seed_appointments() -> tuple[int, int]:
    """Returns (clients given a series, clients that already had one)."""
    start = timezone.localdate() - datetime.timedelta(days=7)
    created = existing = 0
    for n, client in first_open_demo_clients(len(TIMES)):
        if Appointment.objects.filter(client=client).exists():
            existing += 1
            continue
        hour, minute = TIMES[n]
        appointment_book(
            client=client,
            by=client.clinician,
            starts_at=timezone.make_aware(
                datetime.datetime.combine(start, datetime.time(hour, minute))
            ),
            details=Details(
                duration_minutes=50, modality=MODALITIES[n], place="The drop-in room"
            ),
            plan=Plan(repeat="weekly", count=10),
        )
        created += 1
    return created, existing
