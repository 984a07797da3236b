"""Issue #23: the kinds of referral, ticked on the note's harm-reduction
check-in next to the free text (which stays the note's own words): saved,
shown on the note and in every copy of the check-in, cleared when unticked,
kept by an autosave that does not carry them, and counted by PostgreSQL in
the program figures' summaries once the note is signed."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from clients.models import Client
from consents.package import checkin_rows
from reports.models import ClientMonth, SessionMonth
from sessions.models import ReferralKind, SessionStatus, TherapySession
from staff.models import User
from tests.factories import ClientFactory, TherapySessionFactory

Web = Callable[[User | None], DjangoTestApp]


def _tick(form: object, kinds: set[str]) -> None:
    for box in form.fields["referral_kinds"]:  # type: ignore[attr-defined]
        box.checked = box._value in kinds


def test_kinds_ticked_on_the_form_are_saved_and_shown_on_the_note(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    page = app.get(reverse("sessions:create", args=[client_record.pk]))
    form = page.forms["session-form"]
    assert "A two-dose kit counts as two." in page.text
    form["referrals"] = "Walked over to the clinic together"
    _tick(form, {ReferralKind.MOUD, ReferralKind.HOUSING})
    form.submit(name="action", value="save").follow()
    note = TherapySession.objects.get()
    assert sorted(note.referral_kinds) == ["housing", "moud"]
    assert note.referrals == "Walked over to the clinic together"
    shown = app.get(note.get_absolute_url())
    assert "Medication for opioid use disorder (MOUD), Housing or shelter" in shown.text
    assert ["Kinds of referral", ReferralKind.MOUD.label + ", Housing or shelter"] in (
        checkin_rows(note)
    )


def test_unticking_every_kind_clears_them_and_an_autosave_without_them_keeps_them(
    web: Web, clinician: User, client_record: Client
) -> None:
    note = TherapySessionFactory.create(
        client=client_record, referral_kinds=[ReferralKind.PEER]
    )
    app = web(clinician)
    form = app.get(reverse("sessions:update", args=[note.pk])).forms["session-form"]
    fields = dict(form.submit_fields())
    partial = {k: fields[k] for k in ("csrfmiddlewaretoken", "version", "note_format")}
    partial["section_did"] = "More of what we did"
    app.post(
        form.action,
        {**partial, "action": "autosave"},
        headers={"X-Autosave": "1", "X-CSRFToken": partial["csrfmiddlewaretoken"]},
    )
    note.refresh_from_db()
    assert note.referral_kinds == ["peer"]
    form = app.get(reverse("sessions:update", args=[note.pk])).forms["session-form"]
    _tick(form, set())
    form.submit(name="action", value="save")
    note.refresh_from_db()
    assert note.referral_kinds == []


def test_a_note_counts_in_the_summaries_once_when_signed(clinician: User) -> None:
    person = ClientFactory.create(clinician=clinician)
    when = timezone.now() - datetime.timedelta(days=3)
    draft = TherapySessionFactory.create(
        client=person,
        started_at=when,
        naloxone_doses_given=2,
        referral_kinds=[ReferralKind.MOUD],
    )
    assert not SessionMonth.objects.exists()  # drafts never count
    TherapySession.objects.filter(pk=draft.pk).update(
        status=SessionStatus.SIGNED, signed_at=timezone.now()
    )
    # A signed note written again as it is (status included): nothing added.
    TherapySession.objects.filter(pk=draft.pk).update(status=SessionStatus.SIGNED)
    row = SessionMonth.objects.get()
    assert (row.sessions, row.naloxone_doses, row.referral_moud) == (1, 2, 1)
    month = ClientMonth.objects.get()
    assert (month.sessions, month.is_first) == (1, True)


def test_an_earlier_note_signed_later_becomes_the_first_month(
    clinician: User, supervisor: User
) -> None:
    person = ClientFactory.create(clinician=clinician)
    now = timezone.now()
    for author, days in ((clinician, 5), (supervisor, 5), (clinician, 70)):
        TherapySessionFactory.create(
            client=person,
            clinician=author,
            started_at=now - datetime.timedelta(days=days),
            status=SessionStatus.SIGNED,
            signed_at=now,
        )
    # Two authors in one month: two SessionMonth rows, one ClientMonth row.
    assert SessionMonth.objects.count() == 3
    months = list(
        ClientMonth.objects.order_by("month").values_list("sessions", "is_first")
    )
    assert months == [(1, True), (2, False)]
