"""What counts as contact: a signed note of a session that has happened.

Drafts (and discarded drafts) never count, and a session dated in the future or
before 1900 is refused with a clear message, so neither an abandoned draft nor
a typo in the year can take someone off the reach-out list."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from clients.models import Client
from sessions.models import TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from tests.factories import ClientFactory, TherapySessionFactory

Web = Callable[[User | None], DjangoTestApp]
LONG_AGO = datetime.timedelta(days=90)


@pytest.fixture
def quiet_client(clinician: User) -> Client:
    """Taken on three months ago, never seen since: due a reach-out."""
    return ClientFactory.create(
        clinician=clinician,
        chosen_name="Sam Quiet",
        intake_date=timezone.localdate() - LONG_AGO,
    )


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _write_draft(app: DjangoTestApp, client: Client, **fields: str) -> Any:
    page = app.get(reverse("sessions:create", args=[client.pk]))
    form = page.forms["session-form"]
    form["section_brought"] = "We talked about the week."
    form["duration_minutes"] = "40"
    for name, value in fields.items():
        form[name] = value
    return form.submit("action", value="save")


def _reach_out_names(app: DjangoTestApp) -> str:
    return app.get(reverse("clients:reach_out")).text


def test_a_draft_does_not_count_as_contact(
    web: Web, clinician: User, quiet_client: Client
) -> None:
    app = web(clinician)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    _write_draft(app, quiet_client, started_at=_local(yesterday)).follow()
    quiet_client.refresh_from_db()
    assert quiet_client.last_contact_at is None
    assert "Sam Quiet" in _reach_out_names(app)


def test_signing_the_note_makes_the_session_the_last_contact(
    web: Web, clinician: User, quiet_client: Client
) -> None:
    app = web(clinician)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    _write_draft(app, quiet_client, started_at=_local(yesterday))
    session = TherapySession.objects.get(client=quiet_client)
    sign = app.get(reverse("sessions:sign", args=[session.pk])).forms["sign-form"]
    sign["confirm"] = True
    sign.submit().follow()
    quiet_client.refresh_from_db()
    assert quiet_client.last_contact_at == session.started_at
    assert "Sam Quiet" not in _reach_out_names(app)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2027-11-20T10:30", "this session is in the future"),
        ("9999-12-31T23:59", "this session is in the future"),
        ("1899-12-31T10:00", "cannot be dated before 1900"),
    ],
)
def test_a_typo_in_the_year_is_refused_and_the_rest_is_kept(
    web: Web, clinician: User, quiet_client: Client, typed: str, message: str
) -> None:
    app = web(clinician)
    page = _write_draft(app, quiet_client, started_at=typed)
    assert page.status_code == 200
    assert message in page.text
    assert f'value="{typed}"' in page.text  # what was typed stays, to correct
    session = TherapySession.objects.get(client=quiet_client)
    assert session.sections["brought"] == "We talked about the week."
    assert abs(session.started_at - timezone.now()) < datetime.timedelta(minutes=5)
    quiet_client.refresh_from_db()
    assert quiet_client.last_contact_at is None
    assert "Sam Quiet" in _reach_out_names(app)


def test_an_autosave_with_a_future_date_saves_the_rest_and_says_why(
    web: Web, clinician: User, quiet_client: Client
) -> None:
    app = web(clinician)
    form = app.get(reverse("sessions:create", args=[quiet_client.pk])).forms[
        "session-form"
    ]
    form["section_brought"] = "Typed before the date."
    form["started_at"] = "2027-01-02T09:00"
    fields = dict(form.submit_fields())
    fields["action"] = "autosave"
    response = app.post(
        form.action,
        fields,
        headers={"X-Autosave": "1", "X-CSRFToken": fields["csrfmiddlewaretoken"]},
    )
    body = response.json
    assert body["status"] == "saved"
    assert "this session is in the future" in body["errors"]["started_at"][0]["message"]
    session = TherapySession.objects.get(client=quiet_client)
    assert session.sections["brought"] == "Typed before the date."
    assert session.started_at.year == timezone.now().year


def test_a_clock_a_few_minutes_fast_is_fine(
    web: Web, clinician: User, client_record: Client
) -> None:
    soon = timezone.now() + datetime.timedelta(minutes=3)
    _write_draft(web(clinician), client_record, started_at=_local(soon)).follow()
    session = TherapySession.objects.get(client=client_record)
    assert _local(session.started_at) == _local(soon)


def test_the_caseload_never_shows_negative_days_since(
    web: Web, clinician: User, quiet_client: Client
) -> None:
    app = web(clinician)
    _write_draft(app, quiet_client, started_at="2027-11-20T10:30")
    page = app.get(reverse("clients:list"))
    row = page.html.find("a", string="Sam Quiet").find_parent("tr")
    days = int(row.find_all("td")[3].get_text())
    assert days == LONG_AGO.days
    assert "Reach out" in row.get_text()


def test_the_database_refuses_a_session_before_1900(client_record: Client) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapySessionFactory.create(
            client=client_record,
            started_at=datetime.datetime(1026, 11, 20, tzinfo=datetime.UTC),
        )


def test_the_service_refuses_a_future_session_whoever_calls_it(
    client_record: Client, clinician: User
) -> None:
    from django.core.exceptions import ValidationError

    from sessions.services import therapy_session_save_draft

    with pytest.raises(ValidationError, match="in the future"):
        therapy_session_save_draft(
            client=client_record,
            by=clinician,
            session=None,
            expected_version=None,
            form_token=None,
            note_format="hr",
            fields={"started_at": timezone.now() + datetime.timedelta(days=400)},
            sections={"brought": "x"},
            ratings={},
        )


def test_a_signed_note_sets_last_contact_and_an_older_one_does_not_lower_it(
    client_record: Client, clinician: User
) -> None:
    now = timezone.now()
    recent = TherapySessionFactory.create(
        client=client_record, started_at=now - datetime.timedelta(days=2)
    )
    older = TherapySessionFactory.create(
        client=client_record, started_at=now - datetime.timedelta(days=9)
    )
    therapy_session_sign(session=recent, by=clinician, expected_version=1)
    therapy_session_sign(session=older, by=clinician, expected_version=1)
    client_record.refresh_from_db()
    assert client_record.last_contact_at == recent.started_at


def test_existing_last_contacts_are_recomputed_from_signed_notes(
    clinician: User,
) -> None:
    """The data migration: drafts and future dates stop counting."""
    migration = importlib.import_module(
        "sessions.migrations.0016_recompute_last_contact"
    )
    now = timezone.now()
    drafts_only = ClientFactory.create(clinician=clinician)
    TherapySessionFactory.create(client=drafts_only, started_at=now)
    mixed = ClientFactory.create(clinician=clinician)
    signed = TherapySessionFactory.create(
        client=mixed, started_at=now - datetime.timedelta(days=5)
    )
    therapy_session_sign(session=signed, by=clinician, expected_version=1)
    TherapySessionFactory.create(client=mixed, started_at=now)
    # As the old trigger left them: the latest session of any kind, even a
    # draft dated next year.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clients_client SET last_contact_at = %s WHERE id IN (%s, %s)",
            [now + datetime.timedelta(days=300), drafts_only.pk, mixed.pk],
        )
        cursor.execute(migration.FORWARD_SQL)
    drafts_only.refresh_from_db()
    mixed.refresh_from_db()
    assert drafts_only.last_contact_at is None
    assert mixed.last_contact_at == signed.started_at


def _client_form(page: Any) -> Any:
    return next(f for f in page.forms.values() if "chosen_name" in f.fields)


def test_an_intake_date_before_1900_is_refused(web: Web, clinician: User) -> None:
    page = web(clinician).get(reverse("clients:create"))
    form = _client_form(page)
    form["chosen_name"] = "Alex Typo"
    form["intake_date"] = "1026-03-01"
    response = form.submit()
    assert response.status_code == 200
    assert "an intake date cannot be before 1900" in response.text
    assert not Client.objects.filter(chosen_name="Alex Typo").exists()


def test_the_database_refuses_an_intake_before_1900(clinician: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientFactory.create(clinician=clinician, intake_date=datetime.date(1899, 1, 1))
