"""Appointments (issue #21): booking one or a series, daylight saving, editing
one or the rest, outcomes, logging the session from an appointment, "didn't
make it" and the reach-out list, overlaps, who may do what, and PostgreSQL
keeping every appointment."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments import selectors
from appointments.models import Appointment, AppointmentSeries, Outcome
from appointments.services import Details, Plan, appointment_book
from audit.models import AuditEvent
from clients.models import Client
from sessions.models import TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from tests.db_roles import refusal
from tests.factories import AppointmentFactory, ClientFactory, TherapySessionFactory

NY = "America/New_York"
UTC = datetime.UTC


def _book_page(web: Any, user: User, client: Client) -> Any:
    """The booking form, reached from the record's "Book an appointment"."""
    record = web(user).get(reverse("clients:detail", args=[client.pk]))
    return record.click("Book an appointment").forms["appointment-form"]


def _fill(form: Any, *, date: str, time: str, minutes: int = 50) -> Any:
    form["date"] = date
    form["time"] = time
    form["duration_minutes"] = str(minutes)
    return form


def test_a_weekly_series_keeps_its_local_time_across_daylight_saving(
    web: Any, settings: Any, clinician: User, client_record: Client
) -> None:
    settings.TIME_ZONE = NY
    form = _fill(
        _book_page(web, clinician, client_record), date="2026-10-19", time="10:00"
    )
    form["repeat"] = "weekly"
    form["count"] = "4"
    page = form.submit().follow()
    assert "Series booked." in page.text
    starts = list(
        Appointment.objects.filter(client=client_record)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    # EDT (UTC-4) until 1 November 2026, EST (UTC-5) after: 10:00 local.
    assert [s.astimezone(UTC).hour for s in starts] == [14, 14, 15, 15]
    zone = zoneinfo.ZoneInfo(NY)
    assert {s.astimezone(zone).time() for s in starts} == {datetime.time(10, 0)}
    assert [s.astimezone(zone).date().isoformat() for s in starts] == [
        "2026-10-19",
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
    ]
    series = AppointmentSeries.objects.get(client=client_record)
    assert (series.local_time, series.time_zone) == (datetime.time(10, 0), NY)
    # The series is on the appointment page; each occurrence was audited.
    assert page.html.select("[data-testid=series] li").__len__() == 4
    created = AuditEvent.objects.filter(action="create", client_id=client_record.pk)
    assert created.filter(object_type="appointment").count() == 4


def test_a_series_is_capped_at_two_years(
    clinician: User, client_record: Client
) -> None:
    start = timezone.now() + datetime.timedelta(days=1)
    appointment_book(
        client=client_record,
        by=clinician,
        starts_at=start,
        details=Details(duration_minutes=50, modality="in_person"),
        plan=Plan(repeat="weekly", until=start.date() + datetime.timedelta(days=3000)),
    )
    assert Appointment.objects.filter(client=client_record).count() == 104


def test_monthly_keeps_the_day_of_the_month(
    settings: Any, clinician: User, client_record: Client
) -> None:
    settings.TIME_ZONE = NY
    with timezone.override(NY):
        appointment_book(
            client=client_record,
            by=clinician,
            starts_at=timezone.make_aware(datetime.datetime(2027, 1, 31, 9, 30)),
            details=Details(duration_minutes=30, modality="phone"),
            plan=Plan(repeat="monthly", count=3),
        )
    zone = zoneinfo.ZoneInfo(NY)
    days = [
        a.starts_at.astimezone(zone).date().isoformat()
        for a in Appointment.objects.filter(client=client_record)
    ]
    assert days == ["2027-01-31", "2027-02-28", "2027-03-31"]


def _series(clinician: User, client: Client, *, count: int = 4) -> list[Appointment]:
    first = appointment_book(
        client=client,
        by=clinician,
        starts_at=timezone.now().replace(second=0, microsecond=0)
        + datetime.timedelta(days=1),
        details=Details(duration_minutes=50, modality="in_person"),
        plan=Plan(repeat="weekly", count=count),
    )
    return list(Appointment.objects.filter(series=first.series).order_by("starts_at"))


def _edit(web: Any, user: User, appointment: Appointment) -> Any:
    page = web(user).get(appointment.get_absolute_url())
    return page.click(href=reverse("appointments:update", args=[appointment.pk]))


def test_editing_this_one_changes_only_it(
    web: Any, clinician: User, client_record: Client
) -> None:
    occurrences = _series(clinician, client_record)
    second = occurrences[1]
    form = _edit(web, clinician, second).forms["appointment-form"]
    assert form["scope"].value == "this"
    form["duration_minutes"] = "90"
    form["place"] = "Room 2"
    form.submit().follow()
    after = list(Appointment.objects.filter(series=second.series).order_by("starts_at"))
    assert [a.duration_minutes for a in after] == [50, 90, 50, 50]
    assert [a.place for a in after] == ["", "Room 2", "", ""]


def test_editing_the_rest_leaves_earlier_ones_and_ones_with_an_outcome(
    web: Any, clinician: User, client_record: Client
) -> None:
    first, second, third, fourth = _series(clinician, client_record)
    Appointment.objects.filter(pk=third.pk).update(
        outcome=Outcome.CANCELLED_CLIENT,
        outcome_recorded_at=timezone.now(),
        outcome_recorded_by=clinician,
    )
    page = _edit(web, clinician, second)
    form = page.forms["appointment-form"]
    new_time = (
        timezone.localtime(second.starts_at) + datetime.timedelta(hours=2)
    ).time()
    form["time"] = new_time.strftime("%H:%M")
    form["modality"] = "video"
    form["scope"] = "rest"
    form.submit().follow()
    for appointment in (first, second, third, fourth):
        appointment.refresh_from_db()
    assert first.modality == "in_person"
    assert third.modality == "in_person"  # it has an outcome: never touched
    assert (second.modality, fourth.modality) == ("video", "video")
    assert timezone.localtime(fourth.starts_at).time() == new_time
    assert fourth.starts_at - second.starts_at == datetime.timedelta(weeks=2)


def _past(clinician: User, client: Client, **kwargs: Any) -> Appointment:
    return AppointmentFactory.create(
        client=client,
        starts_at=timezone.now().replace(second=0, microsecond=0)
        - datetime.timedelta(hours=2),
        **kwargs,
    )


def test_after_its_time_it_asks_what_happened(
    web: Any, clinician: User, client_record: Client
) -> None:
    future = AppointmentFactory.create(client=client_record)
    page = web(clinician).get(future.get_absolute_url())
    choices = {o[0] for o in page.forms["outcome-form"]["outcome"].options}
    assert choices == {"rescheduled", "cancelled_client", "cancelled_us"}
    past = _past(clinician, client_record)
    page = web(clinician).get(past.get_absolute_url())
    assert "What happened?" in page.text
    choices = {o[0] for o in page.forms["outcome-form"]["outcome"].options}
    assert choices == set(Outcome.values)
    form = page.forms["outcome-form"]
    form["outcome"] = "cancelled_us"
    page = form.submit().follow()
    past.refresh_from_db()
    assert (past.outcome, past.outcome_recorded_by) == ("cancelled_us", clinician)
    assert "Cancelled by us" in page.text


def test_met_and_didnt_make_it_wait_for_the_time(
    as_clinician: Any, client_record: Client
) -> None:
    future = AppointmentFactory.create(client=client_record)
    as_clinician.post(
        reverse("appointments:outcome", args=[future.pk]), {"outcome": "met"}
    )
    future.refresh_from_db()
    assert future.outcome == ""


def test_rescheduling_books_the_new_time_and_links_it(
    web: Any, clinician: User, client_record: Client
) -> None:
    past = _past(clinician, client_record)
    form = web(clinician).get(past.get_absolute_url()).forms["outcome-form"]
    form["outcome"] = "rescheduled"
    new_day = timezone.localdate() + datetime.timedelta(days=3)
    form["new_date"] = new_day.isoformat()
    form["new_time"] = "11:15"
    page = form.submit().follow()
    past.refresh_from_db()
    moved = past.rescheduled_to
    assert moved is not None and moved.outcome == ""
    assert timezone.localtime(moved.starts_at).date() == new_day
    assert page.request.path == moved.get_absolute_url()


def test_log_the_session_from_the_appointment_links_the_note(
    web: Any, clinician: User, client_record: Client
) -> None:
    past = _past(clinician, client_record, duration_minutes=75, modality="phone")
    past.place = "Outreach van"
    past.save()
    app = web(clinician)
    page = app.get(past.get_absolute_url()).click("Log the session")
    form = page.forms["session-form"]
    assert form["duration_minutes"].value == "75"
    assert form["modality"].value == "phone"
    assert form["location"].value == "Outreach van"
    local = timezone.localtime(past.starts_at)
    assert form["started_at"].value == local.strftime("%Y-%m-%dT%H:%M")
    form.submit("action", value="save").follow()
    past.refresh_from_db()
    note = TherapySession.objects.get(client=client_record)
    assert past.session == note and past.outcome == "met"
    assert (note.duration_minutes, note.modality) == (75, "phone")
    page = app.get(past.get_absolute_url())
    assert page.html.select("[data-testid=linked-note]")
    assert "Log the session" not in page.text


def test_didnt_make_it_puts_them_on_the_reach_out_list_at_once(
    web: Any, clinician: User, client_record: Client
) -> None:
    # Seen yesterday (a signed note): not due by days.
    therapy_session_sign(
        session=TherapySessionFactory.create(
            client=client_record,
            started_at=timezone.now() - datetime.timedelta(days=1),
        ),
        by=clinician,
        expected_version=1,
    )
    past = _past(clinician, client_record)
    nxt = AppointmentFactory.create(client=client_record)
    app = web(clinician)
    reach_out = app.get(reverse("clients:list")).click("Reach-out list")
    assert "Robin Example" not in reach_out.text
    form = app.get(past.get_absolute_url()).forms["outcome-form"]
    form["outcome"] = "didnt_make_it"
    page = form.submit().follow()
    outcome = page.html.select_one("[data-testid=outcome]")
    assert outcome is not None and "Didn't make it" in outcome.text
    reach_out = app.get(reverse("clients:list")).click("Reach-out list")
    assert "Robin Example" in reach_out.text
    # The row says why: not the days since contact, the appointment.
    why = reach_out.html.select_one("[data-testid=why-due]")
    assert why is not None and "Didn’t make it to an appointment" in why.text
    # Nothing else changes: open, and the next appointment still stands.
    client_record.refresh_from_db()
    nxt.refresh_from_db()
    assert client_record.status == "active" and nxt.outcome == ""
    # A new contact after it takes them off again.
    therapy_session_sign(
        session=TherapySessionFactory.create(
            client=client_record,
            started_at=timezone.now() - datetime.timedelta(minutes=5),
        ),
        by=clinician,
        expected_version=1,
    )
    reach_out = app.get(reverse("clients:list")).click("Reach-out list")
    assert "Robin Example" not in reach_out.text


def test_an_overlap_is_shown_and_can_be_booked_anyway(
    web: Any, clinician: User, client_record: Client
) -> None:
    other = ClientFactory.create(clinician=clinician, chosen_name="Sam Other")
    day = timezone.localdate() + datetime.timedelta(days=2)
    AppointmentFactory.create(
        client=other,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(10))
        ),
    )
    form = _fill(
        _book_page(web, clinician, client_record),
        date=day.isoformat(),
        time="10:30",
    )
    page = form.submit()
    assert page.html.select("[data-testid=overlaps]")
    assert "Sam Other" in page.text
    assert not Appointment.objects.filter(client=client_record).exists()
    page = page.forms["appointment-form"].submit("anyway").follow()
    assert "Appointment booked." in page.text
    assert Appointment.objects.filter(client=client_record).count() == 1


def test_no_warning_next_to_a_cancelled_one(
    clinician: User, client_record: Client
) -> None:
    start = timezone.now() + datetime.timedelta(days=1)
    AppointmentFactory.create(
        client=client_record,
        starts_at=start,
        outcome="cancelled_client",
        outcome_recorded_at=timezone.now(),
        outcome_recorded_by=clinician,
    )
    end = start + datetime.timedelta(minutes=30)
    assert not selectors.conflicts(clinician=clinician, start=start, end=end)


def test_the_record_shows_the_next_three(
    web: Any, clinician: User, client_record: Client
) -> None:
    for days in (1, 2, 3, 4):
        AppointmentFactory.create(
            client=client_record,
            starts_at=timezone.now() + datetime.timedelta(days=days),
        )
    page = web(clinician).get(reverse("clients:detail", args=[client_record.pk]))
    assert len(page.html.select("[data-testid=next-appointments] li")) == 3


def test_another_clinicians_client_is_404(
    web: Any, outsider: User, clinician: User, client_record: Client
) -> None:
    appointment = _past(clinician, client_record)
    app = web(outsider)
    for name, pk in (
        ("appointments:create", client_record.pk),
        ("appointments:detail", appointment.pk),
        ("appointments:update", appointment.pk),
    ):
        app.get(reverse(name, args=[pk]), status=404)
    app.get(
        reverse("sessions:create", args=[client_record.pk])
        + f"?appointment={appointment.pk}",
        status=404,
    )


def test_an_appointment_of_another_client_prefills_nothing(
    web: Any, clinician: User, outsider: User, client_record: Client
) -> None:
    theirs = _past(outsider, ClientFactory.create(clinician=outsider), modality="group")
    page = web(clinician).get(
        reverse("sessions:create", args=[client_record.pk])
        + f"?appointment={theirs.pk}"
    )
    assert page.forms["session-form"]["modality"].value != "group"
    assert "appointment=" not in page.forms["session-form"].action


def test_the_supervisor_reads_but_does_not_change(
    as_supervisor: Any, supervisor: User, clinician: User, client_record: Client
) -> None:
    appointment = _past(clinician, client_record)
    assert as_supervisor.get(appointment.get_absolute_url()).status_code == 200
    for name in (
        "appointments:outcome",
        "appointments:update",
        "appointments:cancel_rest",
    ):
        response = as_supervisor.post(
            reverse(name, args=[appointment.pk]), {"outcome": "cancelled_us"}
        )
        assert response.status_code == 403, name
    response = as_supervisor.get(
        reverse("appointments:create", args=[client_record.pk])
    )
    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.outcome == ""


def test_cancelling_the_rest_keeps_every_row(
    web: Any, clinician: User, client_record: Client
) -> None:
    occurrences = _series(clinician, client_record)
    form = (
        web(clinician).get(occurrences[1].get_absolute_url()).forms["cancel-rest-form"]
    )
    form["outcome"] = "cancelled_client"
    form.submit().follow()
    outcomes = list(
        Appointment.objects.filter(series=occurrences[0].series)
        .order_by("starts_at")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["", "cancelled_client", "cancelled_client", "cancelled_client"]


def test_appointments_are_never_deleted_for_the_app_role(
    clinician: User, client_record: Client
) -> None:
    _series(clinician, client_record, count=2)
    for table in ("appointments_appointment", "appointments_appointmentseries"):
        assert "permission denied" in refusal(f"DELETE FROM {table}")
        assert refusal(f"TRUNCATE {table} CASCADE") != ""


@pytest.mark.owner_role
def test_appointments_are_never_deleted_even_by_the_owner(
    clinician: User, client_record: Client
) -> None:
    _series(clinician, client_record, count=2)
    for table in ("appointments_appointment", "appointments_appointmentseries"):
        assert "kept" in refusal(f"DELETE FROM {table}")
        assert refusal(f"TRUNCATE {table} CASCADE") != ""
    assert Appointment.objects.count() == 2


def test_the_database_holds_the_outcome_rules(client_record: Client) -> None:
    appointment = AppointmentFactory.create(client=client_record)
    for statement in (
        "UPDATE appointments_appointment SET duration_minutes = 4",
        "UPDATE appointments_appointment SET outcome = 'met'",
        "UPDATE appointments_appointment SET outcome = 'no_show'",
    ):
        assert refusal(statement).startswith("new row for relation"), statement
    assert appointment.pk


def test_appointments_between_in_constant_queries(
    django_assert_max_num_queries: Any,
    supervisor: User,
    clinician: User,
    client_record: Client,
) -> None:
    start = timezone.now()
    end = start + datetime.timedelta(days=7)

    def read() -> list[str]:
        with django_assert_max_num_queries(2):
            rows = selectors.appointments_between(
                user=supervisor, start=start, end=end, clinicians=[clinician]
            )
            return [f"{a.client.chosen_name} {a.clinician_id}" for a in rows]

    AppointmentFactory.create(client=client_record)
    assert len(read()) == 1
    for _ in range(5):
        AppointmentFactory.create(client=ClientFactory.create(clinician=clinician))
    assert len(read()) == 6
    # Another team's clinician is never reached through `clinicians`.
    outsider_client = ClientFactory.create()
    AppointmentFactory.create(client=outsider_client)
    assert (
        len(
            selectors.appointments_between(
                user=supervisor,
                start=start,
                end=end,
                clinicians=[outsider_client.clinician],
            )
        )
        == 0
    )
