"""/healthz, and logs that never carry a name, a search word or note text."""

from __future__ import annotations

import logging
import sys
import uuid

import pytest
from django.db import IntegrityError
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client
from hr_clinic.lib import health
from hr_clinic.lib.logs import JsonFormatter, RedactRequestDetails
from tests.factories import TherapySessionFactory

MARKERS = ("Xylophonia Markerton", "plorbwizzle", "zebrafrond")


@pytest.mark.django_db
def test_healthz_answers_without_sign_in(client: HttpClient) -> None:
    health._migrations_applied = False
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "applied",
    }
    assert (
        "no-cache" in response["Cache-Control"]
        or "no-store" in response["Cache-Control"]
    )


@pytest.mark.django_db
def test_healthz_is_503_with_a_pending_migration(
    client: HttpClient, settings: object
) -> None:
    settings.MIGRATION_MODULES = {"audit": "tests.pending_migrations"}  # type: ignore[attr-defined]
    health._migrations_applied = False
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"
    health._migrations_applied = False


def _formatted(records: list[logging.LogRecord]) -> list[str]:
    formatter, redact = JsonFormatter(), RedactRequestDetails()
    lines = []
    for record in records:
        redact.filter(record)
        lines.append(formatter.format(record))
    return lines


def test_no_log_line_carries_health_data(
    as_clinician: HttpClient,
    client_record: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    name, note_word, search_word = MARKERS
    caplog.set_level(logging.DEBUG)
    as_clinician.post(reverse("clients:create"), {"chosen_name": name})
    as_clinician.post(reverse("clients:search"), {"q": search_word})
    as_clinician.get(reverse("clients:list"))
    note = TherapySessionFactory.create(client=client_record)
    as_clinician.post(
        reverse("sessions:update", args=[note.pk]),
        {"version": note.version, "section_did": f"We talked about {note_word}"},
        HTTP_X_AUTOSAVE="1",
    )
    as_clinician.post(reverse("sessions:search"), {"q": note_word})
    as_clinician.get(reverse("sessions:search_results"))
    as_clinician.post(reverse("sessions:language_check"), {"text": note_word})
    # A stray query string and a missing page: Django logs "Not Found: <path>".
    as_clinician.get(
        reverse("clients:detail", args=[uuid.uuid4()]) + f"?q={search_word}"
    )
    lines = _formatted(caplog.records)
    requests = [line for line in lines if '"logger": "hr_clinic.requests"' in line]
    assert len(requests) >= 8
    assert all('"request_id": "' in line and '"ms": ' in line for line in requests)
    assert any('"status": 404' in line for line in requests)
    for line in lines:
        for marker in MARKERS:
            assert marker.lower() not in line.lower(), line


def test_an_exception_is_logged_without_its_message() -> None:
    logger = logging.getLogger("hr_clinic.test")
    try:
        raise IntegrityError(f'Failing row contains ({MARKERS[0]}, "{MARKERS[1]}")')
    except IntegrityError:
        record = logger.makeRecord(
            "hr_clinic.test",
            logging.ERROR,
            __file__,
            1,
            "save failed",
            (),
            sys.exc_info(),
        )
    line = JsonFormatter().format(record)
    assert '"exception": "IntegrityError"' in line
    assert "test_operations.py" in line
    for marker in MARKERS[:2]:
        assert marker not in line
