"""Requests to change the record (HIPAA §164.526, issue #20): asked through
the clinician, decided once (changed as asked, or kept as it is with the
reason), the client's statement of disagreement, and how both go with the
part they concern: on its page, in every disclosure package and in
`amendment_statements` (for the export)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clients.models import Client
from consents.models import Item
from consents.services import Picked, share_records
from goals.models import Goal
from records.models import (
    AmendmentDecision,
    AmendmentRequest,
    AmendmentStatement,
)
from records.selectors import amendment_statements, open_amendments
from sessions.models import Addendum, TherapySession
from sessions.services import therapy_session_sign
from staff.models import User
from tests.consent_data import consent_for
from tests.db_roles import refusal
from tests.factories import ClientFactory, GoalFactory, TherapySessionFactory

Web = Any


def _signed_note(client: Client, text: str = "We talked about the week.") -> Any:
    return therapy_session_sign(
        session=TherapySessionFactory.create(client=client, sections={"brought": text}),
        by=client.clinician,
        expected_version=1,
    )


def _words(page: Any) -> str:
    return re.sub(r"\s+", " ", page.text)


def _ask(web: Web, user: User, client: Client, **fields: Any) -> Any:
    """Ask through the real navigation: the record, its list, the form."""
    page = web(user).get(reverse("clients:detail", args=[client.pk]))
    page = page.click("Requests to change the record").click(
        "Ask for a change to the record"
    )
    form = page.forms["amendment-form"]
    form["what"] = fields.pop("what", "It says I missed the session; I was there.")
    form["why"] = fields.pop("why", "I came in that day.")
    for name, value in fields.items():
        form[name] = value
    return form.submit().follow()


def _decide(page: Any, **fields: Any) -> Any:
    form = page.forms["decide-form"]
    for name, value in fields.items():
        form[name] = value
    return form.submit()


def test_a_note_request_changed_as_asked_adds_a_linked_addendum(
    web: Web, clinician: User
) -> None:
    client = ClientFactory.create(clinician=clinician)
    note = _signed_note(client)
    page = _ask(web, clinician, client, part="note", session=str(note.pk))
    assert "Waiting for a decision" in page.text
    amendment = AmendmentRequest.objects.get(client=client)
    assert amendment.due_on == amendment.asked_on + dt.timedelta(days=60)
    assert amendment.asked_on == timezone.localdate()

    page = _decide(
        page,
        outcome="accepted",
        correction="They came to the session on that day.",
        to_tell="Dr Ada Example\n\n  Sam at the housing office  ",
    ).follow()
    decision = AmendmentDecision.objects.get(request=amendment)
    addendum = Addendum.objects.get(session=note)
    assert decision.addendum == addendum and addendum.author == clinician
    assert addendum.text == "They came to the session on that day."
    assert "Changed as asked" in page.text
    to_tell = page.html.select("[data-testid=to-tell] li")
    assert [li.text for li in to_tell] == [
        "Dr Ada Example",
        "Sam at the housing office",
    ]
    assert "decide-form" not in page.forms
    # The note shows its addendum, linked back to the request.
    note_page = page.click("the note")
    assert "They came to the session on that day." in note_page.text
    assert "Changed as asked" in note_page.text


def test_a_goal_request_changed_as_asked_shows_with_the_goal(
    web: Web, clinician: User, supervisor: User
) -> None:
    client = ClientFactory.create(clinician=clinician)
    goal = GoalFactory.create(client=client, wording="Drink less on weekdays")
    page = _ask(
        web,
        clinician,
        client,
        part="goal",
        goal=str(goal.pk),
        what="My goal is about weekends, not weekdays.",
    )
    # The clinician's supervisor decides it.
    url = page.request.path
    page = web(supervisor).get(url)
    page = _decide(
        page, outcome="accepted", correction="Drink less at weekends."
    ).follow()
    decision = AmendmentDecision.objects.get()
    assert decision.decided_by == supervisor and decision.addendum is None
    assert "Nobody named." in page.text
    goal_page = page.click("Goal: “Drink less on weekdays”")
    assert "Drink less at weekends." in goal_page.text
    found = amendment_statements(client=client, user=clinician)
    [entry] = found.for_goal(goal.pk)
    assert entry.accepted and entry.correction == "Drink less at weekends."


def test_kept_as_it_is_then_a_statement_goes_with_the_note_everywhere(
    web: Web, clinician: User
) -> None:
    client = ClientFactory.create(clinician=clinician)
    note = _signed_note(client)
    page = _ask(web, clinician, client, part="note", session=str(note.pk))
    # The reason is required.
    refused = _decide(page, outcome="denied")
    assert refused.status_code == 200 and "Give the reason" in refused.text
    assert not AmendmentDecision.objects.exists()
    page = _decide(
        refused, outcome="denied", reason="The sign-in sheet shows no visit that day."
    ).follow()
    assert "Kept as it is, with the reason" in page.text
    rights = page.html.select_one("[data-testid=rights-after-denial]").text
    assert "statement" in rights and "complain" in rights
    assert not Addendum.objects.filter(session=note).exists()

    form = page.forms["statement-form"]
    form["text"] = "I was there. I remember the rain."
    page = form.submit().follow()
    assert "I was there. I remember the rain." in page.text
    assert "statement-form" not in page.forms
    note_page = web(clinician).get(note.get_absolute_url())
    assert "I was there. I remember the rain." in note_page.text
    assert "The sign-in sheet shows no visit that day." in note_page.text

    # In a disclosure of that note, and in the export's selector.
    consent = consent_for(client, clinician, items=[Item.SESSION_NOTES])
    disclosure = share_records(
        client=client,
        by=clinician,
        picked=Picked(notes=list(_for_package(note))),
        consent=consent,
        recipient=consent.recipients.get(),
    )
    [packed] = disclosure.package["contents"][Item.SESSION_NOTES]
    [sent] = packed["amendments"]
    assert sent["statement"] == "I was there. I remember the rain."
    assert sent["reason"] == "The sign-in sheet shows no visit that day."
    package = web(clinician).get(reverse("consents:disclosure", args=[disclosure.pk]))
    assert "I was there. I remember the rain." in _words(package)
    [entry] = amendment_statements(client=client, user=clinician).for_note(note.pk)
    assert not entry.accepted and entry.statement == "I was there. I remember the rain."


def _for_package(note: TherapySession) -> Any:
    return TherapySession.objects.filter(pk=note.pk).prefetch_related("addenda__author")


def test_another_part_kept_as_it_is_goes_in_every_package(
    web: Web, clinician: User
) -> None:
    client = ClientFactory.create(clinician=clinician)
    goal = GoalFactory.create(client=client)
    page = _ask(web, clinician, client, part="other", other_part="my date of birth")
    page = _decide(page, outcome="denied", reason="It matches your ID card.").follow()
    form = page.forms["statement-form"]
    form["text"] = "My birthday is in May."
    form.submit()
    client_page = web(clinician).get(reverse("clients:detail", args=[client.pk]))
    assert "My birthday is in May." in client_page.text
    consent = consent_for(client, clinician, items=[Item.GOALS])
    disclosure = share_records(
        client=client,
        by=clinician,
        picked=Picked(goals=list(Goal.objects.filter(pk=goal.pk))),
        consent=consent,
        recipient=consent.recipients.get(),
    )
    [sent] = disclosure.package["contents"]["amendments_other"]
    assert sent["part"] == "my date of birth"
    assert sent["statement"] == "My birthday is in May."
    package = web(clinician).get(reverse("consents:disclosure", args=[disclosure.pk]))
    assert "My birthday is in May." in package.text
    assert amendment_statements(client=client, user=clinician).other[0].reason == (
        "It matches your ID card."
    )


def test_a_request_is_decided_once(web: Web, clinician: User, supervisor: User) -> None:
    client = ClientFactory.create(clinician=clinician)
    page = _ask(web, clinician, client, part="other", other_part="my address")
    # Two people have the page open; the first decides.
    supervisors_page = web(supervisor).get(page.request.path)
    first = _decide(page, outcome="denied", reason="This is the address you gave.")
    again = first.follow()
    # A double submit of the same form lands on the same page, once decided.
    resent = page.forms["decide-form"].submit()
    assert resent.status_code == 302 and resent.follow().request.path == (
        again.request.path
    )
    # Another decision is refused, with a clear message.
    refused = _decide(
        supervisors_page, outcome="accepted", correction="12 New Street"
    ).follow()
    assert "already been decided" in refused.text
    assert AmendmentDecision.objects.count() == 1
    assert AmendmentDecision.objects.get().outcome == "denied"


def test_a_statement_comes_only_after_kept_as_it_is(web: Web, clinician: User) -> None:
    client = ClientFactory.create(clinician=clinician)
    page = _ask(web, clinician, client, part="other", other_part="my address")
    assert "statement-form" not in page.forms
    http = web(clinician)
    form_page = http.get(page.request.path)
    response = http.post(
        reverse(
            "records:amendment_statement", args=[AmendmentRequest.objects.get().pk]
        ),
        {
            "text": "I disagree.",
            "csrfmiddlewaretoken": form_page.forms["decide-form"][
                "csrfmiddlewaretoken"
            ].value,
        },
    )
    assert response.status_code == 302
    assert "follows a decision to keep the record" in response.follow().text
    assert not AmendmentStatement.objects.exists()


def test_asked_on_cannot_be_in_the_future(web: Web, clinician: User) -> None:
    client = ClientFactory.create(clinician=clinician)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = web(clinician).get(reverse("records:amendment_create", args=[client.pk]))
    form = page.forms["amendment-form"]
    form["what"], form["why"], form["part"] = "x", "y", "other"
    form["other_part"] = "my name"
    form["asked_on"] = tomorrow.isoformat()
    assert "cannot be in the future" in form.submit().text
    form["asked_on"] = "2026-01-10"
    form.submit()
    amendment = AmendmentRequest.objects.get()
    assert amendment.due_on == dt.date(2026, 3, 11)


def test_only_the_clients_signed_notes_are_offered(web: Web, clinician: User) -> None:
    client = ClientFactory.create(clinician=clinician)
    signed = _signed_note(client)
    draft = TherapySessionFactory.create(client=client)
    elsewhere = _signed_note(ClientFactory.create(clinician=clinician))
    page = web(clinician).get(reverse("records:amendment_create", args=[client.pk]))
    offered = [v for v, *_ in page.forms["amendment-form"]["session"].options]
    assert str(signed.pk) in offered
    assert str(draft.pk) not in offered and str(elsewhere.pk) not in offered


def test_open_amendments_lists_undecided_requests_oldest_due_first(
    web: Web, clinician: User, supervisor: User, outsider: User
) -> None:
    client = ClientFactory.create(clinician=clinician)
    later = _ask(web, clinician, client, part="other", other_part="my phone")
    _ask(
        web,
        clinician,
        client,
        part="other",
        other_part="my name",
        asked_on=(timezone.localdate() - dt.timedelta(days=5)).isoformat(),
    )
    _decide(later, outcome="denied", reason="The number is the one you gave.")
    [waiting] = open_amendments(user=clinician)
    assert waiting.other_part == "my name"
    assert waiting.due_on == timezone.localdate() + dt.timedelta(days=55)
    assert list(open_amendments(user=supervisor)) == [waiting]
    assert list(open_amendments(user=clinician, client=client)) == [waiting]
    assert not open_amendments(user=outsider).exists()


def test_another_clinicians_client_is_a_404_and_nothing_changes(
    web: Web,
    clinician: User,
    as_outsider: Any,
    as_other_supervisor: Any,
) -> None:
    client = ClientFactory.create(clinician=clinician)
    _ask(web, clinician, client, part="other", other_part="my name")
    amendment = AmendmentRequest.objects.get()
    for http in (as_outsider, as_other_supervisor):
        for url in (
            reverse("records:amendment_list", args=[client.pk]),
            reverse("records:amendment_create", args=[client.pk]),
            amendment.get_absolute_url(),
        ):
            assert http.get(url).status_code == 404
        for name in ("records:amendment_decide", "records:amendment_statement"):
            response = http.post(
                reverse(name, args=[amendment.pk]),
                {"outcome": "denied", "reason": "no", "text": "no"},
            )
            assert response.status_code == 404
    assert not AmendmentDecision.objects.exists()


def test_the_supervisor_decides_but_does_not_record_requests(
    web: Web, clinician: User, supervisor: User
) -> None:
    client = ClientFactory.create(clinician=clinician)
    note = _signed_note(client)
    page = _ask(web, clinician, client, part="note", session=str(note.pk))
    http = web(supervisor)
    listing = http.get(reverse("records:amendment_list", args=[client.pk]))
    assert "Ask for a change to the record" not in listing.text
    assert (
        http.get(
            reverse("records:amendment_create", args=[client.pk]), expect_errors=True
        ).status_code
        == 403
    )
    # Deciding a supervisee's note request adds the addendum as the
    # supervisor; the note's own addendum page stays its author's.
    page = _decide(
        http.get(page.request.path),
        outcome="accepted",
        correction="They were at the session.",
    ).follow()
    addendum = Addendum.objects.get(session=note)
    assert addendum.author == supervisor
    assert AmendmentDecision.objects.get().addendum == addendum
    assert (
        http.get(
            reverse("sessions:addendum", args=[note.pk]), expect_errors=True
        ).status_code
        == 403
    )


def test_each_write_is_audited_with_its_client(web: Web, clinician: User) -> None:
    client = ClientFactory.create(clinician=clinician)
    page = _ask(web, clinician, client, part="other", other_part="my name")
    page = _decide(page, outcome="denied", reason="It is the name you gave.").follow()
    form = page.forms["statement-form"]
    form["text"] = "I go by another name now."
    form.submit()
    events = AuditEvent.objects.filter(
        action="create", object_type__startswith="amendment"
    ).order_by("seq")
    assert [(e.object_type, e.client_id) for e in events] == [
        ("amendmentrequest", client.pk),
        ("amendmentdecision", client.pk),
        ("amendmentstatement", client.pk),
    ]


def test_postgresql_keeps_requests_decisions_and_statements(
    web: Web, clinician: User
) -> None:
    client = ClientFactory.create(clinician=clinician)
    page = _ask(web, clinician, client, part="other", other_part="my name")
    page = _decide(page, outcome="denied", reason="It is the name you gave.").follow()
    form = page.forms["statement-form"]
    form["text"] = "I disagree."
    form.submit()
    for table in (
        "records_amendmentrequest",
        "records_amendmentdecision",
        "records_amendmentstatement",
    ):
        assert "permission denied" in refusal(f"UPDATE {table} SET id = id")
        assert "permission denied" in refusal(f"DELETE FROM {table}")
        assert "permission denied" in refusal(f"TRUNCATE {table}")


def test_postgresql_checks_what_spans_tables(clinician: User) -> None:
    client = ClientFactory.create(clinician=clinician)
    note = _signed_note(client)
    other = _signed_note(client)
    today = timezone.localdate()

    def request(part: str, **kw: Any) -> AmendmentRequest:
        return AmendmentRequest.objects.create(
            client=client,
            part=part,
            what="x",
            why="y",
            asked_on=today,
            due_on=today + dt.timedelta(days=60),
            recorded_by=clinician,
            **kw,
        )

    on_note = request("note", session=note)
    on_other = request("other", other_part="my name")
    wrong_addendum = Addendum.objects.create(
        session=other, author=clinician, reason="r", text="t"
    )
    insert = (
        "INSERT INTO records_amendmentdecision (request_id, outcome, correction,"
        " to_tell, reason, decided_by_id, created_at, addendum_id)"
        " VALUES (%s, %s, %s, '', %s, %s, now(), %s)"
    )
    # An acceptance of a note request names an addendum on that note.
    assert "addendum on that note" in refusal(
        insert, [on_note.pk, "accepted", "c", "", clinician.pk, None]
    )
    assert "addendum on that note" in refusal(
        insert, [on_note.pk, "accepted", "c", "", clinician.pk, wrong_addendum.pk]
    )
    # A denial has its reason.
    assert "amendment_denial_has_reason" in refusal(
        insert, [on_other.pk, "denied", "", "", clinician.pk, None]
    )
    # A statement answers a denial.
    assert "follows a decision to keep the record" in refusal(
        "INSERT INTO records_amendmentstatement (request_id, text, recorded_by_id,"
        " created_at) VALUES (%s, 'no', %s, now())",
        [on_other.pk, clinician.pk],
    )
    # The due date is asked on + 60 days.
    assert "amendment_due_in_60_days" in refusal(
        "UPDATE records_amendmentrequest SET due_on = due_on + 1"
    ) or "permission denied" in refusal(
        "UPDATE records_amendmentrequest SET due_on = due_on + 1"
    )
    assert "amendment_due_in_60_days" in refusal(
        "INSERT INTO records_amendmentrequest (id, client_id, part, other_part, what,"
        " why, asked_on, due_on, recorded_by_id, created_at) VALUES"
        " (gen_random_uuid(), %s, 'other', 'x', 'x', 'y', current_date,"
        " current_date + 30, %s, now())",
        [client.pk, clinician.pk],
    )


@pytest.mark.parametrize(
    "name", ["records:amendment_decide", "records:amendment_statement"]
)
def test_post_only_actions_refuse_get(web: Web, clinician: User, name: str) -> None:
    client = ClientFactory.create(clinician=clinician)
    _ask(web, clinician, client, part="other", other_part="my name")
    url = reverse(name, args=[AmendmentRequest.objects.get().pk])
    assert web(clinician).get(url, expect_errors=True).status_code == 405
