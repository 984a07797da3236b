"""Writes to appointments (issue #21). Every change writes its audit event,
with the client's id; nothing is ever deleted: a cancellation or a move is an
outcome, and past appointments and ones with an outcome are never rewritten
by a change to their series."""

from __future__ import annotations

import calendar
import datetime
import uuid
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from appointments.models import (
    AFTER_THE_TIME,
    CANCELLED,
    SERIES_MAX_COUNT,
    SERIES_MAX_DAYS,
    Appointment,
    AppointmentSeries,
    Outcome,
    Repeat,
)
from audit import services as audit
from audit.models import Action
from clients.access import may_change_client
from clients.models import Client
from hr_clinic.lib.form_tokens import create_once
from sessions.models import Modality, TherapySession
from staff.models import User


@dataclass(frozen=True)
class Details:
    """What an appointment is, apart from when: how long, how, where."""

    duration_minutes: int
    modality: str
    place: str = ""


@dataclass(frozen=True)
class Plan:
    """How a series repeats: `until` a date or `count` times (one of them)."""

    repeat: str
    until: datetime.date | None = None
    count: int | None = None


def _step(first: datetime.date, repeat: str, n: int) -> datetime.date:
    """The `n`th date of a series starting on `first`. A monthly series keeps
    the day of the month, on the month's last day when it is shorter."""
    if repeat == Repeat.WEEKLY:
        return first + datetime.timedelta(weeks=n)
    if repeat == Repeat.FORTNIGHTLY:
        return first + datetime.timedelta(weeks=2 * n)
    month = first.month - 1 + n
    year, month = first.year + month // 12, month % 12 + 1
    return datetime.date(
        year, month, min(first.day, calendar.monthrange(year, month)[1])
    )


def series_dates(first: datetime.date, plan: Plan) -> list[datetime.date]:
    """The local dates of a series: until `plan.until` or `plan.count` times,
    never more than SERIES_MAX_COUNT or beyond SERIES_MAX_DAYS from the
    first. Raises ValidationError for a plan without an end, or a repeat
    this product does not know."""
    if plan.repeat not in Repeat.values:
        raise ValidationError("Choose how often it repeats.")
    if (plan.until is None) == (plan.count is None):
        raise ValidationError("Say until when it repeats, or how many times.")
    if plan.count is not None and not 1 <= plan.count <= SERIES_MAX_COUNT:
        raise ValidationError(f"A series has at most {SERIES_MAX_COUNT} dates.")
    if plan.until is not None and plan.until < first:
        raise ValidationError("The series ends before its first date.")
    last = first + datetime.timedelta(days=SERIES_MAX_DAYS)
    if plan.until is not None:
        last = min(last, plan.until)
    dates: list[datetime.date] = []
    while len(dates) < (plan.count or SERIES_MAX_COUNT):
        day = _step(first, plan.repeat, len(dates))
        if day > last:
            break
        dates.append(day)
    return dates


def local_start(day: datetime.date, at: datetime.time, zone: str) -> datetime.datetime:
    """`at` on `day` on the wall clock of `zone`, in UTC: computed per
    occurrence, so 10:00 stays 10:00 local across a daylight-saving change
    (its UTC time moves instead). A time that does not exist that day (in the
    spring-forward gap) lands an hour later, as a wall clock would show it."""
    local = datetime.datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(datetime.UTC)


def planned_starts(
    starts_at: datetime.datetime, plan: Plan | None
) -> list[datetime.datetime]:
    """Every start a booking makes: `starts_at` alone, or each date of
    `plan` at `starts_at`'s local wall-clock time in the service's time zone.
    Raises ValidationError as series_dates does."""
    if plan is None:
        return [starts_at]
    local = timezone.localtime(starts_at)
    zone = timezone.get_current_timezone_name()
    at = local.time().replace(tzinfo=None)
    return [local_start(day, at, zone) for day in series_dates(local.date(), plan)]


def _check_details(details: Details) -> None:
    if not 5 <= details.duration_minutes <= 480:
        raise ValidationError("An appointment lasts from 5 minutes to 8 hours.")


def _check_booker(client: Client, by: User) -> None:
    # The client's primary clinician books: a supervisor reads their team's
    # appointments but does not fill a supervisee's diary.
    if not may_change_client(by, client):
        raise ValidationError("Only the person's own clinician books appointments.")
    if client.is_closed:
        raise ValidationError("This record is closed: reopen it to book.")


def _audit(by: User, action: str, obj: Appointment | AppointmentSeries) -> None:
    audit.record(
        actor=by,
        action=action,
        object_type="appointment" if isinstance(obj, Appointment) else "series",
        object_id=str(obj.pk),
        client_id=obj.client_id,
    )


@transaction.atomic
def appointment_book(
    *,
    client: Client,
    by: User,
    starts_at: datetime.datetime,
    details: Details,
    plan: Plan | None = None,
    form_token: uuid.UUID | None = None,
) -> Appointment:
    """Book one appointment for `client` with `by`, their primary clinician,
    or (with `plan`) a series whose occurrences are all made now, each at
    `starts_at`'s local wall-clock time in the service's time zone. Returns
    the (first) appointment. A re-sent form (same token, same time) returns
    what it made the first time; the same token with another time raises
    FormAlreadyUsed. Raises ValidationError for someone else's client, a
    closed record, a duration outside 5–480 minutes or a plan without an
    end. Overlaps are allowed (drop-in work overlaps): the form warns."""
    _check_booker(client, by)
    _check_details(details)
    zone = timezone.get_current_timezone_name()
    local = timezone.localtime(starts_at)

    def create() -> Appointment:
        series = None
        starts = planned_starts(starts_at, plan)
        if plan is not None:
            series = AppointmentSeries.objects.create(
                client=client,
                clinician=by,
                repeat=plan.repeat,
                first_date=local.date(),
                local_time=local.time().replace(tzinfo=None),
                weekday=local.weekday(),
                time_zone=zone,
                until=plan.until,
                count=plan.count,
                created_by=by,
            )
            _audit(by, Action.CREATE, series)
        made = [
            Appointment(
                client=client,
                clinician=by,
                starts_at=start,
                series=series,
                duration_minutes=details.duration_minutes,
                modality=details.modality,
                place=details.place,
                created_by=by,
                form_token=form_token if n == 0 else None,
            )
            for n, start in enumerate(starts)
        ]
        for appointment in made:
            # The row's own rules; PostgreSQL checks the constraints once, at
            # the insert, rather than a query per occurrence here.
            appointment.full_clean(exclude=["form_token"], validate_constraints=False)
        Appointment.objects.bulk_create(made)
        for appointment in made:
            _audit(by, Action.CREATE, appointment)
        return made[0]

    appointment, _ = create_once(
        earlier=Appointment.objects.filter(client=client, created_by=by),
        token=form_token,
        same=lambda earlier: earlier.starts_at == starts_at,
        create=create,
        already_used="This form already booked an appointment, shown below. To "
        "book this one as well, check it and press Book again.",
    )
    return appointment


def _check_open(appointment: Appointment, by: User) -> None:
    if not may_change_client(by, appointment.client):
        raise ValidationError("Only the person's own clinician changes appointments.")
    if appointment.outcome:
        raise ValidationError(
            "This appointment already has an outcome, so it stays as it was."
        )


def _apply(appointment: Appointment, details: Details) -> None:
    appointment.duration_minutes = details.duration_minutes
    appointment.modality = details.modality
    appointment.place = details.place


@transaction.atomic
def appointment_update(
    *,
    appointment: Appointment,
    by: User,
    starts_at: datetime.datetime,
    details: Details,
    rest_of_series: bool = False,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Change an appointment with no outcome yet (its client's primary
    clinician). With `rest_of_series`, the same change reaches every later
    occurrence of its series that has not started and has no outcome: each
    keeps its own date, moved by the same number of days, at the new local
    time (so daylight saving is respected); past ones and ones with an
    outcome are never touched, and the series remembers the new time and
    weekday. Raises ValidationError for an appointment with an outcome,
    someone else's client, or a duration outside 5–480 minutes."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_open(appointment, by)
    _check_details(details)
    now = now or timezone.now()
    series = appointment.series
    if not rest_of_series or series is None:
        appointment.starts_at = starts_at
        _apply(appointment, details)
        appointment.full_clean(exclude=["form_token"])
        appointment.save()
        _audit(by, Action.UPDATE, appointment)
        return appointment
    zone = zoneinfo.ZoneInfo(series.time_zone)
    old_local = appointment.starts_at.astimezone(zone)
    new_local = starts_at.astimezone(zone)
    shift = new_local.date() - old_local.date()
    # This one, and the later ones still to come with no outcome yet.
    rest = Appointment.objects.select_for_update().filter(
        Q(pk=appointment.pk)
        | Q(series=series, starts_at__gt=appointment.starts_at, starts_at__gte=now),
        outcome="",
    )
    for occurrence in rest:
        day = occurrence.starts_at.astimezone(zone).date() + shift
        occurrence.starts_at = local_start(day, new_local.time(), series.time_zone)
        _apply(occurrence, details)
        occurrence.full_clean(exclude=["form_token"])
        occurrence.save()
        _audit(by, Action.UPDATE, occurrence)
    series.local_time = new_local.time().replace(tzinfo=None)
    series.weekday = new_local.weekday()
    series.save(update_fields=["local_time", "weekday", "updated_at"])
    _audit(by, Action.UPDATE, series)
    appointment.refresh_from_db()
    return appointment


def _set_outcome(appointment: Appointment, by: User, outcome: str) -> None:
    appointment.outcome = outcome
    appointment.outcome_recorded_at = timezone.now()
    appointment.outcome_recorded_by = by


@transaction.atomic
def appointment_record_outcome(
    *,
    appointment: Appointment,
    by: User,
    outcome: str,
    new_starts_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Record what happened (its client's primary clinician). "Met" and
    "didn't make it" only once its time has come; a cancellation or a move at
    any time. "Rescheduled" with `new_starts_at` books the new appointment
    (same details, outside any series) and links the two. An outcome can be
    corrected, except once a session note is linked (that is "met" for
    good). "Didn't make it" puts the person on the reach-out list
    (clients.selectors.reach_out_due) and counts nowhere else. Raises
    ValidationError for any of these rules."""
    appointment = (
        Appointment.objects.select_for_update()
        .select_related("client")
        .get(pk=appointment.pk)
    )
    now = now or timezone.now()
    if not may_change_client(by, appointment.client):
        raise ValidationError("Only the person's own clinician records this.")
    if outcome not in Outcome.values:
        raise ValidationError("Choose what happened.")
    if appointment.session_id is not None:
        raise ValidationError("A session note is linked: this appointment was met.")
    if outcome in AFTER_THE_TIME and appointment.starts_at > now:
        raise ValidationError("That can be recorded once the time has come.")
    if appointment.rescheduled_to_id is not None and outcome != Outcome.RESCHEDULED:
        raise ValidationError("This appointment was moved to a new time.")
    _set_outcome(appointment, by, outcome)
    if outcome == Outcome.RESCHEDULED and new_starts_at is not None:
        if appointment.rescheduled_to_id is not None:
            raise ValidationError("This appointment was already moved.")
        moved = Appointment(
            client=appointment.client,
            clinician=appointment.clinician,
            starts_at=new_starts_at,
            duration_minutes=appointment.duration_minutes,
            modality=appointment.modality,
            place=appointment.place,
            created_by=by,
        )
        moved.full_clean(exclude=["form_token"])
        moved.save()
        _audit(by, Action.CREATE, moved)
        appointment.rescheduled_to = moved
    appointment.full_clean(exclude=["form_token"])
    appointment.save()
    _audit(by, Action.UPDATE, appointment)
    return appointment


def appointment_record_missed_group(
    *,
    client: Client,
    by: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str,
) -> Appointment:
    """A group meeting `client` didn't make it to, as an appointment of their
    own in their clinician's diary (groups.services, when the meeting is
    signed and who came is final), so the reach-out rule, Today and the team
    week see it as any appointment someone didn't make it to. `by`, the
    facilitator, need not be the person's clinician: the meeting is theirs.
    Its length is kept within an appointment's (5 minutes to 8 hours)."""
    appointment = Appointment(
        client=client,
        clinician_id=client.clinician_id,
        starts_at=starts_at,
        duration_minutes=min(max(duration_minutes, 5), 480),
        modality=Modality.GROUP,
        place=place,
        created_by=by,
    )
    _set_outcome(appointment, by, Outcome.DIDNT_MAKE_IT)
    appointment.full_clean(exclude=["form_token"])
    appointment.save()
    _audit(by, Action.CREATE, appointment)
    return appointment


@transaction.atomic
def series_cancel_rest(
    *,
    appointment: Appointment,
    by: User,
    outcome: str,
    now: datetime.datetime | None = None,
) -> int:
    """Cancel this occurrence and every later one of its series that has not
    started and has no outcome: each gets `outcome` (cancelled by them or by
    us), none is deleted. Returns how many were cancelled. Raises
    ValidationError for another outcome, someone else's client, or an
    appointment outside a series."""
    if outcome not in CANCELLED:
        raise ValidationError("Say who cancelled.")
    if not may_change_client(by, appointment.client):
        raise ValidationError("Only the person's own clinician changes appointments.")
    if appointment.series_id is None:
        raise ValidationError("This appointment is not part of a series.")
    now = now or timezone.now()
    rest = list(
        Appointment.objects.select_for_update().filter(
            series_id=appointment.series_id,
            starts_at__gte=max(now, appointment.starts_at),
            outcome="",
        )
    )
    for occurrence in rest:
        _set_outcome(occurrence, by, outcome)
        occurrence.save()
        _audit(by, Action.UPDATE, occurrence)
    return len(rest)


@transaction.atomic
def appointment_link_session(
    *, appointment: Appointment, session: TherapySession, by: User
) -> Appointment:
    """Link the note logged from `appointment` to it and record it as met.
    Saving the same draft again changes nothing. Raises ValidationError when
    the note is another client's, the appointment already has another note,
    or it was cancelled or moved (the draft itself is kept either way)."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.session_id == session.pk:
        return appointment
    if session.client_id != appointment.client_id:
        raise ValidationError("That appointment is another person's.")
    if appointment.session_id is not None:
        raise ValidationError("That appointment already has a session note.")
    if appointment.outcome not in ("", Outcome.MET):
        raise ValidationError(
            "That appointment was cancelled, moved or not made it to, so the "
            "note was saved without linking it."
        )
    appointment.session = session
    if appointment.outcome != Outcome.MET:
        _set_outcome(appointment, by, Outcome.MET)
    appointment.save()
    _audit(by, Action.UPDATE, appointment)
    return appointment
