"""Fictional demo clients for `manage.py seed_demo`. Every name is made up and
marked "(demo)"; no detail resembles a real person."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from clients.models import Client, ClientStatus, ClosureReason, StatusChange
from staff.models import User

NAMES = [
    "Ash", "Birch", "Cedar", "Dune", "Ember", "Fern", "Gale", "Heath", "Iris",
    "Juniper", "Kestrel", "Lark", "Moss", "Nova", "Oak", "Pebble", "Quill", "Reed",
    "Sage", "Tansy", "Umber", "Vale", "Willow", "Yarrow", "Zephyr", "Aspen",
    "Brook", "Clover", "Dusk", "Elm",
]  # fmt: skip
PRONOUNS = ["she/her", "he/him", "they/them", "she/they", "he/they", ""]
SAFE_TIMES = ["Weekday mornings", "After 6 pm", "Any time", "Not on Sundays", ""]

# How many demo clients each demo clinician carries.
CASELOADS = {
    "clinician": 9,
    "clinician2": 7,
    "intern": 6,
    "outsider": 5,
    "supervisor": 3,
}


@transaction.atomic
def seed_clients() -> tuple[int, int]:
    """Create the demo caseloads; returns (created, already there). Deterministic:
    the same run twice gives the same records."""
    rng = random.Random(2026)
    today = timezone.localdate()
    created = existing = 0
    names = iter(NAMES)
    for username, count in CASELOADS.items():
        clinician = User.objects.get(username=username)
        for index in range(count):
            name = f"{next(names)} (demo)"
            intake = today - datetime.timedelta(days=rng.randint(20, 400))
            client, was_created = Client.objects.get_or_create(
                chosen_name=name,
                defaults={
                    "clinician": clinician,
                    "pronouns": rng.choice(PRONOUNS),
                    "intake_date": intake,
                    "phone": f"555-01{rng.randint(10, 99)}",
                    "texts_ok": rng.choice([True, False, None]),
                    "voicemail_ok": rng.choice([True, False, None]),
                    "safe_times": rng.choice(SAFE_TIMES),
                    "code_word": rng.choice(["", "", "Blue kettle", "Lighthouse"]),
                },
            )
            if not was_created:
                existing += 1
                continue
            created += 1
            if index == count - 1:
                _set_status(client, ClientStatus.PAUSED, clinician)
            elif index == count - 2 and count > 4:
                _set_status(client, ClientStatus.CLOSED, clinician)
    return created, existing


def _set_status(client: Client, status: str, by: User) -> None:
    StatusChange.objects.create(
        client=client,
        from_status=client.status,
        to_status=status,
        reason=ClosureReason.MOVED if status == ClientStatus.CLOSED else "",
        changed_by=by,
    )
    client.status = status
    if status == ClientStatus.CLOSED:
        client.closed_reason = ClosureReason.MOVED
        client.closed_on = timezone.localdate()
    client.save()


def first_open_demo_clients(per_clinician: int) -> list[tuple[int, Client]]:
    """Each demo clinician's first `per_clinician` open, active demo clients
    by name, with their clinician, each with its place (0, 1, …) on that
    caseload: the ones later demo steps (appointments, the client's own voice)
    give a day's work to."""
    picked: list[tuple[int, Client]] = []
    seen: dict[int, int] = {}
    clients = (
        Client.objects.open()
        .active()
        .filter(chosen_name__endswith="(demo)")
        .select_related("clinician")
        .order_by("clinician_id", "chosen_name")
    )
    for client in clients:
        n = seen.get(client.clinician_id, 0)
        if n < per_clinician:
            seen[client.clinician_id] = n + 1
            picked.append((n, client))
    return picked
