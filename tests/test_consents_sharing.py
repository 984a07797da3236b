"""Sharing records (issue #19, items 5 and 6): the "Share records" action
offers only active consents and only what each covers, makes the package
(print and PDF, with the §2.32 statement and the consent) once, and writes
the ledger row; disclosures without consent carry their own facts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clients.models import Client
from clients.templatetags.clients_tags import short_datetime
from consents.models import ConsentKind, Disclosure, DisclosureKind, Item, SignedHow
from consents.services import RecipientIn, consent_revoke
from goals.services import goal_reword
from hr_clinic.lib.part2 import STATEMENT_1, STATEMENT_2
from sessions.services import counseling_note_create, therapy_session_sign
from staff.models import User
from tests.consent_data import consent_for, expired_consent
from tests.factories import (
    ClientFactory,
    GoalFactory,
    GoalRatingFactory,
    TherapySessionFactory,
)
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

NOTE_TEXT = "Wants their sister to know how the housing search is going"
GOAL_TEXT = "Keep my room at the shelter through the winter"


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _signed_note(client: Client, text: str = NOTE_TEXT) -> Any:
    return therapy_session_sign(
        session=TherapySessionFactory.create(client=client, sections={"brought": text}),
        by=client.clinician,
        expected_version=1,
    )


def _named(client: Client, by: User, items: list[str], **kw: Any) -> Any:
    return consent_for(
        client,
        by,
        items=items,
        recipients=[
            RecipientIn(name="Dr Ada Example", organisation="Example Health Centre"),
            RecipientIn(name="Sam Example"),
        ],
        **kw,
    )


def _choose(app: Any, client: Client, label: str) -> Any:
    """From the client's record, through "Share records", pick the option
    whose label names `label`; returns the what-to-share page."""
    record = app.get(reverse("clients:detail", args=[client.pk]))
    choose = record.click("Share records", index=0)
    form = choose.forms["share-choose-form"]
    values = [
        radio["value"]
        for radio in choose.html.select("input[name=to]")
        if label in radio.find_parent("div").text
    ]
    assert len(values) == 1, choose.text
    form["to"] = values[0]
    return form.submit()


def _tick(form: Any, field: str, *values: object) -> None:
    for checkbox in form.fields[field]:
        if checkbox._value in {str(v) for v in values}:  # noqa: SLF001
            checkbox.checked = True


def test_journey_share_goals_and_notes_with_a_named_recipient(
    web: Any, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record, wording=GOAL_TEXT)
    GoalRatingFactory.create(goal=goal, score=6, comment="Better than last month")
    note = _signed_note(client_record)
    _signed_note(client_record, "A note not chosen for sharing")
    consent = _named(client_record, clinician, [Item.GOALS, Item.SESSION_NOTES])
    app = web(clinician)

    page = _choose(app, client_record, "Dr Ada Example")
    form = page.forms["share-form"]
    assert "attendance" not in form.fields  # not in this consent's scope
    _tick(form, "goals", goal.pk)
    _tick(form, "notes", note.pk)
    package = form.submit().follow()

    assert "Shared and recorded." in package.text
    disclosure = Disclosure.objects.get(client=client_record)
    assert (disclosure.kind, disclosure.consent, disclosure.recipient_name) == (
        DisclosureKind.CONSENTED,
        consent,
        "Dr Ada Example",
    )
    assert disclosure.recipient_facility == "Example Health Centre"
    assert sorted(disclosure.scope) == sorted([Item.GOALS, Item.SESSION_NOTES])
    assert sorted(disclosure.item_ids) == sorted([str(goal.pk), str(note.pk)])
    text = _words(package.text)
    for shown in (_words(STATEMENT_1), GOAL_TEXT, "Better than last month", NOTE_TEXT):
        assert shown in text, shown
    assert "A note not chosen for sharing" not in text
    assert "Dr Ada Example, Example Health Centre" in text  # the consent's copy
    event = AuditEvent.objects.get(action=Action.DISCLOSE)
    assert (event.client_id, event.actor_id) == (client_record.pk, clinician.pk)
    assert sorted(event.detail["items"]) == sorted(disclosure.item_ids)

    # The ledger on the consent tab lists it and leads back to the package.
    tab = package.click("Consent and sharing", index=0)
    row = tab.html.select_one("#ledger-heading").find_parent("section").text
    assert "Dr Ada Example" in row and "Goals and ratings; Session notes" in row

    printed = package.click("Print the package")
    assert printed.html.select("[data-testid=part2-label]")[0].text == STATEMENT_2
    assert GOAL_TEXT in printed.text
    assert AuditEvent.objects.filter(action=Action.PRINT, object_id=str(disclosure.pk))

    pdf = package.click("Download as PDF")
    assert pdf.content_type == "application/pdf"
    pdf_words = _words(pdf_text(pdf.body))
    for shown in (
        _words(STATEMENT_1),
        STATEMENT_2,
        GOAL_TEXT,
        NOTE_TEXT,
        "Dr Ada Example",
    ):
        assert shown in pdf_words, shown
    assert "A note not chosen for sharing" not in pdf_words
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, object_id=str(disclosure.pk), client_id=client_record.pk
    )


def test_the_package_stays_as_it_was_sent(
    web: Any, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record, wording=GOAL_TEXT)
    _named(client_record, clinician, [Item.GOALS])
    form = _choose(web(clinician), client_record, "Sam Example").forms["share-form"]
    _tick(form, "goals", goal.pk)
    package_url = form.submit().follow().request.url

    goal_reword(
        goal=goal, by=clinician, wording="New words", why_it_matters="", area=""
    )
    GoalRatingFactory.create(goal=goal, score=9)
    again = web(clinician).get(package_url)
    assert GOAL_TEXT in again.text
    assert "New words" not in again.text


def test_only_active_consents_and_open_recipients_are_offered(
    web: Any, clinician: User, client_record: Client
) -> None:
    revoked = _named(client_record, clinician, [Item.GOALS])
    consent_revoke(
        consent=revoked, by=clinician, revoked_on=timezone.localdate(), how="in_person"
    )
    expired_consent(client_record, clinician)  # to "Test Recipient"
    one_withdrawn = consent_for(
        client_record,
        clinician,
        recipients=[RecipientIn(name="Still Named"), RecipientIn(name="Withdrawn One")],
    )
    consent_revoke(
        consent=one_withdrawn,
        by=clinician,
        revoked_on=timezone.localdate(),
        how="phone",
        recipient=one_withdrawn.recipients.get(name="Withdrawn One"),
    )
    # To be signed on this device, and not signed yet: covers nothing.
    consent_for(
        client_record,
        clinician,
        recipients=[RecipientIn(name="Unsigned Recipient")],
        signed_how=SignedHow.DEVICE,
        paper_signed_on=None,
    )
    page = web(clinician).get(reverse("consents:share", args=[client_record.pk]))
    offered = [r.find_parent("div").text for r in page.html.select("input[name=to]")]
    assert len(offered) == 1 and "Still Named" in offered[0]
    for gone in ("Dr Ada Example", "Test Recipient", "Withdrawn One", "Unsigned"):
        assert gone not in page.text


def test_with_no_active_consent_the_page_says_so_and_leads_to_taking_one(
    web: Any, clinician: User, client_record: Client
) -> None:
    page = web(clinician).get(reverse("consents:share", args=[client_record.pk]))
    assert page.html.select("[data-testid=no-share-options]")
    assert page.click("Take a consent").forms["consent-form"]


def test_a_consent_revoked_after_the_form_was_shown_shares_nothing(
    web: Any, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record)
    consent = _named(client_record, clinician, [Item.GOALS])
    form = _choose(web(clinician), client_record, "Dr Ada Example").forms["share-form"]
    _tick(form, "goals", goal.pk)
    consent_revoke(
        consent=consent, by=clinician, revoked_on=timezone.localdate(), how="phone"
    )
    page = form.submit()
    assert "no longer covers sharing" in page.text
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.DISCLOSE).exists()


def test_a_recipient_withdrawn_after_the_form_was_shown_receives_nothing(
    web: Any, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record)
    consent = _named(client_record, clinician, [Item.GOALS])
    form = _choose(web(clinician), client_record, "Sam Example").forms["share-form"]
    _tick(form, "goals", goal.pk)
    consent_revoke(
        consent=consent,
        by=clinician,
        revoked_on=timezone.localdate(),
        how="phone",
        recipient=consent.recipients.get(name="Sam Example"),
    )
    page = form.submit()
    assert "no longer covers sharing" in page.text
    assert "Dr Ada Example" in page.text  # still offered
    assert not Disclosure.objects.exists()


def test_a_tampered_post_outside_the_consent_is_refused(
    as_clinician: Any, clinician: User, client_record: Client
) -> None:
    note = _signed_note(client_record)
    GoalFactory.create(client=client_record)
    elsewhere = ClientFactory.create(clinician=clinician)
    others_goal = GoalFactory.create(client=elsewhere)
    their_consent = _named(elsewhere, clinician, [Item.GOALS])
    consent = _named(client_record, clinician, [Item.GOALS])
    to = f"{consent.pk}:{consent.recipients.first().pk}"
    url = reverse("consents:share", args=[client_record.pk])

    # A note, outside this goals-only consent: nothing is shared.
    page = as_clinician.post(url, {"to": to, "notes": [note.pk]})
    assert "Choose at least one thing to share." in page.content.decode()
    # Another client's goal is no choice here.
    page = as_clinician.post(url, {"to": to, "goals": [others_goal.pk]})
    assert "Choose one of the options." in page.content.decode()
    # Another client's consent is no way to share this client's records.
    theirs = f"{their_consent.pk}:{their_consent.recipients.first().pk}"
    page = as_clinician.post(url, {"to": theirs, "goals": [others_goal.pk]})
    assert "no longer covers sharing" in page.content.decode()
    assert not Disclosure.objects.exists()


def test_a_double_submit_writes_one_ledger_row(
    web: Any, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record)
    _named(client_record, clinician, [Item.GOALS])
    form = _choose(web(clinician), client_record, "Dr Ada Example").forms["share-form"]
    _tick(form, "goals", goal.pk)
    first = form.submit()
    second = form.submit()
    assert first.status_int == second.status_int == 302
    assert first.location == second.location
    assert Disclosure.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.DISCLOSE).count() == 1


def test_a_tpo_consent_asks_who_receives_it_and_names_no_recipient(
    web: Any, clinician: User, client_record: Client
) -> None:
    note = _signed_note(client_record)
    consent = consent_for(
        client_record, clinician, kind=ConsentKind.TPO, items=[Item.EVERYTHING]
    )
    form = _choose(web(clinician), client_record, "treating providers").forms[
        "share-form"
    ]
    form["attendance"] = True
    _tick(form, "notes", note.pk)
    page = form.submit()
    assert (
        "Who is receiving it"
        in page.html.select_one(".is-invalid").find_parent("div").text
    )
    assert not Disclosure.objects.exists()
    form = page.forms["share-form"]
    form["recipient_name"] = "Example Health Plan"
    package = form.submit().follow()
    disclosure = Disclosure.objects.get()
    assert (disclosure.consent, disclosure.recipient) == (consent, None)
    assert disclosure.recipient_name == "Example Health Plan"
    assert sorted(disclosure.scope) == sorted([Item.ATTENDANCE, Item.SESSION_NOTES])
    assert "HIPAA" in package.text  # the TPO consent's redisclosure statement


def test_counseling_notes_are_offered_under_their_own_consent_only(
    web: Any, clinician: User, client_record: Client
) -> None:
    counseling = counseling_note_create(
        client=client_record, by=clinician, text="Counseling note for sharing"
    )
    _named(client_record, clinician, [Item.EVERYTHING])
    everything = _choose(web(clinician), client_record, "Dr Ada Example")
    assert "counseling_notes" not in everything.forms["share-form"].fields
    assert "Counseling note for sharing" not in everything.text

    consent_for(
        client_record,
        clinician,
        kind=ConsentKind.COUNSELING_NOTES,
        items=[Item.COUNSELING_NOTES],
        recipients=[RecipientIn(name="Counseling Recipient")],
    )
    form = _choose(web(clinician), client_record, "Counseling Recipient").forms[
        "share-form"
    ]
    assert set(form.fields) >= {"counseling_notes"}
    assert not {"goals", "notes", "attendance"} & set(form.fields)
    _tick(form, "counseling_notes", counseling.pk)
    package = form.submit().follow()
    assert "Counseling note for sharing" in package.text
    assert Disclosure.objects.get().scope == [Item.COUNSELING_NOTES]


def test_a_medical_emergency_disclosure_records_its_facts(
    web: Any, clinician: User, client_record: Client
) -> None:
    note = _signed_note(client_record)
    counseling_note_create(client=client_record, by=clinician, text="Never here")
    page = web(clinician).get(reverse("consents:share", args=[client_record.pk]))
    form = page.click("Record a disclosure without consent").forms[
        "share-without-consent-form"
    ]
    assert "counseling_notes" not in form.fields
    form["kind"] = DisclosureKind.MEDICAL_EMERGENCY
    form["recipient_name"] = "Dr Emergency Example"
    _tick(form, "notes", note.pk)
    page = form.submit()
    assert "Say what the emergency was." in page.text
    assert "Name their facility." in page.text
    assert not Disclosure.objects.exists()

    form = page.forms["share-without-consent-form"]
    when = timezone.localtime() - dt.timedelta(hours=2)
    form["occurred_at"] = when.strftime("%Y-%m-%dT%H:%M")
    form["recipient_facility"] = "Example General, emergency department"
    form["emergency_nature"] = "Unresponsive after a suspected overdose"
    form["what_detail"] = "Told them which medicines they take"
    package = form.submit().follow()
    disclosure = Disclosure.objects.get()
    assert disclosure.kind == DisclosureKind.MEDICAL_EMERGENCY
    assert disclosure.consent is None
    assert disclosure.occurred_at == when.replace(second=0, microsecond=0)
    assert disclosure.emergency_nature == "Unresponsive after a suspected overdose"
    assert disclosure.disclosed_by == clinician
    assert "Medical emergency (42 CFR 2.51)" in package.text
    assert "Told them which medicines they take" in package.text
    assert STATEMENT_2 in package.text
    # The accounting gives the time it was shared, not when it was written up.
    tab = package.click("Consent and sharing", index=0)
    accounting = tab.click("Accounting of what was shared")
    assert short_datetime(disclosure.occurred_at) in accounting.text


def test_a_court_order_and_a_required_report_need_their_basis(
    web: Any, clinician: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record)
    url = reverse("consents:share_without_consent", args=[client_record.pk])
    for kind, field, message in (
        (DisclosureKind.COURT_ORDER, "court_order_reference", "Name the court order."),
        (
            DisclosureKind.REQUIRED_REPORT,
            "report_basis",
            "Say which law requires the report.",
        ),
    ):
        form = web(clinician).get(url).forms["share-without-consent-form"]
        form["kind"] = kind
        form["recipient_name"] = "Example Agency"
        _tick(form, "goals", goal.pk)
        page = form.submit()
        assert message in page.text
        form = page.forms["share-without-consent-form"]
        form[field] = "Example basis"
        form.submit().follow()
    assert sorted(Disclosure.objects.values_list("kind", flat=True)) == sorted(
        [DisclosureKind.COURT_ORDER, DisclosureKind.REQUIRED_REPORT]
    )


def test_a_future_time_and_nothing_chosen_are_refused(
    web: Any, clinician: User, client_record: Client
) -> None:
    url = reverse("consents:share_without_consent", args=[client_record.pk])
    form = web(clinician).get(url).forms["share-without-consent-form"]
    form["kind"] = DisclosureKind.COURT_ORDER
    form["recipient_name"] = "Example Court"
    form["court_order_reference"] = "Example order"
    form["occurred_at"] = (timezone.localtime() + dt.timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    page = form.submit()
    assert "This cannot be in the future." in page.text
    assert not Disclosure.objects.exists()


def test_the_supervisor_reads_packages_but_shares_nothing(
    web: Any, clinician: User, supervisor: User, client_record: Client
) -> None:
    goal = GoalFactory.create(client=client_record)
    _named(client_record, clinician, [Item.GOALS])
    form = _choose(web(clinician), client_record, "Dr Ada Example").forms["share-form"]
    _tick(form, "goals", goal.pk)
    package_url = form.submit().follow().request.url

    app = web(supervisor)
    tab = app.get(reverse("consents:client", args=[client_record.pk]))
    assert "Share records" not in tab.text
    package = tab.click(
        href=reverse("consents:disclosure", args=[Disclosure.objects.get().pk])
    )
    assert package.request.url == package_url
    assert "Print the package" in package.text
    assert (
        app.get(
            reverse("consents:share", args=[client_record.pk]), expect_errors=True
        ).status_int
        == 403
    )


def test_without_part2_the_package_carries_no_statement(
    web: Any, clinician: User, client_record: Client, settings: Any
) -> None:
    settings.PART2_PROGRAM = False
    goal = GoalFactory.create(client=client_record, wording=GOAL_TEXT)
    _named(client_record, clinician, [Item.GOALS])
    form = _choose(web(clinician), client_record, "Dr Ada Example").forms["share-form"]
    _tick(form, "goals", goal.pk)
    package = form.submit().follow()
    assert GOAL_TEXT in package.text
    assert "42 CFR part 2" not in package.text
    pdf = package.click("Download as PDF")
    assert "42 CFR" not in pdf_text(pdf.body)


def test_the_ledger_refuses_a_package_under_a_consent_that_just_ended(
    clinician: User, client_record: Client
) -> None:
    """The service checks `covering`; PostgreSQL's own check is the backstop
    (tests/test_consents_db_rules.py). Here the consent's end passes by the
    database clock between the form and the write."""
    from django.core.exceptions import ValidationError

    from consents.services import Picked, share_records

    goal = GoalFactory.create(client=client_record)
    consent = expired_consent(client_record, clinician)
    with pytest.raises(ValidationError, match="does not cover that now"):
        share_records(
            client=client_record,
            by=clinician,
            picked=Picked(goals=[goal]),
            consent=consent,
            recipient=consent.recipients.get(),
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM consents_disclosure")
        assert cursor.fetchone() == (0,)
