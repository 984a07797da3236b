"""SUD counseling notes (issue #19, item 8; 42 CFR 2.11): the author's own
record, kept apart from the session note.

Who reads one (clients.access.counseling_note_visibility): its author, and
the author's supervisor only while the author requires co-signature. Everyone
else gets a 404: admins, other clinicians, other supervisors, the holder of
an emergency-access grant to the client, the client's new clinician after a
reassignment. Written and edited through the browser's own forms (CSRF on),
every version kept by PostgreSQL, never deleted, audited with ids only, and
absent from every other page of the product (walked route by route as each
persona) and from the note search.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from appointments.models import Appointment
from audit.models import AuditEvent
from clients.models import Client, EmergencyGrant
from clients.services import client_reassign
from consents.models import Consent, ConsentKind, Disclosure, Item
from consents.services import Picked, share_records
from groups.models import Group, GroupMeeting, GroupMembership
from groups.services import membership_add
from measures.models import MeasureResponse
from records.amendments import amendment_request_record
from records.models import AmendmentRequest, CopyRequest, RecordExport
from records.services import copy_request_log, export_start
from sessions.models import CounselingNote, CounselingNoteRevision, TherapySession
from sessions.services import counseling_note_create, therapy_session_sign
from staff.models import User
from tests.consent_data import consent_for
from tests.db_roles import become_app_role, refusal
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    ClinicianFactory,
    EmergencyGrantFactory,
    GoalFactory,
    TherapySessionFactory,
)
from tests.groups_data import group_of, meeting_of
from tests.signin import signed_in
from tests.urlwalk import PUBLIC_ROUTES, SAMPLE_BY_CONVERTER, project_routes

pytestmark = pytest.mark.django_db

# Words that occur nowhere else: what each counseling note says.
MARK_OWN = "quorblax vindertash"
MARK_INTERN = "zelmoquist parfendrow"
# The list page's queries, whatever its length: 6 measured with 6 notes (session,
# user, the page and its count, the audit event).
QUERIES_PER_LIST = 6
NOTES = "therapy_sessions_counselingnote"
REVISIONS = "therapy_sessions_counselingnoterevision"


@pytest.fixture
def intern(supervisor: User) -> User:
    """A supervisee in supervised training: needs co-signature."""
    return ClinicianFactory.create(
        username="intern", supervisor=supervisor, requires_cosign=True
    )


@dataclass
class World:
    client: Client
    session: TherapySession
    note: CounselingNote  # by `clinician`, who needs no co-signature
    intern_client: Client
    intern_session: TherapySession
    intern_note: CounselingNote  # by `intern`: their supervisor reads it too


@pytest.fixture
def world(clinician: User, intern: User, outsider: User) -> World:
    client = ClientFactory.create(clinician=clinician)
    GoalFactory.create(client=client)
    AppointmentFactory.create(client=client)
    session = therapy_session_sign(
        session=TherapySessionFactory.create(client=client),
        by=clinician,
        expected_version=1,
    )
    intern_client = ClientFactory.create(clinician=intern)
    GoalFactory.create(client=intern_client)
    intern_session = TherapySessionFactory.create(client=intern_client)
    # The outsider holds emergency access to both clients: a grant never
    # reaches a counseling note.
    EmergencyGrantFactory.create(client=client, grantee=outsider)
    EmergencyGrantFactory.create(client=intern_client, grantee=outsider)
    # The note and a goal shared with a health plan: the package shows them,
    # and never the counseling note written in that session.
    consent = consent_for(
        client, clinician, kind=ConsentKind.TPO, items=[Item.EVERYTHING]
    )
    share_records(
        client=client,
        by=clinician,
        picked=Picked(
            attendance=[session], notes=[session], goals=[*client.goals.all()]
        ),
        consent=consent,
        recipient_name="Example Health Plan",
    )
    # The client's copy as a PDF, and a request for one.
    export_start(client=client, by=clinician)
    copy_request_log(
        client=client, by=clinician, asked_on=timezone.localdate(), format="pdf"
    )
    # A request to change that note: its page shows the note's date, never
    # the counseling note.
    amendment_request_record(
        client=client,
        by=clinician,
        part="note",
        session=session,
        what="Test change",
        why="Test reason",
        asked_on=session.started_at.date(),
    )
    # A group the clinician runs, with both clients in it, and a meeting: its
    # pages never show a counseling note either.
    group, _ = group_of(clinician, 0)
    for person in (client, intern_client):
        membership_add(
            group=group,
            by=clinician,
            client=person,
            joined_on=timezone.localdate() - datetime.timedelta(days=7),
        )
    meeting_of(group, clinician)
    return World(
        client=client,
        session=session,
        note=counseling_note_create(
            client=client, by=clinician, text=MARK_OWN, session=session
        ),
        intern_client=intern_client,
        intern_session=intern_session,
        intern_note=counseling_note_create(
            client=intern_client, by=intern, text=MARK_INTERN, session=intern_session
        ),
    )


def _detail(note: CounselingNote) -> str:
    return reverse("sessions:counseling_detail", args=[note.pk])


# --- who reads ---------------------------------------------------------------


def test_the_author_reads_their_own_note(clinician: User, world: World) -> None:
    response = signed_in(clinician).get(_detail(world.note))
    assertContains(response, MARK_OWN)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.object_type, event.object_id) == (
        "read",
        "counseling_note",
        str(world.note.pk),
    )
    # Whose record it is goes in the detail, never in client_id (the client's
    # access history would show it) and never any text.
    assert event.client_id is None
    assert event.detail == {"clients": [str(world.client.pk)]}


def test_a_supervisor_reads_a_trainees_note_but_never_edits_it(
    supervisor: User, world: World
) -> None:
    http = signed_in(supervisor)
    assertContains(http.get(_detail(world.intern_note)), MARK_INTERN)
    edit = reverse("sessions:counseling_update", args=[world.intern_note.pk])
    assert http.get(edit).status_code == 403
    assert http.post(edit, {"version": 1, "text": "changed"}).status_code == 403
    world.intern_note.refresh_from_db()
    assert world.intern_note.text == MARK_INTERN


def test_a_supervisor_does_not_read_a_note_of_someone_needing_no_cosignature(
    supervisor: User, world: World
) -> None:
    assert signed_in(supervisor).get(_detail(world.note)).status_code == 404
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.outcome == "denied"
    assert event.object_type == "counseling_note" and event.client_id is None


def test_once_training_ends_the_supervisor_no_longer_reads_it(
    supervisor: User, intern: User, world: World
) -> None:
    User.objects.filter(pk=intern.pk).update(requires_cosign=False)
    assert signed_in(supervisor).get(_detail(world.intern_note)).status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "other_supervisor", "admin_user"])
def test_everyone_else_gets_a_404(
    persona: str, world: World, request: pytest.FixtureRequest
) -> None:
    """The outsider holds an emergency-access grant to both clients."""
    http = signed_in(request.getfixturevalue(persona))
    for note in (world.note, world.intern_note):
        assert http.get(_detail(note)).status_code == 404
        edit = reverse("sessions:counseling_update", args=[note.pk])
        assert http.post(edit, {"version": 1, "text": "x"}).status_code == 404
    assert CounselingNote.objects.get(pk=world.note.pk).text == MARK_OWN


def test_the_clients_new_clinician_after_a_reassignment_gets_a_404(
    clinician: User, supervisor: User, world: World
) -> None:
    colleague = ClinicianFactory.create(username="colleague", supervisor=supervisor)
    client_reassign(client=world.client, to_clinician=colleague, by=supervisor)
    assert signed_in(colleague).get(_detail(world.note)).status_code == 404
    # The note stays its author's.
    assertContains(signed_in(clinician).get(_detail(world.note)), MARK_OWN)


def test_the_link_on_a_session_note_is_shown_to_its_author_only(
    clinician: User, supervisor: User, world: World
) -> None:
    url = reverse("sessions:detail", args=[world.session.pk])
    assertContains(signed_in(clinician).get(url), "My counseling notes for this")
    assertNotContains(signed_in(supervisor).get(url), "counseling")


# --- writing, through the browser ---------------------------------------------


def test_writing_and_editing_a_note_from_the_session_note(
    web, clinician: User, world: World
) -> None:
    app = web(clinician)
    page = app.get(reverse("sessions:list", args=[world.client.pk]))
    page = page.click(href=reverse("sessions:detail", args=[world.session.pk]))
    page = page.click("My counseling notes for this session")
    page = page.click("Write a counseling note for this session")
    form = page.forms["counseling-form"]
    assert form["session"].value == str(world.session.pk)
    form["text"] = "First thoughts, for me alone."
    page = form.submit().follow()
    assertContains(page, "Only you can read it.")
    note = CounselingNote.objects.exclude(pk=world.note.pk).get(author=clinician)
    assert (note.session_id, note.client_id, note.version) == (
        world.session.pk,
        world.client.pk,
        1,
    )
    form = page.click("Edit").forms["counseling-form"]
    form["text"] = "Second thoughts."
    page = form.submit().follow()
    assertContains(page, "Second thoughts.")
    assertContains(page, "Earlier versions")
    assertContains(page, "First thoughts, for me alone.")
    note.refresh_from_db()
    assert note.version == 2
    assert list(note.revisions.values_list("version", "text")) == [
        (2, "Second thoughts."),
        (1, "First thoughts, for me alone."),
    ]
    actions = AuditEvent.objects.filter(
        object_type="counseling_note", object_id=str(note.pk)
    ).values_list("action", flat=True)
    assert sorted(set(actions)) == ["create", "read", "update"]


def test_a_note_not_tied_to_a_session(web, clinician: User, world: World) -> None:
    page = web(clinician).get(
        reverse("sessions:counseling_create", args=[world.client.pk])
    )
    form = page.forms["counseling-form"]
    form["text"] = "Untied."
    form.submit().follow()
    assert CounselingNote.objects.get(text="Untied.").session_id is None


def test_an_empty_note_is_refused_with_a_message(
    web, clinician: User, world: World
) -> None:
    page = web(clinician).get(
        reverse("sessions:counseling_create", args=[world.client.pk])
    )
    form = page.forms["counseling-form"]
    form["text"] = "   "
    response = form.submit()
    assertContains(response, "Write the counseling note before saving it.")
    assert CounselingNote.objects.count() == 2


def test_the_language_guide_suggests_and_never_blocks(
    web, clinician: User, world: World
) -> None:
    page = web(clinician).get(
        reverse("sessions:counseling_create", args=[world.client.pk])
    )
    assert "data-language-check" in page.forms["counseling-form"]["text"].attrs
    form = page.forms["counseling-form"]
    form["text"] = "Worried I think of them as an addict."
    page = form.submit().follow()
    assertContains(page, "person who uses drugs")
    assert CounselingNote.objects.filter(text__startswith="Worried").exists()


def test_a_double_submit_makes_one_note(web, clinician: User, world: World) -> None:
    page = web(clinician).get(
        reverse("sessions:counseling_create", args=[world.client.pk])
    )
    form = page.forms["counseling-form"]
    form["text"] = "Once."
    first = form.submit()
    second = form.submit()
    assert first.location == second.location
    assert CounselingNote.objects.filter(text="Once.").count() == 1


def test_someone_elses_session_cannot_be_tied_in(
    web, clinician: User, world: World
) -> None:
    """A tampered POST naming a session outside the form's own choices."""
    page = web(clinician).get(
        reverse("sessions:counseling_create", args=[world.client.pk])
    )
    form = page.forms["counseling-form"]
    form["session"].force_value(str(world.intern_session.pk))
    form["text"] = "Tampered."
    response = form.submit()
    assert response.status_code == 200
    assert not CounselingNote.objects.filter(text="Tampered.").exists()


def test_a_supervisor_cannot_write_one_about_a_supervisees_client(
    supervisor: User, world: World
) -> None:
    url = reverse("sessions:counseling_create", args=[world.intern_client.pk])
    assert signed_in(supervisor).get(url).status_code == 403


def test_an_edit_from_a_stale_tab_is_refused_and_keeps_the_text(
    web, clinician: User, world: World
) -> None:
    app = web(clinician)
    edit = reverse("sessions:counseling_update", args=[world.note.pk])
    stale = app.get(edit).forms["counseling-form"]
    fresh = app.get(edit).forms["counseling-form"]
    fresh["text"] = "Newer."
    fresh.submit().follow()
    stale["text"] = "Older tab's words."
    response = stale.submit()
    assertContains(response, "changed in another tab")
    assertContains(response, "Older tab&#x27;s words.")
    world.note.refresh_from_db()
    assert (world.note.version, world.note.text) == (2, "Newer.")


def test_the_list_shows_whose_and_when_never_the_text(
    clinician: User, supervisor: User, world: World
) -> None:
    mine = signed_in(clinician).get(reverse("sessions:counseling_list"))
    assertContains(mine, world.note.get_absolute_url())
    assertNotContains(mine, world.intern_note.get_absolute_url())
    assertNotContains(mine, MARK_OWN)
    team = signed_in(supervisor).get(reverse("sessions:counseling_list"))
    assertContains(team, world.intern_note.get_absolute_url())
    assertNotContains(team, world.note.get_absolute_url())


# --- the database keeps them ---------------------------------------------------


def test_every_version_is_kept_by_the_database(world: World) -> None:
    """Even a write past the service leaves the earlier text in the revisions;
    a change of text without a new version, or a skipped one, is refused."""
    assert "one version at a time" in refusal(
        f"UPDATE {NOTES} SET text = 'sneaky' WHERE id = %s", [world.note.pk]
    )
    assert "one version at a time" in refusal(
        f"UPDATE {NOTES} SET text = 'x', version = 5 WHERE id = %s", [world.note.pk]
    )
    assert "keeps its author" in refusal(
        f"UPDATE {NOTES} SET client_id = %s WHERE id = %s",
        [world.intern_client.pk, world.note.pk],
    )
    CounselingNote.objects.filter(pk=world.note.pk).update(text="v2", version=2)
    assert list(
        CounselingNoteRevision.objects.filter(note=world.note).values_list(
            "version", "text"
        )
    ) == [(2, "v2"), (1, MARK_OWN)]


@pytest.mark.owner_role
def test_notes_are_never_deleted_and_versions_never_change_even_for_the_owner(
    world: World,
) -> None:
    assert "never deleted" in refusal(f"DELETE FROM {NOTES}")
    assert "append-only" in refusal(f"UPDATE {REVISIONS} SET text = 'x'")
    assert "append-only" in refusal(f"DELETE FROM {REVISIONS}")
    # TRUNCATE: tests/test_db_rules.py, CLINICAL_TABLES.


def test_the_app_role_may_not_delete_notes_or_touch_versions(world: World) -> None:
    become_app_role()
    assert "permission denied" in refusal(f"DELETE FROM {NOTES}")
    assert "permission denied" in refusal(f"UPDATE {REVISIONS} SET text = 'x'")
    assert "permission denied" in refusal(f"DELETE FROM {REVISIONS}")


# --- absent from every other page ----------------------------------------------

COUNSELING_PAGES = {"sessions:counseling_detail", "sessions:counseling_update"}
# Pages that end the walk or need a token rather than an id.
NOT_WALKED = PUBLIC_ROUTES | {"signed_in_session_end"}
SAMPLE_ID = SAMPLE_BY_CONVERTER["uuid"]


def _urls(world: World, seqs: list[int]) -> list[tuple[str, str]]:
    """(route, url) for every GET route of the project, with the ids of the
    world's records in place of the sample ids: each client, goal, note,
    counseling note, grant, staff member and audit event it may show."""
    authors = [str(world.note.author_id), str(world.intern_note.author_id)]
    pools: dict[str, list[str]] = {
        "clients": [str(world.client.pk), str(world.intern_client.pk)],
        "goals": [
            str(pk)
            for pk in world.client.goals.values_list("pk", flat=True).union(
                world.intern_client.goals.values_list("pk", flat=True)
            )
        ],
        "sessions": [str(world.session.pk), str(world.intern_session.pk)],
        "counseling-notes": [str(world.note.pk), str(world.intern_note.pk)],
        "emergency-access": [
            str(pk) for pk in EmergencyGrant.objects.values_list("pk", flat=True)
        ],
        # The authors: whose staff and team pages might show their notes.
        "staff": authors,
        "team": authors,
        "events": [str(seq) for seq in seqs],
        "consents": [str(pk) for pk in Consent.objects.values_list("pk", flat=True)],
        "disclosures": [
            str(pk) for pk in Disclosure.objects.values_list("pk", flat=True)
        ],
        "record-exports": [
            str(pk) for pk in RecordExport.objects.values_list("pk", flat=True)
        ],
        "record-requests": [
            str(pk) for pk in CopyRequest.objects.values_list("pk", flat=True)
        ],
        "record-changes": [
            str(pk) for pk in AmendmentRequest.objects.values_list("pk", flat=True)
        ],
        "appointments": [
            str(pk) for pk in Appointment.objects.values_list("pk", flat=True)
        ],
        "measures": [
            str(pk) for pk in MeasureResponse.objects.values_list("pk", flat=True)
        ],
        # Groups (issue #24): a group, its meetings, its memberships.
        "groups": [str(pk) for pk in Group.objects.values_list("pk", flat=True)],
        "meetings": [
            str(pk) for pk in GroupMeeting.objects.values_list("pk", flat=True)
        ],
        "members": [
            str(pk) for pk in GroupMembership.objects.values_list("pk", flat=True)
        ],
    }
    urls: list[tuple[str, str]] = []
    for route in project_routes():
        if route.name in NOT_WALKED:
            continue
        parts = route.path.split("/")
        if SAMPLE_ID not in parts and "1" not in parts:
            urls.append((route.name, route.path))
            continue
        at = parts.index(SAMPLE_ID) if SAMPLE_ID in parts else parts.index("1")
        for value in pools[parts[at - 1]]:
            urls.append((route.name, "/".join([*parts[:at], value, *parts[at + 1 :]])))
    for author in authors:
        urls.append(
            ("staff:caseload", reverse("staff:caseload") + f"?clinician={author}")
        )
    for session in (world.session, world.intern_session):
        urls.append(
            (
                "sessions:counseling_list",
                reverse("sessions:counseling_list") + f"?session={session.pk}",
            )
        )
    return urls


# Whose counseling note's words each persona may meet, on its own pages: the
# authors theirs, the intern's supervisor the intern's. Nobody else any.
READERS = {
    "clinician": {MARK_OWN},
    "intern": {MARK_INTERN},
    "supervisor": {MARK_INTERN},
}


@pytest.mark.slow
def test_counseling_notes_appear_on_no_other_page_for_anyone(
    world: World,
    clinician: User,
    intern: User,
    supervisor: User,
    outsider: User,
    other_supervisor: User,
    admin_user: User,
) -> None:
    """Every GET route, as every persona (the outsider holding emergency
    access to both clients), with every record's id: the words of a
    counseling note appear only on its own pages, for those who may read it.
    The note search never finds them."""
    users = {
        "clinician": clinician,
        "intern": intern,
        "supervisor": supervisor,
        "outsider": outsider,
        "other_supervisor": other_supervisor,
        "admin": admin_user,
    }
    readers = READERS
    met: dict[str, set[str]] = {persona: set() for persona in users}
    pages = 0
    for persona, user in users.items():
        http: HttpClient = signed_in(user)
        # The events about counseling notes: what an admin's event page shows.
        seqs = [
            seq
            for seq in AuditEvent.objects.filter(
                object_type="counseling_note"
            ).values_list("seq", flat=True)[:6]
            if seq is not None
        ]
        for name, url in _urls(world, seqs):
            response = http.get(url)
            pages += response.status_code == 200
            for mark in (MARK_OWN, MARK_INTERN):
                if mark.encode() not in response.content:
                    continue
                assert name in COUNSELING_PAGES, (persona, name, url)
                assert mark in readers.get(persona, set()), (persona, name, url)
                met[persona].add(mark)
        # Last: the results page repeats the words searched for (in the
        # person's session); what it found is counted in its audit event.
        for mark in (MARK_OWN, MARK_INTERN):
            http.post(reverse("sessions:search"), {"q": mark})
            http.get(reverse("sessions:search_results"))
            searched = AuditEvent.objects.filter(action="search", actor=user).last()
            assert searched is None or searched.result_count == 0, persona
    # The walk really reached the notes for those who may read them.
    assert met == {persona: readers.get(persona, set()) for persona in users}
    assert pages > 150, pages


def test_a_note_search_for_counseling_words_finds_nothing(
    clinician: User, world: World
) -> None:
    from sessions.selectors import note_search

    assert note_search(user=clinician, terms=MARK_OWN).count() == 0
    assert not TherapySession.objects.filter(search_vector=MARK_OWN.split()[0]).exists()


def test_an_unknown_counseling_note_is_a_404_and_no_event(clinician: User) -> None:
    http = signed_in(clinician)
    before = AuditEvent.objects.count()
    url = reverse("sessions:counseling_detail", args=[uuid.uuid4()])
    assert http.get(url).status_code == 404
    assert AuditEvent.objects.count() == before


def test_the_list_reads_a_fixed_number_of_queries(
    clinician: User, world: World, django_assert_max_num_queries
) -> None:
    http = signed_in(clinician)
    url = reverse("sessions:counseling_list")
    http.get(url)
    for n in range(4):
        counseling_note_create(client=world.client, by=clinician, text=f"n{n}")
    with django_assert_max_num_queries(QUERIES_PER_LIST):
        response = http.get(url)
    assert response.content.count(b"/sessions/counseling-notes/") >= 5
