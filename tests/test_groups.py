"""Group sessions (issue #24): a group, its meetings, who came, the shared part
written once, each member's own note, signing them together, and privacy
between members."""

from __future__ import annotations

import datetime
import json
import zoneinfo
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment
from appointments.models import Outcome as AppointmentOutcome
from audit.models import AuditEvent
from clients.models import Client
from clients.selectors import reach_out_due
from groups import services
from groups.models import Attendance, Group, GroupMeeting, GroupMembership
from groups.privacy import names_in
from sessions.models import Modality, SessionStatus, TherapySession
from staff.models import User
from tests.factories import ClientFactory, ClinicianFactory, TherapySessionFactory
from tests.groups_data import group_of, meeting_of
from tests.signin import signed_in

FIRST_SECTION = "brought"


def _fill_meeting(
    form: Any,
    members: list[Client],
    *,
    came: dict[int, str],
    notes: dict[int, str],
    topic: str = "Safer use at festivals",
    did: str = "The group shared plans for the weekend.",
) -> None:
    form["topic"] = topic
    form["what_we_did"] = did
    for i, status in came.items():
        form[f"att-{members[i].pk}"] = status
    for i, text in notes.items():
        form[f"note-{members[i].pk}-{FIRST_SECTION}"] = text


def _recorded(web: Any, user: User, meeting: GroupMeeting, **fill: Any) -> Any:
    page = web(user).get(meeting.get_absolute_url())
    form = page.forms["meeting-record"]
    _fill_meeting(form, **fill)
    return form.submit().follow()


# --- The matcher ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "found"),
    [
        ("Sam spoke first", ["Sam"], ["Sam"]),
        ("sam spoke first", ["Sam"], ["Sam"]),  # case ignored
        ("SAM!", ["Sam"], ["Sam"]),
        ("Samantha spoke", ["Sam"], []),  # inside a longer word
        ("Sam's idea", ["Sam"], ["Sam"]),  # a possessive is the name
        ("Sam’s idea", ["Sam"], ["Sam"]),  # typographic apostrophe
        ("o'neil came", ["O'Neil"], ["O'Neil"]),
        ("O’Neil came", ["O'Neil"], ["O'Neil"]),  # either apostrophe
        ("Mary-Jo came", ["Jo"], []),  # part of a hyphenated name
        ("Mary-Jo came", ["Mary"], []),
        ("Mary-Jo came", ["Mary-Jo"], ["Mary-Jo"]),
        ("mary-jo came", ["Mary-Jo"], ["Mary-Jo"]),
        ("Rivera spoke", ["Alex Rivera"], ["Alex Rivera"]),  # a part of the name
        ("Alex  Rivera spoke", ["Alex Rivera"], ["Alex Rivera"]),
        ("the group talked", ["Alex Rivera", "Sam"], []),
        ("Jo and Sam", ["Sam", "Jo", "Kim"], ["Sam", "Jo"]),
        ("", ["Sam"], []),
        ("J. came", ["J."], []),  # a one-letter part is no name
    ],
)
def test_names_are_matched_as_whole_words(
    text: str, names: list[str], found: list[str]
) -> None:
    assert names_in(text, names) == found


# --- Making a group through the pages ------------------------------------


def test_a_clinician_creates_a_group_from_their_caseload(
    web: Any, clinician: User, outsider: User
) -> None:
    mine = [ClientFactory.create(clinician=clinician) for _ in range(3)]
    theirs = ClientFactory.create(clinician=outsider)
    page = web(clinician).get(reverse("groups:list"))
    page = page.click("Start a group")
    form = page.forms["group-form"]
    assert str(theirs.pk) not in page.text  # only their own caseload is offered
    form["name"] = "Thursday circle"
    form["purpose"] = "A drop-in circle"
    for box in form.fields["members"]:
        if box._value in {str(c.pk) for c in mine}:  # type: ignore[attr-defined]
            box.checked = True
    page = form.submit().follow()
    group = Group.objects.get()
    assert "Thursday circle" in page.text
    assert list(group.facilitators.all()) == [clinician]
    assert {m.client for m in group.members.all()} == set(mine)
    # Sent again (a double click): still one group.
    form.submit()
    assert Group.objects.count() == 1


def test_a_posted_client_from_elsewhere_is_refused(
    as_clinician: HttpClient, outsider: User
) -> None:
    theirs = ClientFactory.create(clinician=outsider)
    response = as_clinician.post(
        reverse("groups:create"), {"name": "G", "members": [str(theirs.pk)]}
    )
    assert response.status_code == 200
    assert not Group.objects.exists()


def test_members_join_and_leave_on_dates_and_are_kept(
    web: Any, clinician: User
) -> None:
    group, members = group_of(clinician, 2)
    newcomer = ClientFactory.create(clinician=clinician, chosen_name="Newcomerly")
    page = web(clinician).get(group.get_absolute_url())
    form = page.forms["member-add"]
    form["client"] = str(newcomer.pk)
    page = form.submit().follow()
    assert "Newcomerly" in page.text
    membership = GroupMembership.objects.get(client=members[0])
    form = page.forms[f"leave-{membership.pk}"]
    form["left_on"] = timezone.localdate().isoformat()
    form.submit().follow()
    membership.refresh_from_db()
    assert membership.left_on == timezone.localdate()
    assert GroupMembership.objects.filter(group=group).count() == 3
    # Refused to the app's role, and by PostgreSQL's trigger for anyone.
    with pytest.raises(DatabaseError), transaction.atomic():
        GroupMembership.objects.filter(pk=membership.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        GroupMembership.objects.filter(pk=membership.pk).update(left_on=None)


def test_a_meeting_is_added_from_the_group_page(web: Any, clinician: User) -> None:
    group, _ = group_of(clinician, 2)
    page = web(clinician).get(group.get_absolute_url()).click("Add a meeting")
    form = page.forms["meeting-form"]
    form["place"] = "Room 4"
    page = form.submit().follow()
    meeting = GroupMeeting.objects.get()
    assert meeting.group == group and meeting.place == "Room 4"
    assert "meeting-record" in page.forms


def test_a_weekly_series_of_meetings_keeps_its_local_time_and_is_made_once(
    web: Any, settings: Any, clinician: User
) -> None:
    settings.TIME_ZONE = "America/New_York"
    group, _ = group_of(clinician, 2)
    form = web(clinician).get(group.get_absolute_url()).click("Add a meeting")
    form = form.forms["meeting-form"]
    form["starts_at"] = "2026-10-20T18:00"
    form["repeat"] = "weekly"
    form["count"] = "3"
    sent = form.submit()
    assert sent.status_code == 302
    again = form.submit()  # the same form sent twice: nothing more is made
    assert again.status_code == 302
    zone = zoneinfo.ZoneInfo("America/New_York")
    starts = list(
        GroupMeeting.objects.filter(group=group)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    # EDT (UTC-4) until 1 November 2026, EST (UTC-5) after: 18:00 local.
    assert [s.astimezone(datetime.UTC).hour for s in starts] == [22, 22, 23]
    assert {s.astimezone(zone).time() for s in starts} == {datetime.time(18, 0)}
    assert [s.astimezone(zone).date().isoformat() for s in starts] == [
        "2026-10-20",
        "2026-10-27",
        "2026-11-03",
    ]
    # Each is a meeting of its own, recorded and signed on its own; the form
    # opens the first.
    first = GroupMeeting.objects.order_by("starts_at")[0]
    assert sent.follow().request.path == first.get_absolute_url()
    assert (
        AuditEvent.objects.filter(action="create", object_type="group_meeting").count()
        == 3
    )


def test_a_repeating_meeting_needs_an_end(web: Any, clinician: User) -> None:
    group, _ = group_of(clinician, 2)
    form = web(clinician).get(group.get_absolute_url()).click("Add a meeting")
    form = form.forms["meeting-form"]
    form["place"] = "Room 4"
    form["repeat"] = "fortnightly"
    page = form.submit()
    assert page.status_code == 200
    assert "Say until when it repeats, or how many times." in page.text
    assert page.forms["meeting-form"]["place"].value == "Room 4"
    assert not GroupMeeting.objects.exists()


# --- A 12-person meeting ---------------------------------------------------


def test_a_twelve_person_meeting_records_attendance_and_each_note(
    web: Any, clinician: User
) -> None:
    group, members = group_of(clinician, 12)
    meeting = meeting_of(group, clinician)
    came = {i: "attended" for i in range(10)} | {10: "left_early", 11: "didnt_make_it"}
    notes = {i: f"Member {i} talked about their own week." for i in range(11)}
    page = _recorded(web, clinician, meeting, members=members, came=came, notes=notes)
    assert "Saved." in page.text
    meeting.refresh_from_db()
    assert meeting.topic == "Safer use at festivals"
    assert dict(
        Attendance.objects.filter(meeting=meeting).values_list("client", "status")
    ) == {members[i].pk: status for i, status in came.items()}
    written = TherapySession.objects.filter(group_meeting=meeting)
    assert written.count() == 11
    for i in range(11):
        note = written.get(client=members[i])
        assert note.sections[FIRST_SECTION] == notes[i]
        assert note.modality == Modality.GROUP
        assert note.clinician == clinician
        assert note.started_at == meeting.starts_at
        assert note.duration_minutes == 90 and note.is_draft
    assert not written.filter(client=members[11]).exists()


def test_a_note_for_someone_who_did_not_come_is_not_kept(
    web: Any, clinician: User
) -> None:
    group, members = group_of(clinician, 2)
    meeting = meeting_of(group, clinician)
    page = web(clinician).get(meeting.get_absolute_url())
    form = page.forms["meeting-record"]
    _fill_meeting(
        form, members, came={0: "didnt_make_it"}, notes={0: "Typed by mistake"}
    )
    page = form.submit()
    assert page.status_code == 200
    assert "Mark them as came or left early" in page.text
    assert "Typed by mistake" in page.text  # the text stays in the box
    assert not TherapySession.objects.filter(group_meeting=meeting).exists()


def test_sending_the_page_twice_makes_one_note_per_member(
    web: Any, clinician: User
) -> None:
    group, members = group_of(clinician, 3)
    meeting = meeting_of(group, clinician)
    form = web(clinician).get(meeting.get_absolute_url()).forms["meeting-record"]
    _fill_meeting(
        form,
        members,
        came={0: "attended", 1: "attended", 2: "attended"},
        notes={0: "A", 1: "B", 2: "C"},
    )
    form.submit()
    form.submit()  # the same page, sent again (a double click, a re-send)
    assert TherapySession.objects.filter(group_meeting=meeting).count() == 3


def test_autosave_answers_json_with_each_new_version(web: Any, clinician: User) -> None:
    group, members = group_of(clinician, 2)
    meeting = meeting_of(group, clinician)
    app = web(clinician)
    form = app.get(meeting.get_absolute_url()).forms["meeting-record"]
    _fill_meeting(form, members, came={0: "attended"}, notes={0: "Typing…"})
    response = form.submit(headers={"X-Autosave": "1"})
    data = response.json
    note = TherapySession.objects.get(group_meeting=meeting)
    assert data["status"] == "saved"
    assert data["version"] == 2
    assert data["versions"][f"note-{members[0].pk}-version"] == note.version
    assert note.sections[FIRST_SECTION] == "Typing…"


def test_a_second_tab_meets_a_conflict_and_nothing_is_overwritten(
    web: Any, clinician: User
) -> None:
    group, members = group_of(clinician, 2)
    meeting = meeting_of(group, clinician)
    _recorded(
        web, clinician, meeting, members=members, came={0: "attended"}, notes={0: "v1"}
    )
    app = web(clinician)
    first = app.get(meeting.get_absolute_url()).forms["meeting-record"]
    second = app.get(meeting.get_absolute_url()).forms["meeting-record"]
    first[f"note-{members[0].pk}-{FIRST_SECTION}"] = "From the first tab"
    first["what_we_did"] = "First tab account"
    first.submit()
    second[f"note-{members[0].pk}-{FIRST_SECTION}"] = "From the second tab"
    second["what_we_did"] = "Second tab account"
    autosave = second.submit(headers={"X-Autosave": "1"}, status=409)
    assert autosave.json["status"] == "conflict"
    page = second.submit()
    assert page.status_code == 200
    assert "From the second tab" in page.text and "From the first tab" in page.text
    assert "Second tab account" in page.text and "First tab account" in page.text
    note = TherapySession.objects.get(group_meeting=meeting)
    meeting.refresh_from_db()
    assert note.sections[FIRST_SECTION] == "From the first tab"
    assert meeting.what_we_did == "First tab account"
    # Saving again from the page that shows both is a deliberate choice.
    page.forms["meeting-record"].submit().follow()
    note.refresh_from_db()
    assert note.sections[FIRST_SECTION] == "From the second tab"


# --- Privacy between members -------------------------------------------


def test_the_form_warns_when_another_members_name_appears(
    web: Any, clinician: User
) -> None:
    group, members = group_of(clinician, 3)
    meeting = meeting_of(group, clinician)
    a, b, c = members
    page = _recorded(
        web,
        clinician,
        meeting,
        members=members,
        came={0: "attended", 1: "attended", 2: "attended"},
        notes={
            0: f"{a.chosen_name} talked about their week.",  # their own: fine
            1: f"Said {a.chosen_name.lower()}'s plan helped.",  # names A
            2: "Talked about housing.",
        },
        did=f"The group listened to {c.chosen_name}.",
    )
    warnings = page.html.select("[data-testid=name-warning]")
    assert len(warnings) == 2  # the shared part (C) and B's note (A)
    assert c.chosen_name in warnings[0].text
    assert a.chosen_name in warnings[1].text
    blocks = {b.legend.text: b for b in page.html.select(".group-member")}
    assert not blocks[a.chosen_name].select("[data-testid=name-warning]")
    assert blocks[b.chosen_name].select("[data-testid=name-warning]")
    assert not blocks[c.chosen_name].select("[data-testid=name-warning]")
    # A warning, never a block: everything was saved.
    assert TherapySession.objects.filter(group_meeting=meeting).count() == 3
    review = web(clinician).get(reverse("groups:meeting_sign", args=[meeting.pk]))
    assert len(review.html.select("[data-testid=name-warning]")) == 2


def _signed_meeting(
    web: Any, clinician: User, n: int = 3
) -> tuple[GroupMeeting, list[Client]]:
    group, members = group_of(clinician, n)
    meeting = meeting_of(group, clinician)
    came = {i: "attended" for i in range(n - 1)} | {n - 1: "didnt_make_it"}
    page = web(clinician).get(meeting.get_absolute_url())
    form = page.forms["meeting-record"]
    _fill_meeting(
        form,
        members,
        came=came,
        notes={i: f"Own words of member {i}" for i in range(n - 1)},
    )
    for i in range(n - 1):
        form[f"note-{members[i].pk}-did"] = "Practised a skill"
    review = form.submit("action", value="sign").follow()
    form = review.forms["sign-all-form"]
    form["confirm"] = True
    form.submit().follow()
    meeting.refresh_from_db()
    assert meeting.is_signed
    return meeting, members


def test_a_members_record_and_copies_show_only_their_own_note(
    web: Any, clinician: User
) -> None:
    meeting, members = _signed_meeting(web, clinician, 4)
    a = members[0]
    others = [m.chosen_name for m in members[1:]]
    note = TherapySession.objects.get(group_meeting=meeting, client=a)
    http = signed_in(clinician)
    pages = {
        "record": reverse("clients:detail", args=[a.pk]),
        "timeline": reverse("sessions:list", args=[a.pk]),
        "note": reverse("sessions:detail", args=[note.pk]),
        "print": reverse("sessions:print", args=[note.pk]),
        "fhir": reverse("records:fhir", args=[a.pk]),
    }
    for what, url in pages.items():
        response = http.get(url)
        assert response.status_code == 200, what
        text = response.content.decode()
        for name in others:
            assert name not in text, (what, name)
    note_page = http.get(pages["note"]).content.decode()
    assert "Own words of member 0" in note_page
    assert "The group shared plans for the weekend." in note_page
    assert "Own words of member 1" not in note_page
    fhir = json.dumps(http.get(pages["fhir"]).json())
    assert "The group shared plans for the weekend." in fhir
    assert "Own words of member 0" in fhir and "Own words of member 1" not in fhir


def test_the_pdf_copy_and_a_disclosure_hold_only_their_own_note(
    web: Any, clinician: User
) -> None:
    from consents.models import DisclosureKind
    from consents.selectors import shareable
    from consents.services import Picked, share_records
    from records.services import export_start
    from tests.pdf_text import pdf_text

    meeting, members = _signed_meeting(web, clinician, 3)
    a = members[0]
    note = TherapySession.objects.get(group_meeting=meeting, client=a)
    export = export_start(client=a, by=clinician)
    export.refresh_from_db()
    assert export.content is not None
    copy = pdf_text(bytes(export.content))
    disclosure = share_records(
        client=a,
        by=clinician,
        picked=Picked(notes=list(shareable(client=a, user=clinician).notes)),
        kind=DisclosureKind.MEDICAL_EMERGENCY,
        recipient_name="Dr Test",
        recipient_facility="Test Hospital",
        emergency_nature="Test emergency",
    )
    assert [str(note.pk)] == disclosure.item_ids
    package = json.dumps(disclosure.package)
    for text in (copy, package):
        assert "Own words of member 0" in " ".join(text.split())
        assert "The group shared plans" in " ".join(text.split())
        for other in members[1:]:
            assert other.chosen_name not in text
        assert "Own words of member 1" not in text


# --- Signing all --------------------------------------------------------


def test_signing_all_locks_every_note_and_the_meeting_in_the_database(
    web: Any, clinician: User
) -> None:
    meeting, members = _signed_meeting(web, clinician, 12)
    notes = TherapySession.objects.filter(group_meeting=meeting)
    assert notes.count() == 11
    # The signed meeting says who came in the page's own words.
    came = [
        c.text
        for c in web(clinician)
        .get(meeting.get_absolute_url())
        .html.select("[data-testid=came]")
    ]
    assert len(came) == 12 and set(came) <= {"Came", "Left early", "Didn't make it"}
    assert set(notes.values_list("status", flat=True)) == {SessionStatus.SIGNED}
    for note in notes:
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE therapy_sessions_therapysession SET sections = "
                    "'{}'::jsonb WHERE id = %s",
                    [note.pk],
                )
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE groups_groupmeeting SET what_we_did = 'x' WHERE id = %s",
                [meeting.pk],
            )
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE groups_attendance SET status = 'attended' "
                "WHERE meeting_id = %s",
                [meeting.pk],
            )
    with pytest.raises(DatabaseError), transaction.atomic():
        TherapySessionFactory.create(client=members[11], group_meeting=meeting)
    with pytest.raises(DatabaseError), transaction.atomic():
        GroupMeeting.objects.filter(pk=meeting.pk).delete()


def test_sign_all_refuses_until_every_note_is_ready(web: Any, clinician: User) -> None:
    group, members = group_of(clinician, 2)
    meeting = meeting_of(group, clinician)
    _recorded(
        web,
        clinician,
        meeting,
        members=members,
        came={0: "attended"},
        notes={0: "Words but no length yet"},
    )
    TherapySession.objects.filter(group_meeting=meeting).update(duration_minutes=None)
    review = web(clinician).get(reverse("groups:meeting_sign", args=[meeting.pk]))
    problems = " ".join(
        review.html.select_one("[data-testid=sign-problems]").text.split()
    )
    assert f"Record whether {members[1].chosen_name} came." in problems
    assert "Add how long the session was." in problems
    form = review.forms["sign-all-form"]
    form["confirm"] = True
    form.submit()
    assert not TherapySession.objects.filter(status=SessionStatus.SIGNED).exists()
    meeting.refresh_from_db()
    assert not meeting.is_signed


def test_a_note_changed_after_the_review_is_not_signed(
    web: Any, clinician: User
) -> None:
    group, members = group_of(clinician, 1)
    meeting = meeting_of(group, clinician)
    _recorded(
        web, clinician, meeting, members=members, came={0: "attended"}, notes={0: "v1"}
    )
    review = web(clinician).get(reverse("groups:meeting_sign", args=[meeting.pk]))
    note = TherapySession.objects.get(group_meeting=meeting)
    services.member_note_save(
        meeting=meeting,
        by=clinician,
        client=members[0],
        expected_version=note.version,
        sections={FIRST_SECTION: "changed in another tab"},
    )
    form = review.forms["sign-all-form"]
    form["confirm"] = True
    page = form.submit().follow()
    assert "Something changed since this page opened" in page.text
    note.refresh_from_db()
    assert note.is_draft


def test_didnt_make_it_puts_them_on_the_reach_out_list_and_counts_nothing(
    web: Any, clinician: User
) -> None:
    meeting, members = _signed_meeting(web, clinician, 3)
    absent, present = members[2], members[0]
    # Both were in touch recently: only "didn't make it" can bring one up.
    for person in (absent, present):
        Client.objects.filter(pk=person.pk).update(
            last_contact_at=meeting.starts_at - datetime.timedelta(days=1)
        )
    due = reach_out_due(Client.objects.filter(pk__in=[absent.pk, present.pk]))
    assert list(due) == [Client.objects.get(pk=absent.pk)]
    appointment = Appointment.objects.get(client=absent)
    assert appointment.outcome == AppointmentOutcome.DIDNT_MAKE_IT
    assert appointment.clinician == clinician and appointment.modality == "group"
    assert Client.objects.get(pk=absent.pk).status == "active"


def test_a_signed_note_takes_an_addendum_like_any_other(
    web: Any, clinician: User
) -> None:
    meeting, members = _signed_meeting(web, clinician, 2)
    note = TherapySession.objects.get(group_meeting=meeting)
    page = web(clinician).get(reverse("sessions:addendum", args=[note.pk]))
    form = page.forms["addendum-form"] if "addendum-form" in page.forms else page.form
    form["reason"] = "Clarify"
    form["text"] = "Added later"
    form.submit().follow()
    assert note.addenda.count() == 1


def test_a_trainees_group_notes_wait_for_co_signature(
    web: Any, clinician: User, supervisor: User
) -> None:
    trainee = ClinicianFactory.create(supervisor=supervisor, requires_cosign=True)
    meeting, _ = _signed_meeting(web, trainee, 2)
    note = TherapySession.objects.get(group_meeting=meeting)
    assert note.review_status == "waiting"
    response = signed_in(supervisor).get(reverse("sessions:review_queue"))
    assert str(note.pk) in response.content.decode()


# --- Who sees what -------------------------------------------------------


@pytest.fixture
def cross_team_meeting(
    web: Any, clinician: User, outsider: User
) -> tuple[GroupMeeting, list[Client]]:
    """A group the outsider facilitates, of `clinician`'s clients."""
    group = services.group_create(
        by=outsider,
        name="Cross-team group",
        purpose="",
        facilitators=[],
        members=[],
    )
    members = [
        ClientFactory.create(clinician=clinician, chosen_name=name)
        for name in ("Quillon", "Brisket")
    ]
    for person in members:
        GroupMembership.objects.create(
            group=group,
            client=person,
            joined_on=timezone.localdate() - datetime.timedelta(days=3),
            added_by=outsider,
        )
    meeting = meeting_of(group, outsider)
    _recorded(
        web,
        outsider,
        meeting,
        members=members,
        came={0: "attended", 1: "attended"},
        notes={0: "Note one", 1: "Note two"},
    )
    return meeting, members


def test_who_sees_a_group_and_its_notes(
    cross_team_meeting: tuple[GroupMeeting, list[Client]],
    clinician: User,
    outsider: User,
    supervisor: User,
    other_supervisor: User,
    admin_user: User,
) -> None:
    meeting, members = cross_team_meeting
    note = TherapySession.objects.get(group_meeting=meeting, client=members[0])
    group_url = meeting.group.get_absolute_url()
    urls = {
        "group": group_url,
        "meeting": meeting.get_absolute_url(),
        "sign": reverse("groups:meeting_sign", args=[meeting.pk]),
        "note": note.get_absolute_url(),
        "record": reverse("clients:detail", args=[members[0].pk]),
    }
    # Columns: group, meeting, sign, note, record.
    expected = {
        # The facilitator: the group, its meetings and every member's note;
        # not the members' records (they are someone else's clients).
        "outsider": "200 200 200 200 404",
        # The members' own clinician and their supervisor: their client's
        # group notes by the normal rule, never the group's pages.
        "clinician": "404 404 404 200 200",
        "supervisor": "404 404 404 200 200",
        # The facilitator's supervisor: the pending notes of their supervisee
        # (the normal author rule), never the group.
        "other_supervisor": "404 404 404 200 404",
        "admin": "404 404 404 404 404",
    }
    people = {
        "outsider": outsider,
        "clinician": clinician,
        "supervisor": supervisor,
        "other_supervisor": other_supervisor,
        "admin": admin_user,
    }
    for who, cells in expected.items():
        http = signed_in(people[who])
        got = " ".join(str(http.get(url).status_code) for url in urls.values())
        assert got == cells, who


def test_a_facilitator_keeps_reading_signed_notes_of_others_clients(
    cross_team_meeting: tuple[GroupMeeting, list[Client]],
    web: Any,
    outsider: User,
    other_supervisor: User,
) -> None:
    meeting, members = cross_team_meeting
    form = (
        web(outsider)
        .get(reverse("groups:meeting_sign", args=[meeting.pk]))
        .forms["sign-all-form"]
    )
    form["confirm"] = True
    form.submit().follow()
    note = TherapySession.objects.get(group_meeting=meeting, client=members[0])
    assert note.is_signed
    # Finished notes follow the client: the facilitator still reads them
    # through the group, their supervisor no longer does.
    assert signed_in(outsider).get(note.get_absolute_url()).status_code == 200
    assert signed_in(other_supervisor).get(note.get_absolute_url()).status_code == 404


def test_another_clinician_gets_a_404_and_a_denied_event(
    cross_team_meeting: tuple[GroupMeeting, list[Client]], clinician: User
) -> None:
    meeting, _ = cross_team_meeting
    http = signed_in(clinician)
    before = AuditEvent.objects.count()
    assert http.get(meeting.get_absolute_url()).status_code == 404
    assert http.post(meeting.get_absolute_url(), {"topic": "x"}).status_code == 404
    events = AuditEvent.objects.order_by("seq")[before:]
    assert [(e.outcome, e.object_type) for e in events] == [
        ("denied", "group_meeting"),
        ("denied", "group_meeting"),
    ]
    meeting.refresh_from_db()
    assert meeting.topic == "Safer use at festivals"


def test_a_members_own_clinician_writes_nothing_through_the_meeting(
    cross_team_meeting: tuple[GroupMeeting, list[Client]],
    clinician: User,
) -> None:
    meeting, members = cross_team_meeting
    with pytest.raises(Exception, match="facilitators"):
        services.member_note_save(
            meeting=meeting,
            by=clinician,
            client=members[0],
            expected_version=None,
            sections={FIRST_SECTION: "x"},
        )


def test_audit_events_carry_ids_never_names_or_words(web: Any, clinician: User) -> None:
    meeting, members = _signed_meeting(web, clinician, 3)
    rows = AuditEvent.objects.filter(object_type__in=["group", "group_meeting"])
    text = json.dumps(list(rows.values("detail", "object_id")), default=str)
    assert str(members[0].pk) in text
    for person in members:
        assert person.chosen_name not in text
    assert "Own words" not in text and "festivals" not in text


def test_admins_have_no_groups_in_the_navigation(
    web: Any, admin_user: User, clinician: User
) -> None:
    assert "Groups" not in web(admin_user).get(reverse("staff:list")).text
    page = web(clinician).get(reverse("clients:list"))
    assert page.click("Groups").status_code == 200


@pytest.mark.django_db
def test_the_demo_has_a_group_with_a_signed_meeting() -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    meeting = GroupMeeting.objects.get(group__name="Tuesday skills group (demo)")
    assert meeting.is_signed
    assert meeting.attendance.count() == 4
    assert (
        TherapySession.objects.filter(
            group_meeting=meeting, status=SessionStatus.SIGNED
        ).count()
        == 3
    )


def test_a_facilitator_rates_a_members_goals_on_the_full_note_form(
    cross_team_meeting: tuple[GroupMeeting, list[Client]], web: Any, outsider: User
) -> None:
    from tests.factories import GoalFactory

    meeting, members = cross_team_meeting
    goal = GoalFactory.create(client=members[0], wording="Carry naloxone")
    note = TherapySession.objects.get(group_meeting=meeting, client=members[0])
    page = web(outsider).get(meeting.get_absolute_url())
    page = page.click("Their goals, check-in and follow-ups", href=str(note.pk))
    form = page.forms["session-form"]
    form[f"score_{goal.pk}"] = "6"
    form.submit().follow()
    assert [r.score for r in note.goal_ratings.all()] == [6]
    # Still the member's own note of the meeting, with its shared part.
    detail = web(outsider).get(note.get_absolute_url())
    assert "Safer use at festivals" in detail.text
