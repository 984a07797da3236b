"""Issue #22 §1: "Hand to the client", a screen the person holds.

The clinician hands the device over from the record or a draft note; the
person sees only what was handed over, in their chosen name, with no way to
any other page; what they enter is saved as theirs; the clinician takes the
device back with their password, and the idle time-out still closes it, on a
neutral page. Forms are submitted as a browser submits them (CSRF on).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from audit.models import AuditEvent
from clients.models import Client
from consents.models import DeviceSignature, SignedHow
from goals.models import EnteredHow, Goal, GoalRating
from hr_clinic.lib.session_timeout import LAST_ACTIVITY_KEY
from screens.services import SESSION_KEY
from sessions.models import TherapySession
from staff.models import User
from staff.session_store import SessionStore
from tests.consent_data import consent_for
from tests.factories import ClientFactory, GoalFactory, TherapySessionFactory
from tests.urlwalk import project_routes

PASSWORD = "test-password-123"
# Of the record, never on the screen.
PHONE = "555-0142-9911"
OTHER_WORDS = "Zzqx a goal set aside long ago"
OTHER_CLIENT = "Qqwerty Otherperson"


def server_session(app: Any) -> SessionStore:
    return SessionStore(app.cookies[settings.SESSION_COOKIE_NAME].strip('"'))


@pytest.fixture
def person(clinician: User) -> Client:
    client = ClientFactory.create(
        clinician=clinician, chosen_name="Alex Screentest", phone=PHONE
    )
    GoalFactory.create(client=client, wording="Sleep inside most nights")
    GoalFactory.create(client=client, wording="Use with someone around")
    GoalFactory.create(client=client, wording=OTHER_WORDS, status="set_aside")
    ClientFactory.create(clinician=clinician, chosen_name=OTHER_CLIENT)
    return client


def _hand_over(app: Any, client: Client, *, steps: list[str] | None = None) -> Any:
    """From the record's "Hand to <name>" form: the screen's first page."""
    form = app.get(reverse("clients:detail", args=[client.pk])).forms["hand-over-form"]
    if steps is not None:
        for box in form.fields["steps"]:
            box.checked = box._value in steps
    return form.submit().follow()


def _rate(screen: Any, scores: dict[str, tuple[str, str]]) -> Any:
    page = screen.click("How close do you feel to your goals?")
    form = page.forms["screen-goals-form"]
    for goal in Goal.objects.filter(wording__in=scores):
        score, comment = scores[goal.wording]
        form[f"score_{goal.pk}"] = score
        form[f"comment_{goal.pk}"] = comment
    return form.submit().follow()


def _give_back(screen: Any, password: str) -> Any:
    form = screen.click("Give back to").forms["give-back-form"]
    form["password"] = password
    return form.submit()


def test_hand_over_rate_two_goals_and_take_the_device_back(
    web: Any, clinician: User, person: Client
) -> None:
    app = web(clinician)
    screen = _hand_over(app, person)

    assert screen.request.path == reverse("screen:home")
    assertContains(screen, "Hi Alex Screentest")
    for hidden in (PHONE, OTHER_WORDS, OTHER_CLIENT, "Sign out", "Caseload"):
        assertNotContains(screen, hidden)
    assert AuditEvent.objects.filter(
        action="hand_to_client", client_id=person.pk, actor=clinician
    ).exists()

    screen = _rate(
        screen,
        {
            "Sleep inside most nights": ("7", "better since the move"),
            "Use with someone around": ("4", ""),
        },
    )
    assertContains(screen, "Done, thank you")

    ratings = GoalRating.objects.filter(goal__client=person).order_by("score")
    assert [(r.score, r.comment) for r in ratings] == [
        (4, ""),
        (7, "better since the move"),
    ]
    for rating in ratings:
        assert rating.entered_how == EnteredHow.CLIENT_DEVICE
        assert rating.recorded_by == clinician
        assert rating.session is None

    back = _give_back(screen, PASSWORD).follow()

    assert back.request.path == reverse("clients:detail", args=[person.pk])
    assertContains(back, "Alex Screentest rated “Sleep inside most nights” 7 out of 10")
    assertContains(back, "and said: “better since the move”")
    assert SESSION_KEY not in server_session(app)
    assert AuditEvent.objects.filter(action="take_back", client_id=person.pk).exists()
    # The record is the clinician's again, and the goal's history says whose
    # rating it is.
    goal = Goal.objects.get(wording="Sleep inside most nights")
    history = app.get(reverse("goals:detail", args=[goal.pk]))
    assertContains(history, "Rated by Alex Screentest on this device")


def test_a_rating_the_clinician_enters_is_not_marked_as_the_clients(
    web: Any, clinician: User, person: Client
) -> None:
    goal = Goal.objects.get(wording="Sleep inside most nights")
    form = (
        web(clinician).get(reverse("goals:rate", args=[goal.pk])).forms["rating-form"]
    )
    form["score"] = "5"
    history = form.submit().follow()
    assert GoalRating.objects.get(goal=goal).entered_how == EnteredHow.CLINICIAN
    assertNotContains(history, "on this device")


def test_handed_over_from_a_draft_it_goes_back_to_the_draft(
    web: Any, clinician: User, person: Client
) -> None:
    draft = TherapySessionFactory.create(client=person)
    app = web(clinician)
    page = app.get(reverse("sessions:update", args=[draft.pk]))
    screen = page.forms["hand-over-form"].submit().follow()
    assert screen.request.path == reverse("screen:home")

    back = _give_back(screen, PASSWORD).follow()

    assert back.request.path == reverse("sessions:update", args=[draft.pk])
    assertContains(back, "Alex Screentest did not enter anything this time.")


def test_a_note_of_someone_else_is_not_where_the_screen_goes_back_to(
    as_clinician: Any, outsider: User, person: Client
) -> None:
    """A tampered note id is re-scoped: the screen goes back to the record."""
    foreign = TherapySessionFactory.create(
        client=ClientFactory.create(clinician=outsider)
    )
    as_clinician.post(
        reverse("screen:hand_over", args=[person.pk]),
        {"steps": ["goals"], "note": str(foreign.pk)},
    )
    handed = as_clinician.session[SESSION_KEY]
    assert handed["client"] == str(person.pk)
    assert handed["note"] is None


def test_nothing_chosen_hands_nothing_over(
    web: Any, clinician: User, person: Client
) -> None:
    app = web(clinician)
    page = _hand_over(app, person, steps=[])
    assert page.request.path == reverse("clients:detail", args=[person.pk])
    assertContains(page, "Choose what to offer on the screen")
    assert SESSION_KEY not in server_session(app)


def test_every_link_on_the_screen_stays_on_the_screen(
    web: Any, clinician: User, person: Client
) -> None:
    consent_for(person, clinician, signed_how=SignedHow.DEVICE, paper_signed_on=None)
    app = web(clinician)
    start = _hand_over(app, person)
    seen: set[str] = set()
    todo = [start]
    while todo:
        page = todo.pop()
        for link in page.html.find_all("a", href=True):
            href = link["href"].split("#")[0]
            if not href or href in seen:
                continue
            seen.add(href)
            response = app.get(href).maybe_follow()
            assert response.request.path.startswith("/screen/"), href
            assert response.status_code == 200
            for hidden in (PHONE, OTHER_WORDS, OTHER_CLIENT):
                assertNotContains(response, hidden)
            todo.append(response)
    assert {
        reverse("screen:home"),
        reverse("screen:goals"),
        reverse("screen:consent"),
        reverse("screen:give_back"),
    } <= seen


def test_no_other_page_answers_while_handed_over(
    web: Any, clinician: User, person: Client
) -> None:
    """Every route of the project, with real ids where they matter (this
    record, its goal and note, another client), GET and POST: each answers
    with the screen and shows nothing."""
    goal = Goal.objects.filter(client=person).first()
    assert goal is not None
    note = TherapySessionFactory.create(client=person)
    other = Client.objects.get(chosen_name=OTHER_CLIENT)
    app = web(clinician)
    _hand_over(app, person)
    real = [
        reverse("clients:detail", args=[person.pk]),
        reverse("clients:detail", args=[other.pk]),
        reverse("goals:detail", args=[goal.pk]),
        reverse("sessions:update", args=[note.pk]),
        reverse("sessions:list", args=[person.pk]),
        reverse("clients:list"),
        reverse("clients:search") + "?q=Qqwerty",
        reverse("sessions:search_results") + "?q=Sleep",
        reverse("appointments:today"),
        reverse("staff:list"),
        reverse("home"),
        "/django-admin/",
        "/no-such-page/",
    ]
    allowed = {"keep_alive", "healthz"}
    samples = [
        r.path
        for r in project_routes()
        if not r.name.startswith("screen:") or r.name == "screen:hand_over"
        if r.name not in allowed
    ]
    for path in real + samples:
        for method in (app.get, app.post):
            response = method(path, expect_errors=True)
            assert response.status_code == 302, (method, path)
            assert response["Location"] == reverse("screen:home"), (method, path)
            assert PHONE not in response.text and OTHER_CLIENT not in response.text
    # Nothing was handed over again or signed out along the way.
    assert server_session(app)[SESSION_KEY]["client"] == str(person.pk)
    assertContains(app.get(reverse("screen:home")), "Hi Alex Screentest")


def test_signing_out_is_not_a_way_off_the_screen(
    web: Any, clinician: User, person: Client
) -> None:
    app = web(clinician)
    _hand_over(app, person)
    response = app.post(reverse("logout"))
    assert response["Location"] == reverse("screen:home")
    assert app.get(reverse("screen:home")).status_code == 200


def test_leaving_without_the_password_is_refused_and_nothing_is_lost(
    web: Any, clinician: User, person: Client
) -> None:
    app = web(clinician)
    screen = _rate(_hand_over(app, person), {"Sleep inside most nights": ("6", "")})
    for typed in ("", "not-the-password-1"):
        page = _give_back(screen, typed)
        assert page.status_code == 200
        assert page.request.path == reverse("screen:give_back")
    assertContains(page, "That is not the password.")
    assert GoalRating.objects.filter(goal__client=person, score=6).count() == 1
    assert server_session(app)[SESSION_KEY]["entered"]["goals"]
    assert app.get(reverse("clients:list"))["Location"] == reverse("screen:home")


def test_wrong_passwords_are_throttled_like_a_sign_in(
    web: Any, clinician: User, person: Client
) -> None:
    app = web(clinician)
    screen = _hand_over(app, person)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _give_back(screen, "guess-guess-000")
    page = _give_back(screen, PASSWORD)
    assertContains(page, "That is not the password.")
    assert SESSION_KEY in server_session(app)


def test_the_idle_time_out_closes_the_screen_on_a_neutral_page(
    web: Any, clinician: User, person: Client
) -> None:
    app = web(clinician)
    _hand_over(app, person)
    session = server_session(app)
    session[LAST_ACTIVITY_KEY] -= settings.IDLE_TIMEOUT_MINUTES * 60
    session.save()

    closed = app.get(reverse("screen:goals")).follow()

    assert closed.request.path == reverse("screen:closed")
    assertContains(closed, "This screen has closed.")
    assertContains(closed, "Please hand the device back.")
    for hidden in ("Alex", "Sleep inside", clinician.name, PHONE):
        assertNotContains(closed, hidden)
    # The clinician's session ended with it.
    assert app.get(reverse("clients:list"))["Location"].startswith(reverse("login"))


def test_the_screen_asks_again_just_after_the_idle_limit(
    web: Any, clinician: User, person: Client
) -> None:
    """static/js/screen.js reloads the screen then, so the time-out closes it."""
    screen = _hand_over(web(clinician), person)
    body = screen.html.body
    assert body["data-screen-close-after"] == str(
        settings.IDLE_TIMEOUT_MINUTES * 60 + 5
    )
    assert body["data-screen-url"] == reverse("screen:home")
    assert screen.html.find("script", src="/static/js/screen.js")


def test_the_person_signs_a_waiting_consent_on_the_screen(
    web: Any, clinician: User, person: Client
) -> None:
    consent = consent_for(
        person, clinician, signed_how=SignedHow.DEVICE, paper_signed_on=None
    )
    app = web(clinician)
    screen = _hand_over(app, person, steps=["consent"])
    assertNotContains(screen, "How close do you feel")

    page = screen.click("Read your consent")
    assertContains(page, "You can change your mind.")
    form = page.forms["screen-sign-form"]
    form["typed_name"] = "Alex S"
    form["agree"] = True
    screen = form.submit().follow()

    assert DeviceSignature.objects.get(consent=consent).typed_name == "Alex S"
    assertContains(screen, "Done, thank you")
    back = _give_back(screen, PASSWORD).follow()
    assertContains(back, "Alex Screentest signed the consent on this device.")


def test_the_consent_step_is_offered_only_when_one_is_waiting(
    web: Any, clinician: User, person: Client
) -> None:
    app = web(clinician)
    url = reverse("clients:detail", args=[person.pk])
    offered = [b._value for b in app.get(url).forms["hand-over-form"].fields["steps"]]
    # From the record: no check-in (it is about a session: offered from a note).
    assert offered == ["goals", "measure"]
    consent_for(person, clinician, signed_how=SignedHow.DEVICE, paper_signed_on=None)
    offered = [b._value for b in app.get(url).forms["hand-over-form"].fields["steps"]]
    assert offered == ["goals", "measure", "consent"]


def test_a_step_not_handed_over_is_not_found(
    web: Any, clinician: User, person: Client
) -> None:
    app = web(clinician)
    _hand_over(app, person, steps=["goals"])
    assert app.get(reverse("screen:consent"), expect_errors=True).status_code == 404


def test_screen_pages_are_not_found_when_nothing_is_handed_over(
    web: Any, clinician: User
) -> None:
    app = web(clinician)
    for name in ("screen:home", "screen:goals", "screen:consent", "screen:give_back"):
        assert app.get(reverse(name), expect_errors=True).status_code == 404, name


def test_only_the_persons_own_clinician_hands_the_screen_to_them(
    client_record: Client,
    as_supervisor: Any,
    as_outsider: Any,
    as_admin: Any,
    as_clinician: Any,
) -> None:
    url = reverse("screen:hand_over", args=[client_record.pk])
    data = {"steps": ["goals"]}
    assert as_supervisor.post(url, data).status_code == 403
    assert as_outsider.post(url, data).status_code == 404
    assert as_admin.post(url, data).status_code == 404
    assert as_clinician.get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="hand_to_client").exists()
    for http in (as_supervisor, as_outsider, as_admin):
        assert SESSION_KEY not in http.session


def test_the_form_shows_only_for_the_persons_own_clinician(
    web: Any, supervisor: User, person: Client
) -> None:
    page = web(supervisor).get(reverse("clients:detail", args=[person.pk]))
    assert "hand-over-form" not in page.forms


def test_a_record_moved_away_meanwhile_is_not_found_on_the_screen(
    web: Any, clinician: User, outsider: User, person: Client
) -> None:
    app = web(clinician)
    _hand_over(app, person)
    Client.objects.filter(pk=person.pk).update(clinician=outsider)
    TherapySession.objects.filter(client=person).update(client_clinician=outsider)
    assert app.get(reverse("screen:home"), expect_errors=True).status_code == 404


def test_from_a_note_the_person_rates_answers_the_check_in_and_a_phq9(
    web: Any, clinician: User, person: Client
) -> None:
    """The issue's journey, as a browser submits it: handed over from the
    draft note with goals, the check-in and a PHQ-9; given back with the
    password; all of it on the note, the record and Today."""
    from measures.models import MeasureResponse
    from sessions.models import RelationshipCheckIn

    draft = TherapySessionFactory.create(client=person)
    app = web(clinician)
    form = app.get(reverse("sessions:update", args=[draft.pk])).forms["hand-over-form"]
    # The check-in is offered from a note; a questionnaire needs choosing.
    assert {box._value for box in form.fields["steps"]} >= {"goals", "checkin"}
    for box in form.fields["steps"]:
        box.checked = box._value in ("goals", "checkin", "measure")
    refused = form.submit().follow()
    assertContains(refused, "Choose which questionnaire to offer.")
    form = refused.forms["hand-over-form"]
    for box in form.fields["steps"]:
        box.checked = box._value in ("goals", "checkin", "measure")
    form["measure"] = "phq9"
    screen = form.submit().follow()

    screen = _rate(
        screen,
        {"Sleep inside most nights": ("6", ""), "Use with someone around": ("8", "")},
    )
    page = screen.click("How was today’s session for you?")
    # Worded to the person holding the screen, not about them.
    assert "if you would rather not say" in page.text
    assert "if they would rather not say" not in page.text
    checkin = page.forms["screen-checkin-form"]
    checkin["heard"] = "9"
    checkin["honest"] = "3"
    checkin["words"] = "Slower next time please"
    screen = checkin.submit().follow()
    assertContains(screen, "Done, thank you", count=2)

    page = screen.click("A few questions about how you have been")
    phq = page.forms["screen-measure-form"]
    for n in (1, 2, 3, 4, 6, 7, 8, 9):  # question 5 left: named, the rest kept
        phq[f"item_{n}"] = "1"
    again = phq.submit()
    assertContains(again, "Choose an answer for question 5.")
    phq = again.forms["screen-measure-form"]
    assert phq["item_4"].value == "1"
    phq["item_5"] = "0"
    screen = phq.submit().follow()
    assertContains(screen, "Done, thank you", count=3)

    back = _give_back(screen, PASSWORD).follow()
    assert back.request.path == reverse("sessions:update", args=[draft.pk])
    assertContains(back, "Alex Screentest answered the check-in")
    assertContains(back, "Alex Screentest answered the PHQ-9: 8.")
    assertContains(back, "asks for a safety check-in today")

    # On the draft, as on the signed note: the check-in and the score.
    checkins = back.html.select_one("[data-testid=checkins]")
    assert checkins is not None and "9 of 10" in checkins.text
    assert "Slower next time please" in checkins.text
    scores = back.html.select_one("[data-testid=session-measures]")
    assert scores is not None and "PHQ-9: 8 of 27" in " ".join(scores.text.split())
    kept = RelationshipCheckIn.objects.get(session=draft)
    assert (kept.heard, kept.honest, kept.entered_how) == (9, 3, "by_client")
    response = MeasureResponse.objects.get(client=person)
    assert (response.total, response.session_id, response.entered_how) == (
        8,
        draft.pk,
        "client_device",
    )
    record = app.get(reverse("clients:detail", args=[person.pk]))
    assert record.html.select("[data-testid=safety-prompt]")
    today = app.get(reverse("appointments:today"))
    prompt = today.html.select_one("[data-testid=safety-prompt]")
    assert prompt is not None and "Alex Screentest" in prompt.text
