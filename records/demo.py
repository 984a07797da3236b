"""Fictional demo requests for `manage.py seed_demo`: one request for a copy
and one request to change the record, waiting on each clinician's due list."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from records.amendments import amendment_request_record
from records.models import AmendmentRequest, CopyFormat, CopyRequest
from records.services import copy_request_log


@transaction.atomic
def seed_records() -> tuple[int, int]:
    """For each clinician's first open demo client: a copy asked for 20 days
    ago (due in 10) and a change to their pronouns asked for 10 days ago.
    Returns (clients given requests, clients that already had some)."""
    today = timezone.localdate()
    created = existing = 0
    seen: set[int] = set()
    clients = (
        Client.objects.open()
        .filter(chosen_name__endswith="(demo)")
        .select_related("clinician")
        .order_by("clinician_id", "chosen_name")
    )
    for client in clients:
        if client.clinician_id in seen:
            continue
        seen.add(client.clinician_id)
        if (
            CopyRequest.objects.filter(client=client).exists()
            or AmendmentRequest.objects.filter(client=client).exists()
        ):
            existing += 1
            continue
        copy_request_log(
            client=client,
            by=client.clinician,
            asked_on=today - datetime.timedelta(days=20),
            format=CopyFormat.BOTH,
        )
        amendment_request_record(
            client=client,
            by=client.clinician,
            part="other",
            other_part="my pronouns",
            what="Please write they/them everywhere",
            why="That is who I am",
            asked_on=today - datetime.timedelta(days=10),
        )
        created += 1
    return created, existing
