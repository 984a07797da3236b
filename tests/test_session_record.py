from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from clients.models import Client
from goals.models import Goal, GoalRating
from sessions.models import NotePreference, TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from tests.factories import GoalFactory


def _create_url(client: Client) -> str:
    return reverse("sessions:create", args=[client.pk])


def _edit_url(session: TherapySession) -> str:
    return reverse("sessions:update", args=[session.pk])


@pytest.fixture
def goals(client_record: Client) -> list[Goal]:
    return [
        GoalFactory.create(client=client_record, wording="Never use alone"),
        GoalFactory.create(client=client_record, wording="Get on the housing list"),
    ]


def _note(token: uuid.UUID | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "form_token": str(token or uuid.uuid4()),
        "note_format": "hr",
        "started_at": "2026-11-20T10:30",
        "duration_minutes": "50",
        "modality": "outreach",
        "section_brought": "“I want to stop using alone,” she said.",
        "section_did": "Made a plan with a friend; gave a naloxone kit.",
        "action": "save",
        **extra,
    }


def test_the_form_shows_the_harm_reduction_format_and_her_goals(
    as_clinician: HttpClient, client_record: Client, goals: list[Goal]
) -> None:
    page = as_clinician.get(_create_url(client_record))
    for label in (
        "What the client brought, in their words",
        "What we did together",
        "How the client responded",
        "Safety and harm-reduction check-in",
        "Next steps agreed together",
        "Never use alone",
        "Fentanyl test strips given",
    ):
        assertContains(page, label)
    assertNotContains(page, "sober")
    assertContains(page, 'name="form_token"')


@pytest.mark.parametrize(
    ("note_format", "label"),
    [
        ("dap", "Assessment"),
        ("birp", "Intervention"),
        ("soap", "Objective"),
        ("girp", "Goals"),
    ],
)
def test_other_formats(
    as_clinician: HttpClient, client_record: Client, note_format: str, label: str
) -> None:
    page = as_clinician.get(_create_url(client_record), {"note_format": note_format})
    assertContains(page, f'id="id_section_{label.lower()}"')
    assertContains(page, label)


def test_log_a_session_with_two_ratings_and_a_check_in(
    as_clinician: HttpClient, client_record: Client, goals: list[Goal]
) -> None:
    data = _note(
        None,
        **{
            f"score_{goals[0].pk}": "6",
            f"comment_{goals[0].pk}": "Better than last month",
            f"score_{goals[1].pk}": "3",
            "naloxone_on_hand": "true",
            "naloxone_doses_given": "2",
            "test_strips_given": "10",
            "overdoses_witnessed": "1",
            "naloxone_used": "true",
            "referrals": "Housing drop-in",
        },
    )
    response = as_clinician.post(_create_url(client_record), data)
    session = TherapySession.objects.get()
    assertRedirects(response, _edit_url(session), fetch_redirect_response=False)
    assert session.status == "draft"
    assert session.sections["brought"].startswith("“I want to stop using alone")
    assert (session.naloxone_doses_given, session.test_strips_given) == (2, 10)
    assert session.naloxone_on_hand is True
    ratings = {r.goal_id: r for r in GoalRating.objects.filter(session=session)}
    assert ratings[goals[0].pk].score == 6
    assert ratings[goals[0].pk].comment == "Better than last month"
    assert ratings[goals[1].pk].score == 3


def test_ratings_given_in_a_draft_come_back_and_can_be_cleared(
    as_clinician: HttpClient, client_record: Client, goals: list[Goal]
) -> None:
    housing = goals[1]
    as_clinician.post(
        _create_url(client_record),
        _note(
            None,
            **{
                f"score_{goals[0].pk}": "6",
                f"comment_{goals[0].pk}": "Better than last month",
                f"score_{housing.pk}": "3",
            },
        ),
    )
    session = TherapySession.objects.get()
    # A goal rated in this draft stays on its form after it is set aside.
    Goal.objects.filter(pk=housing.pk).update(status="set_aside")
    page = as_clinician.get(_edit_url(session)).content.decode()
    assert 'value="Better than last month"' in page
    for goal, score in ((goals[0], "6"), (housing, "3")):
        checked = [
            line for line in page.splitlines()
            if f'name="score_{goal.pk}"' in line and "checked" in line
        ]  # fmt: skip
        assert len(checked) == 1 and f'value="{score}"' in checked[0], goal

    # Cleared in the next save: that rating goes, the other stays.
    as_clinician.post(
        _edit_url(session),
        _note(
            None,
            version=str(session.version),
            **{f"score_{goals[0].pk}": "7", f"score_{housing.pk}": ""},
        ),
    )
    kept = GoalRating.objects.filter(session=session)
    assert [(r.goal_id, r.score) for r in kept] == [(goals[0].pk, 7)]


def test_the_draft_is_there_after_a_reload(
    as_clinician: HttpClient, client_record: Client
) -> None:
    as_clinician.post(_create_url(client_record), _note())
    session = TherapySession.objects.get()
    page = as_clinician.get(_edit_url(session))
    assertContains(page, "Made a plan with a friend; gave a naloxone kit.")
    assertContains(page, 'value="2026-11-20T10:30"')


def test_a_double_clicked_first_save_creates_one_session(
    as_clinician: HttpClient, client_record: Client
) -> None:
    data = _note(uuid.uuid4())
    first = as_clinician.post(_create_url(client_record), data)
    second = as_clinician.post(_create_url(client_record), data)
    assert TherapySession.objects.count() == 1
    assert first.status_code == second.status_code == 302


def test_a_double_clicked_save_of_a_draft_is_not_a_conflict(
    as_clinician: HttpClient, client_record: Client
) -> None:
    as_clinician.post(_create_url(client_record), _note())
    session = TherapySession.objects.get()
    data = _note(section_did="Second pass", version=str(session.version))
    assert as_clinician.post(_edit_url(session), data).status_code == 302
    assert as_clinician.post(_edit_url(session), data).status_code == 302
    session.refresh_from_db()
    assert session.sections["did"] == "Second pass"


def test_autosave_returns_json_and_bumps_the_version(
    as_clinician: HttpClient, client_record: Client
) -> None:
    token = uuid.uuid4()
    response = as_clinician.post(
        _create_url(client_record), _note(token, action="autosave"), HTTP_X_AUTOSAVE="1"
    )
    body = json.loads(response.content)
    session = TherapySession.objects.get()
    assert body["status"] == "saved"
    assert body["url"] == _edit_url(session)
    # The same token again (the page has not learned the new URL yet): same row.
    again = as_clinician.post(
        _create_url(client_record),
        _note(token, section_did="more", action="autosave"),
        HTTP_X_AUTOSAVE="1",
    )
    assert again.status_code in (200, 409)
    assert TherapySession.objects.count() == 1
    update = as_clinician.post(
        _edit_url(session),
        _note(section_did="typed more", version=str(body["version"])),
        HTTP_X_AUTOSAVE="1",
    )
    assert json.loads(update.content)["version"] == body["version"] + 1


def test_two_tabs_detect_each_other_and_keep_both_texts(
    as_clinician: HttpClient, client_record: Client
) -> None:
    as_clinician.post(_create_url(client_record), _note())
    session = TherapySession.objects.get()
    opened_at = str(session.version)
    tab_a = _note(section_did="Text from tab A", version=opened_at)
    tab_b = _note(section_did="Text from tab B", version=opened_at)
    assert as_clinician.post(_edit_url(session), tab_a).status_code == 302
    conflict = as_clinician.post(_edit_url(session), tab_b)
    assert conflict.status_code == 200
    assertContains(conflict, "This draft was changed somewhere else")
    assertContains(conflict, "Text from tab A")  # the saved text, beside
    assertContains(conflict, "Text from tab B")  # what this tab typed, kept
    session.refresh_from_db()
    assert session.sections["did"] == "Text from tab A"  # nothing overwritten
    # Saving the merge from the conflict page goes through, with the version
    # the page holds (read from its HTML, as a browser sends it: the page's
    # content is Jinja2, whose context the test client does not record).
    shown = re.search(r'name="version" value="(\d+)"', conflict.content.decode())
    assert shown is not None
    merged = _note(section_did="Text from tab A and B", version=shown[1])
    assert as_clinician.post(_edit_url(session), merged).status_code == 302
    session.refresh_from_db()
    assert session.sections["did"] == "Text from tab A and B"


def test_autosave_conflict_is_409(
    as_clinician: HttpClient, client_record: Client
) -> None:
    as_clinician.post(_create_url(client_record), _note())
    session = TherapySession.objects.get()
    as_clinician.post(_edit_url(session), _note(section_did="A", version="1"))
    response = as_clinician.post(
        _edit_url(session), _note(section_did="B", version="1"), HTTP_X_AUTOSAVE="1"
    )
    assert response.status_code == 409
    session.refresh_from_db()
    assert session.sections["did"] == "A"


def test_failed_validation_keeps_everything_typed_and_saves_the_text(
    as_clinician: HttpClient, client_record: Client
) -> None:
    response = as_clinician.post(
        _create_url(client_record),
        _note(duration_minutes="5000", test_strips_given="-3"),
    )
    assert response.status_code == 200
    assertContains(response, "Enter 1440 or less.")
    assertContains(response, "Made a plan with a friend; gave a naloxone kit.")
    assertContains(response, 'value="5000"')
    session = TherapySession.objects.get()
    assert session.sections["did"] == "Made a plan with a friend; gave a naloxone kit."
    assert session.duration_minutes is None


def test_suggestions_appear_on_save_and_never_block(
    as_clinician: HttpClient, client_record: Client
) -> None:
    as_clinician.post(
        _create_url(client_record), _note(section_response="She relapsed last week.")
    )
    session = TherapySession.objects.get()
    page = as_clinician.get(_edit_url(session))
    assertContains(page, "return to use")
    assert session.sections["response"] == "She relapsed last week."


def test_a_default_format_can_be_chosen(
    as_clinician: HttpClient, client_record: Client, clinician: User
) -> None:
    as_clinician.post(
        _create_url(client_record),
        _note(note_format="soap", section_subjective="x", make_default_format="on"),
    )
    assert NotePreference.objects.get(clinician=clinician).note_format == "soap"
    page = as_clinician.get(_create_url(client_record))
    assertContains(page, "SOAP format")


def test_last_contact_on_the_caseload_comes_from_signed_notes(
    as_clinician: HttpClient, client_record: Client, clinician: User
) -> None:
    as_clinician.post(_create_url(client_record), _note())
    caseload = reverse("clients:list")
    assertNotContains(as_clinician.get(caseload), "20 Nov 2026")  # a draft
    therapy_session_sign(
        session=TherapySession.objects.get(), by=clinician, expected_version=1
    )
    assertContains(as_clinician.get(caseload), "20 Nov 2026")
