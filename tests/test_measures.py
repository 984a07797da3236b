"""Standard measures on the record (issue #22, section 3): taken with the
client from the record or a note, bad answers and double submits, the PHQ-9
item 9 safety check-in until it is recorded, the history charts with 0, 1 and
200 responses, scores on the note, who may do what, and PostgreSQL keeping
every response as it was scored."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clients.models import Client
from measures.definitions import PHQ9
from measures.models import EnteredHow, MeasureResponse, SafetyCheck
from measures.selectors import open_safety_prompts
from measures.services import measure_record, safety_check_record
from sessions.models import SessionStatus
from sessions.services import therapy_session_sign
from staff.models import User
from tests.db_roles import become_app_role, refusal
from tests.factories import ClientFactory, TherapySessionFactory
from tests.signin import signed_in

CALM = (
    "They marked thoughts of being better off dead or of hurting themselves. "
    "Check in about safety today."
)


def _phq9(item9: int = 0, each: int = 1) -> dict[str, int]:
    return {**{str(n): each for n in range(1, 9)}, "9": item9}


def _fill(form: Any, answers: dict[str, int]) -> Any:
    for key, points in answers.items():
        form[f"item_{key}"] = str(points)
    return form


def _phq9_form(web: Any, user: User, client: Client) -> Any:
    """The PHQ-9 form, reached from the record's Measures tab."""
    record = web(user).get(reverse("clients:detail", args=[client.pk]))
    measures = record.click(href=reverse("measures:list", args=[client.pk]))
    return measures.click("PHQ-9", index=0).forms["measure-form"]


# --- taking a measure with the client ----------------------------------------


def test_a_phq9_taken_from_the_record_is_scored_and_kept(
    web: Any, clinician: User, client_record: Client
) -> None:
    form = _fill(_phq9_form(web, clinician, client_record), _phq9(each=2))
    page = form.submit().follow()
    assert "PHQ-9 saved." in page.text
    assert "Total 16 of 27 · Moderately severe" in page.text
    assert CALM not in page.text
    response = MeasureResponse.objects.get(client=client_record)
    assert (response.code, response.total, response.band) == (
        "phq9",
        16,
        "Moderately severe",
    )
    assert response.answers == _phq9(each=2)
    assert response.entered_by == clinician
    assert response.entered_how == EnteredHow.WITH_CLINICIAN
    assert response.session is None and not response.needs_safety_check
    event = AuditEvent.objects.filter(action="create").order_by("-seq").first()
    assert event is not None
    assert (event.object_type, event.object_id, event.client_id) == (
        "measure_response",
        str(response.pk),
        client_record.pk,
    )


def test_an_unanswered_item_is_named_and_every_answer_given_is_kept(
    web: Any, clinician: User, client_record: Client
) -> None:
    answers = _phq9(item9=3, each=3)
    del answers["4"]
    page = _fill(_phq9_form(web, clinician, client_record), answers).submit()
    assert page.status_code == 200
    assert "Choose an answer for question 4." in page.text
    assert not MeasureResponse.objects.exists()
    form = page.forms["measure-form"]
    assert form["item_1"].value == "3" and form["item_9"].value == "3"
    form["item_4"] = "0"
    assert "Total 24 of 27 · Severe" in form.submit().follow().text


def test_an_answer_the_measure_does_not_have_is_refused(
    as_clinician: HttpClient, client_record: Client
) -> None:
    url = reverse("measures:create", args=[client_record.pk]) + "?measure=gad7"
    data = {f"item_{n}": "1" for n in range(1, 8)} | {"item_3": "7"}
    data["taken_on"] = timezone.localdate().isoformat()
    response = as_clinician.post(url, data)
    assert response.status_code == 200
    assert "Choose one of the answers to question 3." in response.content.decode()
    assert not MeasureResponse.objects.exists()


def test_a_measure_that_does_not_exist_is_404(
    as_clinician: HttpClient, client_record: Client
) -> None:
    url = reverse("measures:create", args=[client_record.pk])
    assert as_clinician.get(url, {"measure": "nosuch"}).status_code == 404
    assert as_clinician.get(url).status_code == 404


def test_a_double_submit_saves_one_response(
    web: Any, clinician: User, client_record: Client
) -> None:
    form = _fill(_phq9_form(web, clinician, client_record), _phq9())
    first = form.submit()
    second = form.submit()
    assert first.location == second.location
    assert MeasureResponse.objects.count() == 1


def test_the_same_form_sent_with_other_answers_saves_nothing_until_sent_again(
    web: Any, clinician: User, client_record: Client
) -> None:
    form = _fill(_phq9_form(web, clinician, client_record), _phq9())
    form.submit()
    form["item_1"] = "3"
    page = form.submit()
    assert "This form already saved a response" in page.text
    assert MeasureResponse.objects.count() == 1
    page.forms["measure-form"].submit().follow()
    assert MeasureResponse.objects.count() == 2


def test_audit_c_shows_both_cut_offs_as_information(
    web: Any, clinician: User, client_record: Client
) -> None:
    measures = web(clinician).get(reverse("measures:list", args=[client_record.pk]))
    form = measures.click("AUDIT-C", index=0).forms["measure-form"]
    page = _fill(form, {"1": 4, "2": 4, "3": 4}).submit().follow()
    assert "Total 12 of 12" in page.text
    assert "4 or more (men) and 3 or more (women)" in page.text
    assert "never a condition of care" in page.text
    assert MeasureResponse.objects.get().band == ""


# --- from a session note -----------------------------------------------------


@pytest.mark.parametrize("signed", [False, True])
def test_a_measure_taken_from_a_note_shows_on_that_note(
    web: Any, clinician: User, client_record: Client, signed: bool
) -> None:
    note = TherapySessionFactory.create(client=client_record)
    if signed:
        note = therapy_session_sign(session=note, by=clinician, expected_version=1)
    app = web(clinician)
    page = app.get(reverse("sessions:detail", args=[note.pk]))
    form = page.click("GAD-7", index=0).forms["measure-form"]
    assert form["session"].value == str(note.pk)
    _fill(form, {str(n): 2 for n in range(1, 8)}).submit()
    assert MeasureResponse.objects.get().session == note
    page = app.get(reverse("sessions:detail", args=[note.pk]))
    assert "Measures taken in this session" in page.text
    assert "GAD-7</a>: 14 of 21 (moderate)" in page.text


def test_a_note_of_another_client_is_never_tied_to_a_measure(
    as_clinician: HttpClient, clinician: User, client_record: Client
) -> None:
    other_note = TherapySessionFactory.create(
        client=ClientFactory.create(clinician=clinician)
    )
    url = reverse("measures:create", args=[client_record.pk]) + "?measure=gad7"
    # Named in the link: ignored, not put in the form.
    assert (
        str(other_note.pk)
        not in as_clinician.get(
            url, {"measure": "gad7", "session": str(other_note.pk)}
        ).content.decode()
    )
    data = {f"item_{n}": "0" for n in range(1, 8)}
    data |= {
        "taken_on": timezone.localdate().isoformat(),
        "session": str(other_note.pk),
    }
    assert as_clinician.post(url, data).status_code == 200
    assert not MeasureResponse.objects.exists()


def test_the_service_refuses_a_discarded_note_and_a_day_to_come(
    clinician: User, client_record: Client
) -> None:
    discarded = TherapySessionFactory.create(
        client=client_record,
        status=SessionStatus.DISCARDED,
        discarded_by=clinician,
        discarded_at=timezone.now(),
    )
    with pytest.raises(ValidationError):
        measure_record(
            client=client_record,
            by=clinician,
            code="phq9",
            answers=_phq9(),
            session=discarded,
        )
    with pytest.raises(ValidationError, match="future"):
        measure_record(
            client=client_record,
            by=clinician,
            code="phq9",
            answers=_phq9(),
            taken_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert not MeasureResponse.objects.exists()


def test_the_service_takes_the_clients_own_entry_for_the_hand_held_screen(
    clinician: User, client_record: Client, supervisor: User
) -> None:
    response = measure_record(
        client=client_record,
        by=clinician,
        code="gad7",
        answers={str(n): 0 for n in range(1, 8)},
        entered_how=EnteredHow.CLIENT_DEVICE,
    )
    assert response.get_entered_how_display() == "By the client on this device"
    with pytest.raises(ValidationError, match="own clinician"):
        measure_record(
            client=client_record,
            by=supervisor,
            code="gad7",
            answers={str(n): 0 for n in range(1, 8)},
        )
    with pytest.raises(ValidationError, match="no answer"):
        measure_record(client=client_record, by=clinician, code="gad7", answers={})


# --- PHQ-9 item 9: the safety check-in -----------------------------------------


def test_item_9_above_0_prompts_at_once_and_until_the_check_in_is_recorded(
    web: Any, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    form = _fill(_phq9_form(web, clinician, client_record), _phq9(item9=1, each=0))
    page = form.submit().follow()
    assert CALM in page.text  # on the response's page, at once
    record = app.get(reverse("clients:detail", args=[client_record.pk]))
    assert CALM in record.text  # and on the record
    assert [r.client for r in open_safety_prompts(clinician)] == [client_record]

    # An empty note is refused on the form; the prompt stays.
    check = record.click("Record the check-in").forms["safety-check-form"]
    page = check.submit()
    assert "Say briefly what was done." in page.text and CALM in page.text
    assert not SafetyCheck.objects.exists()

    check = page.forms["safety-check-form"]
    check["note"] = "Talked it through; agreed a plan for tonight."
    page = check.submit().follow()
    assert "Safety check-in recorded." in page.text
    assert "Talked it through; agreed a plan for tonight." in page.text
    assert CALM not in page.text
    record = app.get(reverse("clients:detail", args=[client_record.pk]))
    assert CALM not in record.text
    assert list(open_safety_prompts(clinician)) == []
    done = SafetyCheck.objects.get()
    assert done.recorded_by == clinician and done.recorded_at is not None


def test_a_supervisor_sees_the_prompt_but_only_the_clinician_records_it(
    clinician: User, supervisor: User, client_record: Client
) -> None:
    response = measure_record(
        client=client_record, by=clinician, code="phq9", answers=_phq9(item9=2)
    )
    page = signed_in(supervisor).get(response.get_absolute_url()).content.decode()
    assert CALM in page and "safety-check-form" not in page
    # Today lists a supervisee's prompt for the clinician, not the supervisor.
    assert list(open_safety_prompts(supervisor)) == []
    with pytest.raises(ValidationError):
        safety_check_record(response=response, by=supervisor, note="x")
    safety_check_record(response=response, by=clinician, note="Checked in.")
    with pytest.raises(ValidationError, match="already"):
        safety_check_record(response=response, by=clinician, note="Again.")


def test_open_safety_prompts_cost_the_same_queries_for_any_number_of_clients(
    clinician: User,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(**kwargs: Any) -> tuple[int, set[str]]:
        with CaptureQueriesContext(connection) as ctx:
            names = {
                r.client.chosen_name for r in open_safety_prompts(clinician, **kwargs)
            }
        return len(ctx.captured_queries), names

    clients = [ClientFactory.create(clinician=clinician) for _ in range(15)]
    for client in clients[:3]:
        measure_record(client=client, by=clinician, code="phq9", answers=_phq9(item9=1))
    few, names = cost()
    assert len(names) == 3
    for client in clients[3:]:
        measure_record(client=client, by=clinician, code="phq9", answers=_phq9(item9=3))
    many, names = cost()
    assert len(names) == 15
    # One query for the prompts with their clients (and, for a person not
    # loaded by a request, one asking whether they hold an emergency grant).
    assert few == many <= 2
    some, names = cost(clients=clients[:5])
    assert some == few and names == {c.chosen_name for c in clients[:5]}


# --- history: chart and table --------------------------------------------------


def _bulk(client: Client, by: User, count: int) -> None:
    start = timezone.localdate() - datetime.timedelta(days=count)
    MeasureResponse.objects.bulk_create(
        MeasureResponse(
            client=client,
            code="phq9",
            answers=_phq9(each=n % 4),
            total=PHQ9.score(_phq9(each=n % 4)),
            band=PHQ9.band_for(PHQ9.score(_phq9(each=n % 4))),
            taken_on=start + datetime.timedelta(days=n),
            entered_by=by,
        )
        for n in range(count)
    )


def test_the_history_with_no_response_says_so_and_draws_nothing(
    as_clinician: HttpClient, client_record: Client
) -> None:
    page = as_clinician.get(reverse("measures:list", args=[client_record.pk]))
    text = page.content.decode()
    assert text.count("Not taken yet.") == 3 and "<svg" not in text


def test_the_history_with_one_response_is_a_labelled_dot_and_a_row(
    as_clinician: HttpClient, clinician: User, client_record: Client
) -> None:
    measure_record(client=client_record, by=clinician, code="phq9", answers=_phq9())
    text = as_clinician.get(
        reverse("measures:list", args=[client_record.pk])
    ).content.decode()
    assert text.count("<svg") == 1 and text.count('class="chart-dot"') == 1
    assert "<polyline" not in text
    assert 'class="chart-value"' in text and ">8</text>" in text
    assert "1 response from" in text and "the latest total is 8 of 27 (mild)" in text
    assert "<td>8</td><td>Mild</td>" in text
    assert "0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe" in text


def test_the_history_with_200_responses_is_a_line_and_200_rows_in_few_queries(
    as_clinician: HttpClient,
    clinician: User,
    client_record: Client,
    django_assert_max_num_queries: Any,
) -> None:
    _bulk(client_record, clinician, 200)
    url = reverse("measures:list", args=[client_record.pk])
    with django_assert_max_num_queries(25):
        text = as_clinician.get(url).content.decode()
    assert text.count("<polyline") == 1 and 'class="chart-dot"' not in text
    assert "200 responses from" in text
    assert text.count("<td>By the client") + text.count("<td>With the clinician") == 200


def test_the_history_page_costs_the_same_for_1_and_200_responses(
    as_clinician: HttpClient, clinician: User
) -> None:
    from tests.querycount import queries_for_get

    one, many = (ClientFactory.create(clinician=clinician) for _ in range(2))
    _bulk(one, clinician, 1)
    _bulk(many, clinician, 200)
    assert queries_for_get(
        as_clinician, reverse("measures:list", args=[one.pk])
    ) == queries_for_get(as_clinician, reverse("measures:list", args=[many.pk]))


# --- who sees what -----------------------------------------------------------


def test_another_clinicians_client_measures_are_404_and_nothing_is_written(
    outsider: User, clinician: User, client_record: Client
) -> None:
    response = measure_record(
        client=client_record, by=clinician, code="phq9", answers=_phq9(item9=1)
    )
    http = signed_in(outsider)
    for url in (
        reverse("measures:list", args=[client_record.pk]),
        reverse("measures:create", args=[client_record.pk]) + "?measure=phq9",
        response.get_absolute_url(),
    ):
        assert http.get(url).status_code == 404, url
    safety = reverse("measures:safety_check", args=[response.pk])
    assert http.post(safety, {"note": "x"}).status_code == 404
    assert not SafetyCheck.objects.exists()
    # Nor does the record of a stranger's response exist for them anywhere.
    assert http.get(reverse("measures:detail", args=[uuid.uuid4()])).status_code == 404


def test_a_supervisor_reads_a_supervisees_measures_without_taking_one(
    supervisor: User, clinician: User, client_record: Client
) -> None:
    measure_record(
        client=client_record,
        by=clinician,
        code="gad7",
        answers={str(n): 1 for n in range(1, 8)},
    )
    page = signed_in(supervisor).get(reverse("measures:list", args=[client_record.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text
    assert "Take a measure together" not in text


# --- PostgreSQL keeps every response as scored -------------------------------


def test_the_app_role_can_neither_change_nor_delete_a_response(
    clinician: User, client_record: Client
) -> None:
    response = measure_record(
        client=client_record, by=clinician, code="phq9", answers=_phq9(item9=1)
    )
    safety_check_record(response=response, by=clinician, note="Checked in.")
    become_app_role()
    for table in ("measures_measureresponse", "measures_safetycheck"):
        assert "permission denied" in refusal(f"UPDATE {table} SET id = id"), table
        assert "permission denied" in refusal(f"DELETE FROM {table}"), table


@pytest.mark.owner_role
def test_even_the_owner_cannot_rescore_or_delete_a_response(
    clinician: User, client_record: Client
) -> None:
    response = measure_record(
        client=client_record, by=clinician, code="phq9", answers=_phq9()
    )
    assert "append-only" in refusal(
        "UPDATE measures_measureresponse SET total = 0 WHERE id = %s", [response.pk]
    )
    assert "append-only" in refusal(
        "DELETE FROM measures_measureresponse WHERE id = %s", [response.pk]
    )
    response.refresh_from_db()
    assert response.total == 8
