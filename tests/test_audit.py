from __future__ import annotations

import datetime
import json
import uuid
import zoneinfo
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import AuditEvent
from clients.models import Client
from consents.models import Consent, Disclosure
from goals.models import Goal
from groups.models import Group, GroupMeeting, GroupMembership
from measures.models import MeasureResponse
from records.models import AmendmentRequest, CopyRequest, RecordExport
from sessions.models import TherapySession
from sessions.services import counseling_note_create, therapy_session_sign
from staff.models import User
from tests.audit_report import report_rows
from tests.consent_data import consent_for
from tests.exports import csv_rows
from tests.factories import (
    AppointmentFactory,
    ClientFactory,
    ClinicianFactory,
    EmergencyGrantFactory,
    GoalFactory,
    TherapySessionFactory,
)
from tests.signin import signed_in
from tests.urlwalk import project_routes

MARK_NAME = "Zzyzx Markername"
MARK_TEXT = "qwxplorf unmistakable note text"


@pytest.fixture
def world(clinician: User, supervisor: User) -> dict[str, Any]:
    intern = ClinicianFactory.create(
        username="intern", supervisor=supervisor, requires_cosign=True
    )
    client = ClientFactory.create(clinician=clinician, chosen_name=MARK_NAME)
    goal = GoalFactory.create(client=client, wording=MARK_TEXT)
    note = TherapySessionFactory.create(client=client, sections={"did": MARK_TEXT})
    intern_client = ClientFactory.create(clinician=intern)
    waiting = therapy_session_sign(
        session=TherapySessionFactory.create(client=intern_client),
        by=intern,
        expected_version=1,
    )
    return {
        "client": client,
        "goal": goal,
        "note": note,
        "intern": intern,
        "waiting": waiting,
        # A colleague's emergency access to the intern's client: the
        # supervisor reviews it.
        "grant": EmergencyGrantFactory.create(client=intern_client),
        "counseling": counseling_note_create(
            client=client, by=clinician, text=MARK_TEXT, session=note
        ),
        # Made directly, leaving no event of its own (the report tests count them).
        "consent": Consent.objects.create(
            client=client,
            kind="tpo",
            items=["goals"],
            expiry_event="the end of my care",
            signed_how="paper",
            paper_signed_on=datetime.date(2026, 1, 5),
            part2=True,
            recorded_by=clinician,
        ),
        # Made directly too (an export made, and a request for a copy).
        "export": RecordExport.objects.create(
            client=client,
            requested_by=clinician,
            state="ready",
            content=b"%PDF-1.4 test",
            finished_at=timezone.now(),
        ),
        "copy_request": CopyRequest.objects.create(
            client=client,
            asked_on=datetime.date(2026, 1, 5),
            due_on=datetime.date(2026, 2, 4),
            format="pdf",
            recorded_by=clinician,
        ),
        "disclosure": Disclosure.objects.create(
            client=client,
            kind="medical_emergency",
            recipient_name="Dr Test",
            recipient_facility="Test Hospital",
            emergency_nature="Test emergency",
            scope=["goals"],
            item_ids=[str(goal.pk)],
            disclosed_by=clinician,
        ),
        # An appointment still to come, made directly too.
        "appointment": AppointmentFactory.create(client=client),
        # A GAD-7, made directly too.
        "measure": MeasureResponse.objects.create(
            client=client,
            code="gad7",
            answers={str(n): 0 for n in range(1, 8)},
            total=0,
            band="Minimal",
            entered_by=clinician,
        ),
        # A request to change the record, made directly too.
        "amendment": AmendmentRequest.objects.create(
            client=client,
            part="other",
            other_part="my name",
            what="x",
            why="y",
            asked_on=datetime.date(2026, 1, 5),
            due_on=datetime.date(2026, 3, 6),
            recorded_by=clinician,
        ),
        # A group the clinician facilitates with the client in it, and a
        # meeting of it, made directly too.
        **_group_and_meeting(clinician, client),
    }


def _group_and_meeting(clinician: User, client: Client) -> dict[str, Any]:
    group = Group.objects.create(name="Test group", created_by=clinician)
    group.facilitators.add(clinician)
    GroupMembership.objects.create(
        group=group,
        client=client,
        joined_on=datetime.date(2026, 1, 5),
        added_by=clinician,
    )
    meeting = GroupMeeting.objects.create(
        group=group,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        duration_minutes=90,
        created_by=clinician,
    )
    return {"group": group, "meeting": meeting}


def _events() -> list[tuple[str, str, str | None]]:
    return [
        (e.action, e.object_type, str(e.client_id) if e.client_id else None)
        for e in AuditEvent.objects.order_by("seq")
    ]


# Every GET route that shows client data: who opens it, the objects (or literal
# values) that fill its URL, and the one event it must leave: (action, object
# type, whose client id: a key of `world`, or None).
Expect = tuple[str, str, str | None]
CLIENT_PAGES: dict[str, tuple[str, tuple[str, ...], Expect]] = {
    "clients:list": ("clinician", (), ("list", "client", None)),
    "clients:reach_out": ("clinician", (), ("list", "client", None)),
    "clients:detail": ("clinician", ("client",), ("read", "client", "client")),
    "clients:pdf": ("clinician", ("client",), ("export", "client", "client")),
    "clients:update": ("clinician", ("client",), ("read", "client", "client")),
    "clients:wants": ("clinician", ("client",), ("read", "client", "client")),
    "clients:close": ("clinician", ("client",), ("read", "client", "client")),
    "clients:reassign": ("supervisor", ("client",), ("read", "client", "client")),
    "goals:create": ("clinician", ("client",), ("read", "client", "client")),
    "goals:detail": ("clinician", ("goal",), ("read", "goal", "client")),
    "goals:update": ("clinician", ("goal",), ("read", "goal", "client")),
    "goals:rate": ("clinician", ("goal",), ("read", "goal", "client")),
    "goals:change": ("clinician", ("goal",), ("read", "goal", "client")),
    "sessions:list": ("clinician", ("client",), ("list", "session", "client")),
    "sessions:create": ("clinician", ("client",), ("read", "client", "client")),
    "sessions:detail": ("clinician", ("note",), ("read", "session", "client")),
    "sessions:update": ("clinician", ("note",), ("read", "session", "client")),
    "sessions:sign": ("clinician", ("note",), ("read", "session", "client")),
    "sessions:discard": ("clinician", ("note",), ("read", "session", "client")),
    "sessions:addendum": ("clinician", ("note",), ("read", "session", "client")),
    "sessions:checkin": ("clinician", ("note",), ("read", "session", "client")),
    "sessions:checkin_trend": ("clinician", ("client",), ("read", "client", "client")),
    "sessions:print": ("clinician", ("note",), ("print", "session", "client")),
    "sessions:mine": ("clinician", (), ("list", "session", None)),
    # Counseling notes: their client's id goes in `detail`, not `client_id`, so
    # the client's access history never shows that one exists.
    "sessions:counseling_list": ("clinician", (), ("list", "counseling_note", None)),
    "sessions:counseling_create": (
        "clinician",
        ("client",),
        ("read", "client", "client"),
    ),
    "sessions:counseling_detail": (
        "clinician",
        ("counseling",),
        ("read", "counseling_note", None),
    ),
    "sessions:counseling_update": (
        "clinician",
        ("counseling",),
        ("read", "counseling_note", None),
    ),
    "sessions:search_results": ("clinician", (), ("search", "session", None)),
    "sessions:review_queue": ("supervisor", (), ("list", "session", None)),
    "sessions:return": ("supervisor", ("waiting",), ("read", "session", "waiting")),
    "team:dashboard": ("supervisor", (), ("list", "team", None)),
    # The program figures name no client: classified as the team dashboard is.
    "reports:figures": ("supervisor", (), ("list", "figures", None)),
    "reports:export": ("supervisor", (), ("export", "figures", None)),
    "team:reach_out": ("supervisor", (), ("list", "client", None)),
    "team:export": ("supervisor", (), ("export", "client", None)),
    "team:member_clients": ("supervisor", ("intern",), ("list", "client", None)),
    "team:member_reach_out": ("supervisor", ("intern",), ("list", "client", None)),
    "team:member_sessions": ("supervisor", ("intern",), ("list", "session", None)),
    "team:member_drafts": ("supervisor", ("intern",), ("list", "session", None)),
    "team:member_waiting": ("supervisor", ("intern",), ("list", "session", None)),
    "team:member_returned": ("supervisor", ("intern",), ("list", "session", None)),
    "audit:client_history": ("supervisor", ("client",), ("read", "client", "client")),
    "clients:emergency_list": ("clinician", (), ("list", "emergency_grant", None)),
    "clients:emergency_review": (
        "supervisor",
        ("grant",),
        ("read", "emergency_grant", "grant"),
    ),
    "emergency_access_admin": ("admin", (), ("list", "emergency_grant", None)),
    "staff:needs_clinician": ("admin", (), ("list", "client", None)),
    "staff:caseload": ("admin", (), ("list", "client", None)),
    "staff:deactivate": ("admin", ("intern",), ("list", "client", None)),
    "audit:report": ("admin", (), ("list", "audit_event", None)),
    "audit:export": ("admin", (), ("export", "audit_event", None)),
    "clients:attempts": ("clinician", ("client",), ("read", "client", "client")),
    "consents:client": ("clinician", ("client",), ("read", "client", "client")),
    "consents:notice_record": ("clinician", ("client",), ("read", "client", "client")),
    "consents:create": ("clinician", ("client",), ("read", "client", "client")),
    "consents:detail": ("clinician", ("consent",), ("read", "consent", "consent")),
    "consents:sign": ("clinician", ("consent",), ("read", "consent", "consent")),
    "consents:revoke": ("clinician", ("consent",), ("read", "consent", "consent")),
    "consents:share": ("clinician", ("client",), ("read", "client", "client")),
    "consents:share_without_consent": (
        "clinician",
        ("client",),
        ("read", "client", "client"),
    ),
    "consents:disclosure": (
        "clinician",
        ("disclosure",),
        ("read", "disclosure", "disclosure"),
    ),
    "consents:disclosure_pdf": (
        "clinician",
        ("disclosure",),
        ("export", "disclosure", "disclosure"),
    ),
    "consents:accounting": ("clinician", ("client",), ("read", "accounting", "client")),
    "records:client": ("clinician", ("client",), ("read", "client", "client")),
    "records:request_create": ("clinician", ("client",), ("read", "client", "client")),
    "records:export": (
        "clinician",
        ("export",),
        ("read", "record_export", "export"),
    ),
    "records:export_download": (
        "clinician",
        ("export",),
        ("export", "record_export", "export"),
    ),
    "records:request_fulfil": (
        "clinician",
        ("copy_request",),
        ("read", "copy_request", "copy_request"),
    ),
    "records:due": ("clinician", (), ("list", "copy_request", None)),
    "appointments:today": ("clinician", (), ("list", "appointment", None)),
    "appointments:week": ("clinician", (), ("list", "appointment", None)),
    "appointments:team_week": ("supervisor", (), ("list", "appointment", None)),
    "records:fhir": ("clinician", ("client",), ("export", "client", "client")),
    "records:amendment_list": ("clinician", ("client",), ("read", "client", "client")),
    "records:amendment_create": (
        "clinician",
        ("client",),
        ("read", "client", "client"),
    ),
    "records:amendment_detail": (
        "clinician",
        ("amendment",),
        ("read", "amendmentrequest", "amendment"),
    ),
    "appointments:create": ("clinician", ("client",), ("read", "client", "client")),
    "appointments:detail": (
        "clinician",
        ("appointment",),
        ("read", "appointment", "appointment"),
    ),
    "appointments:update": (
        "clinician",
        ("appointment",),
        ("read", "appointment", "appointment"),
    ),
    "measures:list": ("clinician", ("client",), ("read", "client", "client")),
    "measures:create": ("clinician", ("client",), ("read", "client", "client")),
    "measures:detail": (
        "clinician",
        ("measure",),
        ("read", "measure_response", "measure"),
    ),
    # Groups (issue #24): each page showing members names their client ids
    # in its event's detail (a group has no one client).
    "groups:list": ("clinician", (), ("list", "group", None)),
    "groups:create": ("clinician", (), ("list", "client", None)),
    "groups:detail": ("clinician", ("group",), ("read", "group", None)),
    "groups:meeting": ("clinician", ("meeting",), ("read", "group_meeting", None)),
    "groups:meeting_sign": (
        "clinician",
        ("meeting",),
        ("read", "group_meeting", None),
    ),
    # The client's screen, opened after handing it over (_hand_over_screen).
    "screen:home": ("clinician", (), ("read", "client", "client")),
    "screen:goals": ("clinician", (), ("read", "client", "client")),
    "screen:consent": ("clinician", (), ("read", "consent", "client")),
    "screen:checkin": ("clinician", (), ("read", "client", "client")),
    "screen:measure": ("clinician", (), ("read", "client", "client")),
    "screen:give_back": ("clinician", (), ("read", "client", "client")),
}


def _hand_over_screen(http: HttpClient, world: dict[str, Any]) -> None:
    """Hand the screen to the world's client from its draft note, with every
    step: a consent to sign on it, the check-in and a PHQ-9."""
    client = world["client"]
    consent_for(client, client.clinician, signed_how="device", paper_signed_on=None)
    http.post(
        reverse("screen:hand_over", args=[client.pk]),
        {
            "steps": ["goals", "checkin", "measure", "consent"],
            "note": str(world["note"].pk),
            "measure": "phq9",
        },
    )


def _url(name: str, keys: tuple[str, ...], world: dict[str, Any]) -> str:
    url = reverse(name, args=[world[key].pk for key in keys])
    if name == "measures:create":  # the measure is named in the query
        url += "?measure=phq9"
    if name == "staff:caseload":  # the departing clinician is chosen by a GET form
        url += f"?clinician={world['intern'].pk}"
    return url


def _client_of(whose: str | None, world: dict[str, Any]) -> str | None:
    if whose is None:
        return None
    obj = world[whose]
    return str(obj.pk if isinstance(obj, Client) else obj.client_id)


# Routes that show no client data, or only change it (their events are tested
# with the services below): sign-in pages, staff administration, the language
# guide, POST-only actions.
NO_CLIENT_DATA = {
    "home", "login", "logout", "set_password",
    "clients:search", "clients:create", "clients:status", "clients:review_on",
    "goals:status", "sessions:cosign", "sessions:hand_over", "sessions:search",
    "sessions:language_guide", "sessions:language_check",
    "staff:list", "staff:search", "staff:create", "staff:detail", "staff:update",
    "staff:reactivate", "staff:password_reset",
    "staff:second_factor_reset", "keep_alive", "mfa_enrol", "mfa_recovery_codes",
    "mfa_verify", "healthz", "audit:event",
    # The emergency lookup (a blank form; each lookup is a search event) and
    # its confirmation, which shows the chosen name of the record the lookup
    # found and recorded.
    "clients:emergency", "clients:emergency_confirm",
    "password_change", "signed_in_sessions", "signed_in_session_end",
    "signed_in_sessions_end_others",
    # The service's privacy notice: the same text for every client.
    "consents:notice",
    # Start a record's PDF, or start it again: POST only (the export page
    # they lead to is read).
    "records:export_create", "records:export_retry",
    # The calendar feed's page (on or off, its address once) and its switches;
    # the feed itself, reached by its secret address, leaves a list event with
    # the record ids it shows (tests/test_calendar_feed.py).
    "appointments:feed", "appointments:feed_on", "appointments:feed_off",
    "appointments:feed_ics",
    # POST-only answers to a request to change the record.
    "records:amendment_decide", "records:amendment_statement",
    # POST-only: what happened at an appointment; cancel the rest of a series.
    "appointments:outcome", "appointments:cancel_rest",
    # POST-only: record the safety check-in a measure asked for.
    "measures:safety_check",
    # Handing the screen to the client (POST only, its own event), and the
    # neutral page a time-out ends the screen on.
    "screen:hand_over", "screen:closed",
    # Groups: a meeting's form shows the group's name only; the rest are
    # POST-only changes, audited by their services (tests/test_groups.py).
    "groups:meeting_create", "groups:member_add", "groups:member_leave",
}  # fmt: skip


def test_every_route_is_classified() -> None:
    names = {route.name for route in project_routes()}
    assert names == set(CLIENT_PAGES) | NO_CLIENT_DATA, names ^ (
        set(CLIENT_PAGES) | NO_CLIENT_DATA
    )


@pytest.mark.parametrize("name", sorted(CLIENT_PAGES))
def test_each_page_showing_client_data_leaves_exactly_one_event(
    name: str, world: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    persona, keys, (action, object_type, whose) = CLIENT_PAGES[name]
    user = request.getfixturevalue(
        {"clinician": "clinician", "supervisor": "supervisor", "admin": "admin_user"}[
            persona
        ]
    )
    http = signed_in(user)
    if name == "sessions:search_results":
        http.post(reverse("sessions:search"), {"q": "qwxplorf"})
    if name.startswith("screen:"):
        _hand_over_screen(http, world)
    before = AuditEvent.objects.count()
    response = http.get(_url(name, keys, world))
    assert response.status_code == 200, name
    assert _events()[before:] == [(action, object_type, _client_of(whose, world))]
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.actor == user
    assert event.actor_role == user.role and event.request_id
    assert event.request_id == response["X-Request-ID"]


def test_out_of_scope_record_is_a_404_and_a_denied_event(
    as_outsider: HttpClient, outsider: User, world: dict[str, Any]
) -> None:
    client = world["client"]
    response = as_outsider.get(reverse("clients:detail", args=[client.pk]))
    assert response.status_code == 404
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.outcome, event.actor, event.client_id) == (
        "denied",
        outsider,
        client.pk,
    )
    # A missing id is a 404 too, and leaves no event.
    count = AuditEvent.objects.count()
    as_outsider.get(reverse("clients:detail", args=[uuid.uuid4()]))
    assert AuditEvent.objects.count() == count


def test_a_supervisor_trying_to_edit_is_a_denied_event(
    as_supervisor: HttpClient, world: dict[str, Any]
) -> None:
    url = reverse("goals:update", args=[world["goal"].pk])
    assert as_supervisor.get(url).status_code == 403
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.outcome == "denied"


def test_changes_are_recorded_with_the_change(
    as_clinician: HttpClient, world: dict[str, Any]
) -> None:
    client = world["client"]
    as_clinician.post(
        reverse("clients:close", args=[client.pk]),
        {"reason": "moved", "closed_on": client.intake_date.isoformat()},
    )
    as_clinician.post(reverse("clients:status", args=[client.pk]), {"action": "reopen"})
    as_clinician.post(
        reverse("sessions:sign", args=[world["note"].pk]),
        {"version": 1, "confirm": "on"},
    )
    actions = [a for a, _, _ in _events()]
    assert actions[-3:] == ["close", "reopen", "sign"]


def test_a_refused_change_leaves_no_event(
    as_clinician: HttpClient, world: dict[str, Any]
) -> None:
    url = reverse("sessions:addendum", args=[world["note"].pk])  # a draft
    before = AuditEvent.objects.filter(action="addendum").count()
    as_clinician.post(url, {"reason": "x", "text": "y"})
    assert AuditEvent.objects.filter(action="addendum").count() == before


def test_sign_in_failure_and_sign_out_are_recorded(
    client: HttpClient, clinician: User
) -> None:
    client.post(reverse("login"), {"username": "clinician", "password": "wrong-one-1"})
    client.post(reverse("login"), {"username": "nobody", "password": "wrong-one-1"})
    client.post(
        reverse("login"), {"username": "clinician", "password": "test-password-123"}
    )
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.action for e in events] == [
        "sign_in_failed",
        "sign_in_failed",
        "sign_in",
        "sign_out",
    ]
    assert events[0].object_id == str(clinician.pk) and events[0].actor is None
    assert events[1].object_id == ""
    assert all("nobody" not in str(vars(e)) for e in events)


def test_no_event_carries_note_text_or_a_name(
    as_clinician: HttpClient, as_supervisor: HttpClient, world: dict[str, Any]
) -> None:
    client = world["client"]
    as_clinician.post(reverse("clients:search"), {"q": MARK_NAME})
    as_clinician.get(reverse("clients:list"))
    as_clinician.post(reverse("sessions:search"), {"q": "qwxplorf"})
    as_clinician.get(reverse("sessions:search_results"))
    as_clinician.get(reverse("goals:detail", args=[world["goal"].pk]))
    as_clinician.get(reverse("sessions:detail", args=[world["note"].pk]))
    as_supervisor.get(reverse("clients:detail", args=[client.pk]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(e)::text FROM audit_auditevent e")
        dump = "\n".join(row[0] for row in cursor.fetchall())
    assert dump
    for marker in ("Zzyzx", "Markername", "qwxplorf", "unmistakable"):
        assert marker.lower() not in dump.lower()


def _sql_fails(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError:
        return True
    return False


def test_the_audit_table_is_append_only(
    world: dict[str, Any], as_clinician: HttpClient
) -> None:
    as_clinician.get(reverse("clients:list"))
    assert AuditEvent.objects.exists()
    assert _sql_fails("UPDATE audit_auditevent SET action = 'read'")
    assert _sql_fails("DELETE FROM audit_auditevent")
    assert _sql_fails("TRUNCATE audit_auditevent")


def test_verify_audit_reports_an_intact_chain(
    world: dict[str, Any], as_clinician: HttpClient
) -> None:
    for _ in range(3):
        as_clinician.get(reverse("clients:detail", args=[world["client"].pk]))
    out = StringIO()
    call_command("verify_audit", stdout=out)
    total = AuditEvent.objects.count()
    assert f"Audit chain intact: {total} events" in out.getvalue()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))


@pytest.mark.owner_role
def test_verify_audit_catches_a_row_edited_behind_the_triggers(
    world: dict[str, Any], as_clinician: HttpClient
) -> None:
    for _ in range(4):
        as_clinician.get(reverse("clients:detail", args=[world["client"].pk]))
    with connection.cursor() as cursor:
        # What only a superuser or the table owner can do: switch the guard off.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_auditevent SET actor_id = NULL WHERE seq = 3")
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    with pytest.raises(CommandError, match="broken at row seq=3"):
        call_command("verify_audit", stdout=StringIO())


@pytest.mark.owner_role
def test_verify_audit_catches_a_deleted_row(
    world: dict[str, Any], as_clinician: HttpClient
) -> None:
    for _ in range(4):
        as_clinician.get(reverse("clients:detail", args=[world["client"].pk]))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    with pytest.raises(CommandError, match="seq=3"):
        call_command("verify_audit", stdout=StringIO())


@pytest.mark.owner_role
def test_detail_and_emergency_grant_are_chained_and_older_rows_hash_as_before(
    world: dict[str, Any], clinician: User, as_clinician: HttpClient
) -> None:
    from audit import services as audit

    as_clinician.get(reverse("clients:detail", args=[world["client"].pk]))
    grant = uuid.uuid4()
    audit.record(
        actor=clinician,
        action="read",
        obj=world["client"],
        detail={"clients": [str(world["client"].pk)]},
        emergency_grant_id=grant,
    )
    plain, extended = AuditEvent.objects.order_by("-seq")[1], AuditEvent.objects.first()
    assert extended is not None and extended.emergency_grant_id == grant
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT audit_event_canonical(e) FROM audit_auditevent e WHERE seq = %s",
            [plain.seq],
        )
        (text,) = cursor.fetchone()
    # A row with neither column set hashes to the canonical text of migration
    # 0002: fourteen fields, nothing appended.
    assert len(json.loads(text)) == 14
    call_command("verify_audit", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE audit_auditevent SET detail = '{}' WHERE seq = %s", [extended.seq]
        )
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    with pytest.raises(CommandError, match=f"broken at row seq={extended.seq}"):
        call_command("verify_audit", stdout=StringIO())


def test_report_filters(
    as_admin: HttpClient,
    as_clinician: HttpClient,
    clinician: User,
    world: dict[str, Any],
) -> None:
    client: Client = world["client"]
    goal: Goal = world["goal"]
    note: TherapySession = world["note"]
    as_clinician.get(reverse("clients:detail", args=[client.pk]))
    as_clinician.get(reverse("goals:detail", args=[goal.pk]))
    as_clinician.get(reverse("sessions:detail", args=[note.pk]))
    report = reverse("audit:report")
    by_client = as_admin.get(report, {"client_id": str(client.pk), "action": "read"})
    assert len(report_rows(by_client)) == 3
    by_actor = as_admin.get(report, {"actor": clinician.pk})
    actions = [row.action for row in report_rows(by_actor)]
    # "create": the world's counseling note, written by the clinician.
    assert sorted(actions) == ["create", "read", "read", "read", "sign_in"]
    dated = as_admin.get(report, {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    assert report_rows(dated) == []
    assertContains(dated, "No events match.")
    oldest = report_rows(as_admin.get(report, {"sort": "oldest"}))
    assert [e.seq for e in oldest] == sorted(e.seq for e in oldest)
    bad = as_admin.get(report, {"client_id": "not-an-id"})
    assertContains(bad, "copy it whole")
    assertNotContains(by_client, MARK_NAME)


def test_report_export_is_csv(
    as_admin: HttpClient, as_clinician: HttpClient, world: dict[str, Any]
) -> None:
    as_clinician.get(reverse("clients:detail", args=[world["client"].pk]))
    response = as_admin.get(reverse("audit:export"), {"action": "read"})
    rows = csv_rows(response.content.decode())
    assert rows[0][0] == "seq"
    assert [r[4] for r in rows[1:]] == ["read"]
    assert MARK_NAME not in response.content.decode()


@pytest.mark.parametrize("persona", ["as_clinician", "as_supervisor"])
def test_only_admins_see_the_report(
    persona: str, request: pytest.FixtureRequest
) -> None:
    http: HttpClient = request.getfixturevalue(persona)
    assert http.get(reverse("audit:report")).status_code == 404
    assert http.get(reverse("audit:export")).status_code == 404


def test_supervisor_sees_who_opened_a_team_clients_record(
    as_supervisor: HttpClient,
    as_clinician: HttpClient,
    as_other_supervisor: HttpClient,
    as_admin: HttpClient,
    clinician: User,
    world: dict[str, Any],
) -> None:
    client = world["client"]
    as_clinician.get(reverse("clients:detail", args=[client.pk]))
    url = reverse("audit:client_history", args=[client.pk])
    page = as_supervisor.get(url)
    assertContains(page, clinician.name)
    assertContains(page, "Opened client")
    assert as_other_supervisor.get(url).status_code == 404
    assert as_clinician.get(url).status_code == 404
    assert as_admin.get(url).status_code == 404


def test_report_pages_without_counting(
    as_admin: HttpClient, as_clinician: HttpClient, world: dict[str, Any]
) -> None:
    for _ in range(60):
        as_clinician.get(reverse("clients:detail", args=[world["client"].pk]))
    first = as_admin.get(reverse("audit:report"), {"action": "read"})
    assert len(report_rows(first)) == 50
    assertContains(first, "Next")
    second = as_admin.get(reverse("audit:report"), {"action": "read", "page": "2"})
    assert len(report_rows(second)) == 10
    assertContains(second, "Previous")
    seqs = [row.seq for row in report_rows(first)]
    assert seqs == sorted(seqs, reverse=True)


def test_audit_times_say_the_zone_they_are_in(
    as_admin: HttpClient,
    as_supervisor: HttpClient,
    as_clinician: HttpClient,
    world: dict[str, Any],
    settings: Any,
) -> None:
    """Header and rows agree on a server zone other than UTC: the report and a
    client's access history name the zone their rows are written in; the CSV
    stays in UTC, with the offset in every time."""
    settings.TIME_ZONE = "America/New_York"
    client = world["client"]
    as_clinician.get(reverse("clients:detail", args=[client.pk]))
    event = AuditEvent.objects.filter(client_id=client.pk).order_by("-seq").first()
    assert event is not None
    local = event.occurred_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))

    report = as_admin.get(reverse("audit:report"), {"client_id": str(client.pk)})
    assertContains(report, "Time (America/New_York)")
    assertNotContains(report, "Time (UTC)")
    assertContains(report, f"{local:%Y-%m-%d %H:%M:%S}")

    history = as_supervisor.get(reverse("audit:client_history", args=[client.pk]))
    assertContains(history, "When (America/New_York)")
    assertContains(history, f"{local.day} {local:%b %Y, %H:%M}")

    export = as_admin.get(reverse("audit:export"), {"client_id": str(client.pk)})
    rows = csv_rows(export.content.decode())
    assert rows[0][1] == "time (UTC)"
    utc = event.occurred_at.astimezone(datetime.UTC).isoformat()
    assert utc in [row[1] for row in rows[1:]]
    assert all(row[1].endswith("+00:00") for row in rows[1:])
