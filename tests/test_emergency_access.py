"""Emergency access ("break glass", issue #18 section 1; docs/design.md,
"Emergency access"): the lookup, the confirmation, the grant (time-limited by
the database clock, read-only unless covering a session, append-only), every
page under it audited with its id and bannered, who is told, the supervisor's
review and the admins' list."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import AuditEvent
from clients.models import (
    Client,
    EmergencyGrant,
    EmergencyGrantReview,
    EmergencyReason,
)
from clients.selectors import EMERGENCY_LOOKUP_MISSES
from clients.views.emergency import NO_MATCH, TOO_MANY
from goals.models import Goal
from sessions.models import TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from tests.factories import (
    ClientFactory,
    ClinicianFactory,
    EmergencyGrantFactory,
    GoalFactory,
    SupervisorFactory,
    TherapySessionFactory,
)
from tests.signin import signed_in

Web = Callable[[User | None], DjangoTestApp]
BIRTH = datetime.date(1980, 5, 17)


@pytest.fixture
def record(clinician: User) -> Client:
    """A client on `clinician`'s caseload (`supervisor`'s team) with the
    identifiers the lookup can use."""
    return ClientFactory.create(
        clinician=clinician,
        chosen_name="Robin Example",
        legal_name="Roberta Q Example",
        date_of_birth=BIRTH,
        phone="+44 (0)7700 900-123",
    )


def _grant(client: Client, grantee: User, **kwargs: Any) -> EmergencyGrant:
    return EmergencyGrantFactory.create(client=client, grantee=grantee, **kwargs)


def _insert_grant(client: Client, grantee: User, *, expires: str) -> uuid.UUID:
    """A grant written with SQL, its times from the database clock (`expires`
    is an interval from now(), e.g. "-1 minute")."""
    pk = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO clients_emergencygrant (id, client_id, grantee_id,"
            " client_clinician_id, reason, explanation, created_at, expires_at)"
            " VALUES (%s, %s, %s, %s, 'safety', 'Test explanation',"
            " now() - interval '3 hours', now() + %s::interval)",
            [pk, client.pk, grantee.pk, client.clinician_id, expires],
        )
    return pk


def _find(app: DjangoTestApp, **fields: str) -> Any:
    form = app.get(reverse("clients:emergency")).forms["emergency-find"]
    for name, value in fields.items():
        form[name] = value
    return form.submit()


def _confirm(page: Any, reason: str = EmergencyReason.OUT_OF_HOURS) -> Any:
    form = page.forms["emergency-confirm"]
    form["reason"] = reason
    form["explanation"] = "Robin called the out-of-hours line; Sam is away."
    form["confirm"] = True
    return form.submit()


def _last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    return event


# The journey, through the real navigation.


def test_a_clinician_opens_a_record_in_an_emergency_from_the_nav(
    web: Web, outsider: User, record: Client
) -> None:
    app = web(outsider)
    page = app.get(reverse("home")).follow().click("Emergency access", index=0)
    form = page.forms["emergency-find"]
    form["chosen_name"] = "robin example"  # the case does not matter
    form["date_of_birth"] = BIRTH.isoformat()
    confirm = form.submit().follow()
    what = confirm.html.find(attrs={"data-testid": "what-will-happen"}).text
    for promise in ("3 hours", "read only", "supervisor", "recorded"):
        assert promise in what.lower(), promise
    assertContains(confirm, record.clinician.name)

    landed = _confirm(confirm).follow()

    assert landed.request.path == record.get_absolute_url()
    grant = EmergencyGrant.objects.get(grantee=outsider, client=record)
    banner = landed.html.find(attrs={"data-testid": "emergency-banner"}).text
    until = timezone.localtime(grant.expires_at).strftime("%H:%M")
    assert f"Emergency access until {until}" in banner
    assert "reason: Continuity of care out of hours" in banner
    assert grant.expires_at - grant.created_at == datetime.timedelta(hours=3)
    assert grant.client_clinician == record.clinician
    created = AuditEvent.objects.get(object_type="emergency_grant")
    assert (created.action, created.client_id, created.emergency_grant_id) == (
        "create",
        record.pk,
        grant.pk,
    )
    # The client page itself was read under the grant.
    assert _last_event().emergency_grant_id == grant.pk


def test_the_grant_takes_its_times_from_the_database_clock(
    web: Web, outsider: User, record: Client, settings: Any
) -> None:
    settings.EMERGENCY_ACCESS_HOURS = 1
    _confirm(
        _find(web(outsider), record_id=str(record.pk), phone_last4="0123").follow()
    )
    grant = EmergencyGrant.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            # now(): the test's transaction began before the request;
            # statement_timestamp(): this query, after it.
            "SELECT created_at BETWEEN now() AND statement_timestamp(),"
            " expires_at - created_at"
            " FROM clients_emergencygrant WHERE id = %s",
            [grant.pk],
        )
        assert cursor.fetchone() == (True, datetime.timedelta(hours=1))


# The lookup never lists and never hints.


@pytest.mark.parametrize(
    "fields",
    [
        {"chosen_name": "Robin Example", "date_of_birth": "1980-05-18"},
        {"chosen_name": "Robin", "date_of_birth": BIRTH.isoformat()},
        {"chosen_name": "Nobody At All", "date_of_birth": BIRTH.isoformat()},
        {"chosen_name": "Robin Example", "legal_name": "Roberta Example"},
        {"chosen_name": "Robin Example", "phone_last4": "9123"},
        {"record_id": str(uuid.uuid4()), "date_of_birth": BIRTH.isoformat()},
    ],
    ids=["wrong-birth", "part-of-name", "no-such-name", "wrong-legal", "phone", "id"],
)
def test_a_miss_says_only_that_nothing_matches(
    web: Web, outsider: User, record: Client, fields: dict[str, str]
) -> None:
    page = _find(web(outsider), **fields)
    assert page.status_code == 200
    assertContains(page, NO_MATCH)
    # Nothing of the record that was not typed: not its id, its other
    # names, nor its clinician.
    for hint in (str(record.pk), "Roberta Q", record.clinician.name):
        assertNotContains(page, hint)
    assert not EmergencyGrant.objects.exists()
    event = _last_event()
    assert (event.action, event.object_type, event.outcome, event.client_id) == (
        "search",
        "emergency_access",
        "denied",
        None,
    )


def test_the_record_id_and_any_one_identifier_find_the_record(
    web: Web, outsider: User, record: Client
) -> None:
    for second in (
        {"legal_name": "roberta  q example"},
        {"phone_last4": "0123"},
        {"date_of_birth": BIRTH.isoformat()},
    ):
        page = _find(web(outsider), record_id=str(record.pk), **second)
        assert page.location == reverse("clients:emergency_confirm"), second


def test_a_second_identifier_is_required(
    web: Web, outsider: User, record: Client
) -> None:
    page = _find(web(outsider), chosen_name="Robin Example")
    assertContains(page, "Add one more detail the record holds")
    assert not AuditEvent.objects.filter(object_type="emergency_access").exists()


def test_repeated_misses_stop_the_lookup_for_an_hour(
    web: Web, outsider: User, record: Client
) -> None:
    app = web(outsider)
    for _ in range(EMERGENCY_LOOKUP_MISSES):
        assertContains(_find(app, chosen_name="Guess", phone_last4="1111"), NO_MATCH)
    # Even the right details are refused now, and the refusal is not a miss.
    page = _find(app, chosen_name="Robin Example", phone_last4="0123")
    assertContains(page, TOO_MANY)
    assert AuditEvent.objects.filter(outcome="denied").count() == (
        EMERGENCY_LOOKUP_MISSES
    )


def test_the_confirmation_needs_a_lookup_first(
    as_outsider: HttpClient, record: Client
) -> None:
    response = as_outsider.post(
        reverse("clients:emergency_confirm"),
        {"reason": "safety", "explanation": "x", "confirm": "on", "client": record.pk},
    )
    assert response["Location"] == reverse("clients:emergency")
    assert not EmergencyGrant.objects.exists()


def test_a_record_already_open_to_you_just_opens(
    web: Web, supervisor: User, record: Client
) -> None:
    page = _find(web(supervisor), chosen_name="Robin Example", phone_last4="0123")
    assert page.location == record.get_absolute_url()
    assert not EmergencyGrant.objects.exists()


def test_the_confirmation_asks_for_a_reason_and_the_explicit_confirmation(
    web: Web, outsider: User, record: Client
) -> None:
    confirm = _find(web(outsider), record_id=str(record.pk), phone_last4="0123")
    form = confirm.follow().forms["emergency-confirm"]
    form["reason"] = EmergencyReason.SAFETY
    page = form.submit()
    assert page.status_code == 200
    assert not EmergencyGrant.objects.exists()


# Expiry, by the database clock.


def test_after_expiry_the_record_is_a_404_again(
    as_outsider: HttpClient, outsider: User, record: Client
) -> None:
    url = record.get_absolute_url()
    _insert_grant(record, outsider, expires="-1 minute")
    response = as_outsider.get(url)
    assert response.status_code == 404
    # The 404 is as it always was: no banner, no word of the expired grant.
    assert b"emergency-banner" not in response.content
    assert b"Emergency access until" not in response.content
    missing = as_outsider.get(f"/clients/{uuid.uuid4()}/")
    main = re.compile(rb"<main.*</main>", re.S)
    assert main.search(response.content)[0] == main.search(missing.content)[0]  # type: ignore[index]
    assert _last_event().outcome == "denied"
    live = _insert_grant(record, outsider, expires="1 minute")
    assert as_outsider.get(url).status_code == 200
    assert _last_event().emergency_grant_id == live


def test_nobody_else_gains_anything_from_a_grant(
    record: Client, outsider: User, other_supervisor: User
) -> None:
    _grant(record, outsider)
    third = ClinicianFactory.create()
    note = TherapySessionFactory.create(client=record)
    for person in (third, other_supervisor):
        http = signed_in(person)
        assert http.get(record.get_absolute_url()).status_code == 404
        assert http.get(reverse("sessions:detail", args=[note.pk])).status_code == 404


# Read-only, and what covering a session allows.


def test_a_read_only_grant_reads_but_never_writes(
    record: Client, outsider: User
) -> None:
    grant = _grant(record, outsider, reason=EmergencyReason.SAFETY)
    goal = GoalFactory.create(client=record)
    note = TherapySessionFactory.create(client=record)
    http = signed_in(outsider)
    for url in (
        record.get_absolute_url(),
        reverse("sessions:list", args=[record.pk]),
        reverse("sessions:detail", args=[note.pk]),
        reverse("sessions:print", args=[note.pk]),
        reverse("goals:detail", args=[goal.pk]),
    ):
        response = http.get(url)
        assert response.status_code == 200, url
        assertContains(response, "Emergency access until")
        assertContains(response, "Read only.")
        assert _last_event().emergency_grant_id == grant.pk, url
    for url, data in (
        (reverse("clients:update", args=[record.pk]), {"chosen_name": "Changed"}),
        (reverse("sessions:create", args=[record.pk]), {}),
        (reverse("sessions:update", args=[note.pk]), {}),
        (reverse("goals:rate", args=[goal.pk]), {"score": "5"}),
        (reverse("goals:create", args=[record.pk]), {"wording": "x"}),
    ):
        assert http.post(url, data).status_code == 403, url
        denied = _last_event()
        assert (denied.outcome, denied.emergency_grant_id) == ("denied", grant.pk)
    record.refresh_from_db()
    assert record.chosen_name == "Robin Example"
    assert not TherapySession.objects.filter(clinician=outsider).exists()
    assert not goal.ratings.exists()


def test_covering_a_session_lets_the_grantee_write_its_note(
    web: Web, record: Client, outsider: User
) -> None:
    grant = _grant(record, outsider, reason=EmergencyReason.COVERING_SESSION)
    goal = GoalFactory.create(client=record)
    app = web(outsider)
    detail = app.get(record.get_absolute_url())
    assertContains(detail, "You can write the note of the session you are covering")
    form = detail.click("Log a session").forms["session-form"]
    form["section_brought"] = "Covered Sam's session; Robin talked about the week."
    form["duration_minutes"] = "30"
    form[f"score_{goal.pk}"] = "6"  # the client's own rating, with the note
    form.submit("action", value="save")
    note = TherapySession.objects.get(client=record)
    assert note.clinician == outsider
    assert goal.ratings.get().session == note
    # The save is recorded under the grant, as the pages opened were.
    saved = AuditEvent.objects.filter(
        actor=outsider, object_type="session", object_id=str(note.pk)
    ).exclude(action="read")
    assert saved.exists()
    assert set(saved.values_list("emergency_grant_id", flat=True)) == {grant.pk}
    # The record itself, its goals and its primary clinician stay as they are.
    http = signed_in(outsider)
    assert http.get(reverse("clients:update", args=[record.pk])).status_code == 403
    assert http.get(reverse("goals:update", args=[goal.pk])).status_code == 403


def test_a_supervisor_with_a_grant_cannot_move_the_client_or_read_its_history(
    record: Client, other_supervisor: User
) -> None:
    _grant(record, other_supervisor)
    http = signed_in(other_supervisor)
    page = http.get(record.get_absolute_url())
    assert page.status_code == 200
    assertNotContains(page, "Change primary clinician")
    assert http.get(reverse("clients:reassign", args=[record.pk])).status_code == 404
    history = http.get(reverse("audit:client_history", args=[record.pk]))
    assert history.status_code == 403


def test_a_grant_adds_nothing_to_the_grantees_caseload_or_note_search(
    web: Web, record: Client, outsider: User, clinician: User
) -> None:
    _grant(record, outsider)
    # Another client of the same clinician, not opened to the outsider.
    other = ClientFactory.create(clinician=clinician, chosen_name="Alex Other")
    therapy_session_sign(
        session=TherapySessionFactory.create(
            client=other, sections={"brought": "harbour walk"}
        ),
        by=clinician,
        expected_version=1,
    )
    app = web(outsider)
    caseload = app.get(reverse("clients:list"))
    assert "Robin Example" not in caseload.text
    search = app.get(reverse("sessions:search_results"))
    form = next(f for f in search.forms.values() if "q" in f.fields)
    results = form.submit().follow()
    form = next(f for f in results.forms.values() if "q" in f.fields)
    form["q"] = "harbour"
    found = form.submit().follow()
    assert "Alex Other" not in found.text


# The database keeps grants and reviews as written.


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE clients_emergencygrant SET expires_at = now() + interval '9 hours'",
        "DELETE FROM clients_emergencygrant",
        "TRUNCATE clients_emergencygrant CASCADE",
        "UPDATE clients_emergencygrantreview SET decision = 'appropriate'",
        "DELETE FROM clients_emergencygrantreview",
        "TRUNCATE clients_emergencygrantreview",
    ],
)
@pytest.mark.parametrize(
    "role, refused",
    [
        # The app role has no UPDATE, DELETE or TRUNCATE on these tables at all
        # (audit migration `app_role_grants`)...
        ("app", "permission denied"),
        # ...and the tables' own triggers refuse them even to their owner.
        pytest.param("owner", "append-only", marks=pytest.mark.owner_role),
    ],
)
def test_grants_and_reviews_are_append_only(
    record: Client, outsider: User, supervisor: User, sql: str, role: str, refused: str
) -> None:
    grant = _grant(record, outsider)
    EmergencyGrantReview.objects.create(
        grant=grant, reviewer=supervisor, decision="follow_up", comment="Ask Sam."
    )
    with pytest.raises(DatabaseError, match=refused):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql)
    assert EmergencyGrant.objects.count() == EmergencyGrantReview.objects.count() == 1


def test_the_database_refuses_a_grant_longer_than_a_day(
    record: Client, outsider: User
) -> None:
    with pytest.raises(DatabaseError, match="emergency_grant_time_limited"):
        with transaction.atomic():
            _insert_grant(record, outsider, expires="22 hours")  # 25 h after start


# Who is told, and the review.


def test_the_clinician_and_supervisor_are_told_and_the_supervisor_reviews(
    web: Web, record: Client, outsider: User, clinician: User, supervisor: User
) -> None:
    grant = _grant(record, outsider)
    caseload = web(clinician).get(reverse("clients:list"))
    notice = caseload.html.find(attrs={"data-testid": "emergency-notice"})
    assert "1 emergency access to your client(s)" in notice.text
    told = caseload.click("1 emergency access to your client")
    assertContains(told, outsider.name)
    assertContains(told, grant.explanation)
    assertContains(told, "Not reviewed yet")

    app = web(supervisor)
    dashboard = app.get(reverse("team:dashboard"))
    alert = dashboard.html.find(attrs={"data-testid": "emergency-reviews"})
    assert "1 emergency access to your team’s client(s)" in alert.text
    review_page = dashboard.click("1 emergency access").click("Review")
    form = review_page.forms["emergency-review"]
    form["decision"] = "follow_up"
    form["comment"] = "Ask why the on-call line was not used."
    form.submit().follow()

    review = EmergencyGrantReview.objects.get(grant=grant)
    assert (review.reviewer, review.decision) == (supervisor, "follow_up")
    assert AuditEvent.objects.filter(
        object_type="emergency_review", object_id=str(grant.pk)
    ).exists()
    dashboard = app.get(reverse("team:dashboard"))
    assert dashboard.html.find(attrs={"data-testid": "emergency-reviews"}) is None
    # Reviewed, it is still on the lists and the record's access history.
    history = app.get(reverse("audit:client_history", args=[record.pk]))
    section = history.html.find(attrs={"data-testid": "emergency-grant"}).text
    assert "Risk to the client's safety" in section
    assert "Follow up" in section


def test_an_unreviewed_grant_stays_on_the_dashboard_after_it_ends(
    as_supervisor: HttpClient, record: Client, outsider: User
) -> None:
    _insert_grant(record, outsider, expires="-2 hours")
    assertContains(
        as_supervisor.get(reverse("team:dashboard")), "waiting for your review"
    )


def test_only_the_clinicians_supervisor_reviews_and_only_once(
    web: Web,
    record: Client,
    outsider: User,
    supervisor: User,
    other_supervisor: User,
) -> None:
    grant = _grant(record, outsider)
    url = reverse("clients:emergency_review", args=[grant.pk])
    # The grantee's own supervisor, and any other, gets a 404.
    assert signed_in(other_supervisor).get(url).status_code == 404
    assert signed_in(other_supervisor).post(url).status_code == 404
    page = web(supervisor).get(url)
    form = page.forms["emergency-review"]
    form["decision"] = "appropriate"
    form["comment"] = "Agreed with Sam beforehand."
    form.submit()
    # A second review (a stale tab) is refused on the form; the first stays.
    again = signed_in(supervisor).post(
        url, {"decision": "follow_up", "comment": "Changed my mind."}, follow=True
    )
    assertContains(again, "already been reviewed")
    assert EmergencyGrantReview.objects.get().decision == "appropriate"


def test_a_supervisor_with_nobody_above_reviews_grants_to_their_own_clients(
    web: Web, outsider: User
) -> None:
    lead = SupervisorFactory.create()
    client = ClientFactory.create(clinician=lead)
    grant = _grant(client, outsider)
    page = web(lead).get(reverse("clients:emergency_list"))
    assertContains(page, reverse("clients:emergency_review", args=[grant.pk]))


def test_the_grantee_sees_their_open_grants(
    as_outsider: HttpClient, record: Client, outsider: User
) -> None:
    _grant(record, outsider)
    page = as_outsider.get(reverse("clients:emergency_list"))
    held = page.content.decode()
    assert record.get_absolute_url() in held


# Admins: every grant, without names or anything clinical.


def test_admins_list_every_grant_by_client_id(
    web: Web, admin_user: User, record: Client, outsider: User
) -> None:
    grant = _grant(record, outsider)
    _insert_grant(
        ClientFactory.create(chosen_name="Kit Hidden"), outsider, expires="-1 hour"
    )
    page = web(admin_user).get(reverse("staff:list")).click("Emergency access")
    assertContains(page, str(record.pk))
    assertContains(page, outsider.name)
    assertContains(page, "Risk to the client")
    assertContains(page, "Not reviewed yet")
    assertContains(page, "open now", count=1)
    for hidden in ("Robin Example", "Kit Hidden", grant.explanation):
        assertNotContains(page, hidden)


def test_goals_and_notes_are_found_through_the_grant_only(
    record: Client, outsider: User
) -> None:
    grant = _grant(record, outsider)
    goal = GoalFactory.create(client=record)
    note = TherapySessionFactory.create(client=record)
    elsewhere = GoalFactory.create(
        client=ClientFactory.create(clinician=record.clinician)
    )
    assert list(Goal.objects.visible_to(outsider)) == [goal]
    assert list(TherapySession.objects.visible_to(outsider)) == [note]
    assert list(Client.objects.visible_to(outsider)) == [record]
    assert not Client.objects.reassignable_by(outsider).exists()
    assert elsewhere not in Goal.objects.visible_to(outsider)
    assert grant.allows_notes is False
