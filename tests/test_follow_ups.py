"""What we agreed (issue #21, part 4): follow-ups written with a note, shown on
the next note's form ("Last time you agreed"), ticked there; each goal's last
rating beside its rating; kept by PostgreSQL once the note is signed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from audit.models import AuditEvent
from clients.models import Client, ClientStatus
from sessions import selectors
from sessions.models import (
    FollowUp,
    FollowUpOutcome,
    SessionStatus,
    TherapySession,
)
from staff.models import User
from tests.db_roles import become_app_role, refusal
from tests.factories import (
    ClientFactory,
    FollowUpFactory,
    GoalFactory,
    GoalRatingFactory,
    TherapySessionFactory,
)

Web = Callable[[User | None], DjangoTestApp]
TABLE = "therapy_sessions_followup"


def _sign(session: TherapySession) -> None:
    """Sign a factory draft directly (the sign page is exercised below)."""
    TherapySession.objects.filter(pk=session.pk).update(
        status=SessionStatus.SIGNED, signed_at=timezone.now()
    )


def _agreed(
    client: Client, due: datetime.date | None = None, *, sign: bool = True
) -> FollowUp:
    """A follow-up agreed in a note with `client` (signed unless told not)."""
    follow_up = FollowUpFactory.create(
        session=TherapySessionFactory.create(client=client), due_on=due
    )
    if sign:
        _sign(follow_up.session)
    return follow_up


def _note_form(app: DjangoTestApp, client: Client) -> Any:
    """The new-note form, reached as a person does: from the record."""
    record = app.get(reverse("clients:detail", args=[client.pk]))
    return record.click(href=reverse("sessions:create", args=[client.pk])).forms[
        "session-form"
    ]


def _autosave(app: DjangoTestApp, url: str, fields: dict[str, Any]) -> Any:
    return app.post(
        url,
        fields,
        headers={"X-Autosave": "1", "X-CSRFToken": fields["csrfmiddlewaretoken"]},
    )


def test_agreed_follow_ups_show_on_the_next_note_and_a_tick_there_closes_one(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    form = _note_form(app, client_record)
    form["section_brought"] = "Wants to sort out housing"
    form["duration_minutes"] = "50"
    form["follow_up-0-text"] = "Call the housing desk together"
    form["follow_up-1-text"] = "Bring the ID letter"
    form["follow_up-1-due_on"] = "2030-03-14"
    sign_page = form.submit("action", value="sign").follow()
    sign_form = sign_page.forms["sign-form"]
    sign_form["confirm"] = True
    note = sign_form.submit().follow()
    assert "Call the housing desk together" in note.text
    first = TherapySession.objects.get(client=client_record)
    assert first.status == SessionStatus.SIGNED
    agreed = {f.text: f for f in FollowUp.objects.filter(session=first)}
    assert set(agreed) == {"Call the housing desk together", "Bring the ID letter"}
    assert agreed["Bring the ID letter"].due_on == datetime.date(2030, 3, 14)
    assert all(f.client_id == client_record.pk and f.is_open for f in agreed.values())

    page = _note_form(app, client_record)
    html = page.html.select_one("[data-testid=last-time-agreed]")
    assert html is not None and "Last time you agreed" in html.text
    assert "Bring the ID letter" in html.text and "by 14 Mar 2030" in html.text
    done = agreed["Call the housing desk together"]
    page["section_brought"] = "Housing call went well"
    page[f"agreed_{done.pk}"] = FollowUpOutcome.DONE
    page.submit("action", value="save").follow()

    second = TherapySession.objects.exclude(pk=first.pk).get()
    done.refresh_from_db()
    assert (done.outcome, done.done_by, done.done_in) == ("done", clinician, second)
    assert FollowUp.objects.get(text="Bring the ID letter").is_open
    # The tick is part of the draft: still shown as given, and can be taken back.
    again = app.get(reverse("sessions:update", args=[second.pk])).forms["session-form"]
    assert again[f"agreed_{done.pk}"].value == "done"
    again[f"agreed_{done.pk}"] = FollowUpOutcome.OPEN
    again.submit("action", value="save")
    done.refresh_from_db()
    assert done.is_open and done.done_in is None


def test_the_note_form_shows_each_goals_last_rating(
    web: Web, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record, wording="Carry naloxone")
    GoalRatingFactory.create(goal=goal, score=2, rated_on=datetime.date(2025, 1, 2))
    GoalRatingFactory.create(goal=goal, score=3, rated_on=datetime.date(2025, 1, 9))
    unrated = GoalFactory.create(client=client_record, wording="Sleep more")
    app = web(clinician)
    page = _note_form(app, client_record)
    shown = [p.text for p in page.html.select("[data-testid=last-rating]")]
    assert shown == ["last time: 3 (9 Jan 2025)"]
    assert unrated.wording in page.text

    # Rated 7 in this draft: "last time" is still the rating before it.
    page[f"score_{goal.pk}"] = "7"
    draft_page = page.submit("action", value="save").follow()
    assert [p.text for p in draft_page.html.select("[data-testid=last-rating]")] == [
        "last time: 3 (9 Jan 2025)"
    ]


def test_autosave_keeps_follow_ups_and_never_adds_one_twice(
    web: Web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    form = _note_form(app, client_record)
    form["follow_up-0-text"] = "Text the outreach team"
    fields = dict(form.submit_fields())
    first = _autosave(app, form.action, fields).json
    assert first["status"] == "saved"
    # The page is not reloaded: the next autosaves send the same row again.
    fields["version"] = str(first["version"])
    second = _autosave(app, first["url"], fields).json
    fields["version"] = str(second["version"])
    fields["follow_up-0-due_on"] = "2030-05-01"
    _autosave(app, first["url"], fields)
    kept = FollowUp.objects.get()
    assert (kept.text, kept.due_on) == (
        "Text the outreach team",
        datetime.date(2030, 5, 1),
    )
    # An autosave that carries no follow-up lines leaves them as they are.
    draft = TherapySession.objects.get()
    partial = {
        name: fields[name]
        for name in ("csrfmiddlewaretoken", "form_token", "note_format")
    }
    partial.update(version=str(draft.version), section_brought="More text")
    assert _autosave(app, first["url"], partial).json["status"] == "saved"
    assert FollowUp.objects.get().text == "Text the outreach team"
    # After a reload the line is there to edit, with three blank ones below.
    page = app.get(reverse("sessions:update", args=[draft.pk])).forms["session-form"]
    assert page["follow_up-0-text"].value == "Text the outreach team"
    assert page["follow_up-TOTAL_FORMS"].value == "4"


def test_a_line_cleared_in_a_draft_is_kept_as_no_longer_needed(
    web: Web, clinician: User, client_record: Client
) -> None:
    draft = TherapySessionFactory.create(client=client_record)
    follow_up = FollowUpFactory.create(session=draft, text="Ring the GP")
    page = web(clinician).get(reverse("sessions:update", args=[draft.pk]))
    form = page.forms["session-form"]
    assert form["follow_up-0-text"].value == "Ring the GP"
    form["follow_up-0-text"] = ""
    form.submit("action", value="save")
    follow_up.refresh_from_db()
    assert follow_up.text == "Ring the GP"  # never lost
    assert (follow_up.outcome, follow_up.done_in) == ("not_needed", draft)


@pytest.mark.owner_role
def test_a_signed_notes_follow_up_cannot_be_changed_or_deleted(db: None) -> None:
    # The owner: the trigger refuses (the app role is refused by its grants).
    follow_up = FollowUpFactory.create(text="As agreed")
    _sign(follow_up.session)
    assert "cannot be changed" in refusal(
        f"UPDATE {TABLE} SET text = 'rewritten' WHERE id = %s", [follow_up.pk]
    )
    assert "cannot be changed" in refusal(
        f"UPDATE {TABLE} SET due_on = '2031-01-01' WHERE id = %s", [follow_up.pk]
    )
    assert "never deleted" in refusal(f"DELETE FROM {TABLE}")
    # TRUNCATE: tests/test_db_rules.py, CLINICAL_TABLES.
    # Added only to an open draft.
    assert "only to an open draft" in refusal(
        f"INSERT INTO {TABLE} (id, session_id, client_id, row_key, text, outcome,"
        " created_by_id, created_at, updated_at) SELECT gen_random_uuid(),"
        " session_id, client_id, gen_random_uuid(), 'more', '', created_by_id,"
        f" now(), now() FROM {TABLE}"
    )


def test_a_follow_up_closed_in_a_note_stays_closed_once_that_note_is_signed(
    clinician: User,
) -> None:
    follow_up = FollowUpFactory.create()
    _sign(follow_up.session)
    other_client = ClientFactory.create(clinician=clinician)
    elsewhere = TherapySessionFactory.create(client=other_client)
    close = (
        f"UPDATE {TABLE} SET outcome = 'done', done_at = now(), done_by_id = %s,"
        " done_in_id = %s WHERE id = %s"
    )
    # Closed only in an open draft of the same client.
    assert "open draft of its client" in refusal(
        close, [clinician.pk, elsewhere.pk, follow_up.pk]
    )
    nxt = TherapySessionFactory.create(client=follow_up.client)
    assert refusal(close, [clinician.pk, nxt.pk, follow_up.pk]) == ""
    with connection.cursor() as cursor:
        cursor.execute(close, [clinician.pk, nxt.pk, follow_up.pk])
    _sign(nxt)
    assert "closed in a finished note" in refusal(
        f"UPDATE {TABLE} SET outcome = '', done_at = NULL, done_by_id = NULL,"
        " done_in_id = NULL WHERE id = %s",
        [follow_up.pk],
    )


def test_the_app_role_may_not_delete_follow_ups(db: None) -> None:
    FollowUpFactory.create()
    become_app_role()
    assert "permission denied" in refusal(f"DELETE FROM {TABLE}")


def test_the_client_is_always_the_notes(db: None) -> None:
    follow_up = FollowUpFactory.create()
    other = ClientFactory.create()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET client_id = %s WHERE id = %s", [other.pk, follow_up.pk]
        )
    follow_up.refresh_from_db()
    assert follow_up.client_id == follow_up.session.client_id


def test_a_tick_for_another_clients_follow_up_changes_nothing(
    web: Web, clinician: User, client_record: Client, outsider: User
) -> None:
    theirs = _agreed(ClientFactory.create(clinician=outsider))
    # Another client of mine: not this note's, so not ticked from it either.
    mine = _agreed(ClientFactory.create(clinician=clinician))
    app = web(clinician)
    form = _note_form(app, client_record)
    fields = dict(form.submit_fields())
    # A hand-made request naming follow-ups of other records.
    fields[f"agreed_{theirs.pk}"] = "done"
    fields[f"agreed_{mine.pk}"] = "done"
    fields["section_brought"] = "Something"
    app.post(form.action, fields)
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.is_open and mine.is_open


def test_follow_up_changes_are_audited_with_ids_only(
    web: Web, clinician: User, client_record: Client
) -> None:
    earlier = _agreed(client_record)
    app = web(clinician)
    form = _note_form(app, client_record)
    form["follow_up-0-text"] = "Meet at the library"
    form[f"agreed_{earlier.pk}"] = "not_needed"
    form.submit("action", value="save")
    events = AuditEvent.objects.filter(object_type="follow_up").order_by("seq")
    created = FollowUp.objects.get(text="Meet at the library")
    assert [(e.action, e.object_id, e.client_id) for e in events] == [
        ("create", str(created.pk), client_record.pk),
        ("close", str(earlier.pk), client_record.pk),
    ]
    assert events[1].detail["outcome"] == "not_needed"
    assert all("library" not in str(e.detail) for e in events)


def test_discarding_a_draft_takes_back_its_ticks(
    web: Web, clinician: User, client_record: Client
) -> None:
    earlier = _agreed(client_record)
    app = web(clinician)
    form = _note_form(app, client_record)
    form[f"agreed_{earlier.pk}"] = "done"
    form["follow_up-0-text"] = "Agreed in a draft set aside"
    draft_page = form.submit("action", value="save").follow()
    earlier.refresh_from_db()
    assert earlier.outcome == "done"
    confirm = draft_page.click(description="Discard this draft")
    confirm.forms["discard-form"].submit()
    earlier.refresh_from_db()
    assert earlier.is_open
    assert list(selectors.open_follow_ups(user=clinician)) == [earlier]


def test_open_follow_ups_are_the_users_own_caseload_oldest_date_first(
    clinician: User,
    supervisor: User,
    outsider: User,
    client_record: Client,
    django_assert_num_queries: Any,
) -> None:
    later = _agreed(client_record, datetime.date(2030, 6, 1))
    undated = _agreed(client_record, None)
    soon = _agreed(client_record, datetime.date(2030, 5, 1))
    in_a_draft = _agreed(client_record, datetime.date(2030, 7, 1), sign=False)
    done = _agreed(client_record, datetime.date(2030, 4, 1))
    FollowUp.objects.filter(pk=done.pk).update(
        outcome="done", done_at=timezone.now(), done_by=clinician
    )
    closed_client = ClientFactory.create(clinician=clinician)
    _agreed(closed_client, None)
    Client.objects.filter(pk=closed_client.pk).update(
        status=ClientStatus.CLOSED,
        closed_reason="moved",
        closed_on=timezone.localdate(),
    )
    _agreed(ClientFactory.create(clinician=outsider), None)
    supervisors_own = _agreed(ClientFactory.create(clinician=supervisor), None)

    with django_assert_num_queries(1):
        rows = list(
            selectors.open_follow_ups(user=clinician, today=datetime.date(2030, 5, 1))
        )
        assert [r.client.chosen_name for r in rows] == [client_record.chosen_name] * 4
    assert rows == [soon, later, in_a_draft, undated]
    assert [r.is_due for r in rows] == [True, False, False, False]  # type: ignore[attr-defined]
    # A supervisor: their own caseload, not their team's.
    assert list(selectors.open_follow_ups(user=supervisor)) == [supervisors_own]
    assert (
        list(
            selectors.open_follow_ups(user=clinician, clients=[ClientFactory.create()])
        )
        == []
    )
    assert (
        list(selectors.open_follow_ups(user=clinician, clients=[client_record.pk]))
        == rows
    )


def test_the_note_form_reads_the_same_number_of_queries_whatever_was_agreed(
    web: Web, clinician: User, client_record: Client
) -> None:
    draft = TherapySessionFactory.create(client=client_record)
    url = reverse("sessions:update", args=[draft.pk])
    app = web(clinician)

    def count() -> int:
        app.get(url)  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            app.get(url)
        return len(queries)

    before = count()
    for _ in range(3):
        goal = GoalFactory.create(client=client_record)
        GoalRatingFactory.create_batch(2, goal=goal)
        _agreed(client_record)
        FollowUpFactory.create(session=draft)
    assert count() == before
