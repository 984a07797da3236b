"""The audit trail's head is kept outside the table (the log every N events,
each backup's manifest), and verify_audit finds rows cut from the end of the
trail, which the chain alone cannot show; the database dates every event."""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit import services as audit
from audit.models import Action, AuditEvent
from staff.models import User


def _events(user: User, n: int) -> list[AuditEvent]:
    for _ in range(n):
        audit.record(actor=user, action=Action.LIST, object_type="client")
    return list(AuditEvent.objects.order_by("seq"))


def _cut_tail(from_seq: int) -> None:
    """What only the table's owner can do: lift the guard and delete the end."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq >= %s", [from_seq])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


# Cuts rows from the trail, which only the table's owner can do.
@pytest.mark.owner_role
def test_verify_finds_rows_cut_from_the_end_of_a_given_head(clinician: User) -> None:
    events = _events(clinician, 5)
    head = f"{events[-1].seq}:{events[-1].hash}"
    out = StringIO()
    call_command("verify_audit", "--head", head, stdout=out)
    assert "Matches the head the --head argument recorded (seq 5)" in out.getvalue()

    _cut_tail(4)
    # Without the head from outside, what is left still links.
    plain = StringIO()
    call_command("verify_audit", stdout=plain)
    assert "No head from outside the table was given" in plain.getvalue()
    assert "backup's manifest" in plain.getvalue()
    with pytest.raises(CommandError, match=r"rows 4–5 are missing from the end"):
        call_command("verify_audit", "--head", head, stdout=StringIO())


def test_a_head_whose_hash_differs_is_a_rewritten_trail(clinician: User) -> None:
    events = _events(clinician, 3)
    with pytest.raises(CommandError, match="seq=2 .*not the head"):
        call_command("verify_audit", "--head", f"2:{'0' * 64}", stdout=StringIO())
    with pytest.raises(CommandError, match="is not SEQ:HASH"):
        call_command("verify_audit", "--head", events[0].hash, stdout=StringIO())


# Cuts rows from the trail, which only the table's owner can do.
@pytest.mark.owner_role
def test_the_head_goes_to_the_log_every_n_events_once_committed(
    clinician: User,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Callable[..., Any],
    tmp_path: Path,
) -> None:
    settings.AUDIT_HEAD_LOG_EVERY = 3
    with (
        caplog.at_level(logging.INFO, logger="hr_clinic.audit_head"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        events = _events(clinician, 7)
    lines = [r.getMessage() for r in caplog.records if r.name == "hr_clinic.audit_head"]
    assert lines == [
        f"audit chain head seq=3 hash={events[2].hash}",
        f"audit chain head seq=6 hash={events[5].hash}",
    ]
    log = tmp_path / "app.log"
    # As the JSON formatter writes it, among other lines.
    log.write_text(
        "\n".join(json.dumps({"logger": "x", "message": m}) for m in ["a", *lines])
    )
    out = StringIO()
    call_command("verify_audit", "--log", str(log), stdout=out)
    assert "Matches the head the log app.log recorded (seq 6)" in out.getvalue()
    _cut_tail(5)
    with pytest.raises(CommandError, match=r"seq=5: rows 5–6 are missing.*app\.log"):
        call_command("verify_audit", "--log", str(log), stdout=StringIO())


def test_a_rolled_back_event_is_never_logged_as_the_head(
    clinician: User,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.AUDIT_HEAD_LOG_EVERY = 1
    with caplog.at_level(logging.INFO, logger="hr_clinic.audit_head"):
        with django_capture_on_commit_callbacks() as callbacks:
            _events(clinician, 1)
        # The test's transaction never commits: nothing was run, nothing logged.
        assert len(callbacks) == 1
    assert not [r for r in caplog.records if r.name == "hr_clinic.audit_head"]


def test_the_database_dates_every_event_whatever_the_caller_sends(
    clinician: User,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (occurred_at, actor_role, action,"
            " object_type, object_id, outcome, user_agent, request_id, detail,"
            " prev_hash, hash) VALUES ('1999-01-01T00:00:00Z', '', 'list', 'client',"
            " '', 'allowed', '', '', '{}', '', '') RETURNING occurred_at,"
            " occurred_at >= now(), occurred_at <= clock_timestamp()"
        )
        occurred_at, after_start, before_now = cursor.fetchone()
    assert occurred_at.year != 1999
    assert after_start and before_now
    # The ORM sends no time at all and reads the database's back.
    event = AuditEvent.objects.create(
        action=Action.LIST,
        occurred_at=datetime.datetime(1999, 1, 1, tzinfo=datetime.UTC),
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.occurred_at.year != 1999
    assert stored.occurred_at >= occurred_at
    call_command("verify_audit", stdout=StringIO())
