"""Consent and sharing (issue #19): the §2.22 notice, §2.31 consents taken in
the browser, signed on paper or by the client on this device, revoked in
whole or per recipient, and who may see and do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clients.models import Client
from consents.models import (
    Consent,
    ConsentKind,
    ConsentRecipient,
    DeviceSignature,
    Item,
    NoticeGiven,
    Revocation,
    SignedHow,
)
from consents.selectors import covering
from consents.services import consent_revoke
from staff.models import User
from tests.consent_data import consent_for, expired_consent
from tests.factories import EmergencyGrantFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _fill_consent(form: object, **values: object) -> None:
    for name, value in values.items():
        form[name] = value  # type: ignore[index]


def test_journey_notice_tpo_on_paper_named_on_device_revoke_one_recipient(
    web, clinician: User, client_record: Client
) -> None:
    app = web(clinician)
    record = app.get(reverse("clients:detail", args=[client_record.pk]))
    assert "The privacy notice has not been recorded yet" in record.text
    tab = record.click("Consent and sharing", index=0)
    assert tab.html.select("[data-testid=notice-prompt]")

    # The notice, given in person and talked through.
    form = tab.click("Record that the notice was given").forms["notice-form"]
    form["how"] = "in_person"
    tab = form.submit().follow()
    assert "Recorded that the privacy notice was given." in tab.text
    given = NoticeGiven.objects.get(client=client_record)
    assert (given.given_by, given.given_on, given.how) == (
        clinician,
        TODAY(),
        "in_person",
    )
    record = app.get(reverse("clients:detail", args=[client_record.pk]))
    assert f"Notice of privacy given on {TODAY():%-d %b %Y}" in record.text

    # A TPO consent signed on paper.
    form = tab.click("Take a consent").forms["consent-form"]
    _fill_consent(
        form,
        kind="tpo",
        expiry_event="I stop coming to the program",
        signed_how="paper",
        paper_signed_on=TODAY().isoformat(),
    )
    form["items"] = ["attendance", "goals"]
    page = form.submit().follow()
    assert "Consent recorded." in page.text
    assert (
        "My treating providers, health plans and those who help run this program."
        in page.text
    )
    assert page.html.select("[data-testid=tpo-statement]")
    assert (
        "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
        in page.text
    )
    tpo = Consent.objects.get(kind=ConsentKind.TPO)
    assert tpo.items == ["attendance", "goals"] and not tpo.recipients.exists()
    assert Consent.objects.active().filter(pk=tpo.pk).exists()

    # A named-recipient consent, signed by the client on this device.
    tab = page.click("All consents")
    form = tab.click("Take a consent").forms["consent-form"]
    _fill_consent(
        form,
        kind="named",
        expires_on=(TODAY() + dt.timedelta(days=180)).isoformat(),
        signed_how="device",
        **{
            "recipient-0-name": "Test Doctor",
            "recipient-0-organisation": "Test Health Centre",
            "recipient-1-name": "Test Housing Worker",
        },
    )
    form["items"] = ["goals", "session_notes"]
    sign = form.submit().follow()
    named = Consent.objects.get(kind=ConsentKind.NAMED)
    assert not Consent.objects.active().filter(pk=named.pk).exists()  # not signed yet
    assert "Please read this consent" in sign.text
    form = sign.forms["sign-form"]
    form["typed_name"] = "Test Client"
    form["agree"] = True
    thanks = form.submit().follow()
    assert "Your consent is signed" in thanks.text
    assert DeviceSignature.objects.get(consent=named).typed_name == "Test Client"
    assert Consent.objects.active().filter(pk=named.pk).exists()

    # The client withdraws one recipient.
    page = thanks.click("back to the record")
    form = page.click("Record a revocation").forms["revoke-form"]
    doctor = named.recipients.get(name="Test Doctor")
    form["recipient"] = str(doctor.pk)
    form["how"] = "phone"
    page = form.submit().follow()
    assert "Revocation recorded" in page.text
    assert "For Test Doctor" in page.text
    assert Revocation.objects.get(consent=named).recipient == doctor
    housing = named.recipients.get(name="Test Housing Worker")
    assert not covering(client_record, doctor, [Item.GOALS]).exists()
    assert list(covering(client_record, housing, [Item.GOALS])) == [named]
    assert list(covering(client_record, None, [Item.ATTENDANCE])) == [tpo]
    assert not covering(client_record, None, [Item.SESSION_NOTES]).exists()
    actions = set(
        AuditEvent.objects.filter(client_id=client_record.pk).values_list(
            "action", flat=True
        )
    )
    assert {Action.CREATE, Action.SIGN, Action.REVOKE} <= actions


# --- every element of §2.31, refused with a clear message ------------------

CREATE_OK = {
    "kind": "named",
    "recipient-0-name": "Test Recipient",
    "expires_on": "",
    "expiry_event": "the end of my care",
    "signed_how": "paper",
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": None}, "kind", "Please fill this in."),
        ({"items": []}, "items", "Choose what may be shared."),
        (
            {"recipient-0-name": ""},
            None,
            "Name at least one person or organisation who may receive it.",
        ),
        (
            {"expiry_event": ""},
            "expires_on",
            "Say when this consent ends: a date, or an event or condition.",
        ),
        (
            {"expires_on": "2020-01-01"},
            "expires_on",
            "The end date has already passed.",
        ),
        (
            {"paper_signed_on": ""},
            "paper_signed_on",
            "Give the date the client signed the paper form.",
        ),
        (
            {"discloser": "part"},
            "discloser_part",
            "Name the part of the program that may share.",
        ),
        ({"purpose": "other"}, "purpose_other", "Say what the purpose is."),
        (
            {"kind": "counseling_notes"},
            "items",
            "A counseling-notes consent covers those notes only",
        ),
        ({"signed_how": None}, "signed_how", "Please fill this in."),
    ],
)
def test_a_consent_missing_an_element_is_refused_with_a_clear_message(
    web,
    clinician: User,
    client_record: Client,
    change: dict[str, object],
    field: str | None,
    message: str,
) -> None:
    page = web(clinician).get(reverse("consents:create", args=[client_record.pk]))
    form = page.forms["consent-form"]
    values = {**CREATE_OK, "paper_signed_on": TODAY().isoformat(), **change}
    for name, value in values.items():
        if value is not None:
            form[name] = value
    form["items"] = change.get("items", ["goals"])
    resp = form.submit()
    assert resp.status_code == 200
    assert message in resp.text
    assert not Consent.objects.exists()


def test_a_consent_for_proceedings_against_the_client_is_never_offered(
    web, clinician: User, client_record: Client
) -> None:
    page = web(clinician).get(reverse("consents:create", args=[client_record.pk]))
    assert "proceeding" not in page.forms["consent-form"].fields["purpose"][0].options
    form = page.forms["consent-form"]
    for name, value in {**CREATE_OK, "paper_signed_on": TODAY().isoformat()}.items():
        form[name] = value
    form["items"] = ["goals"]
    form["purpose"].force_value("proceedings_against_me")
    resp = form.submit()
    assert "Choose one of the options." in resp.text
    assert not Consent.objects.exists()


# --- active, revoked, expired ------------------------------------------------


def test_revoked_and_expired_consents_are_not_active(
    clinician: User, client_record: Client
) -> None:
    live = consent_for(client_record, clinician)
    revoked = consent_for(client_record, clinician)
    consent_revoke(consent=revoked, by=clinician, revoked_on=TODAY(), how="phone")
    # Expired by the database clock: its end is already past for PostgreSQL.
    expired = expired_consent(client_record, clinician)
    waiting = consent_for(client_record, clinician, signed_how=SignedHow.DEVICE)
    assert list(Consent.objects.active()) == [live]
    assert not covering(client_record, revoked.recipients.get(), [Item.GOALS]).exists()
    assert not covering(client_record, expired.recipients.get(), [Item.GOALS]).exists()
    assert not covering(client_record, waiting.recipients.get(), [Item.GOALS]).exists()
    # Out of scope: goals only, not session notes.
    assert not covering(
        client_record, live.recipients.get(), [Item.GOALS, Item.SESSION_NOTES]
    ).exists()


def test_a_consent_runs_through_the_day_it_names(
    clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician, expires_on=TODAY())
    assert Consent.objects.active().filter(pk=consent.pk).exists()
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert not Consent.objects.active(at=tomorrow).filter(pk=consent.pk).exists()


def test_everything_covers_the_record_but_never_counseling_notes(
    clinician: User, client_record: Client
) -> None:
    everything = consent_for(client_record, clinician, items=[Item.EVERYTHING])
    person = everything.recipients.get()
    assert list(covering(client_record, person, [Item.SESSION_NOTES, Item.GOALS])) == [
        everything
    ]
    assert not covering(client_record, person, [Item.COUNSELING_NOTES]).exists()
    notes = consent_for(
        client_record, clinician, kind=ConsentKind.COUNSELING_NOTES, items=[]
    )
    assert notes.items == [Item.COUNSELING_NOTES]
    assert list(
        covering(client_record, notes.recipients.get(), [Item.COUNSELING_NOTES])
    ) == [notes]


# --- tampered posts ------------------------------------------------------------


def test_a_tampered_revocation_for_another_consents_recipient_is_refused(
    web, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    other = consent_for(client_record, clinician)
    page = web(clinician).get(reverse("consents:revoke", args=[consent.pk]))
    form = page.forms["revoke-form"]
    form["recipient"].force_value(str(other.recipients.get().pk))
    form["how"] = "phone"
    resp = form.submit()
    assert resp.status_code == 200
    assert "Choose one of the options." in resp.text
    assert not Revocation.objects.exists()


def test_revoking_twice_is_refused_and_nothing_changes(
    web, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    app = web(clinician)
    form = app.get(reverse("consents:revoke", args=[consent.pk])).forms["revoke-form"]
    form["how"] = "in_writing"
    stale = app.get(reverse("consents:revoke", args=[consent.pk])).forms["revoke-form"]
    form.submit().follow()
    stale["how"] = "phone"
    resp = stale.submit()
    assert "This consent has already been revoked." in resp.text
    assert Revocation.objects.filter(consent=consent).count() == 1


def test_a_consent_signed_on_paper_cannot_be_signed_again_on_the_device(
    as_clinician, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    as_clinician.post(
        reverse("consents:sign", args=[consent.pk]),
        {"typed_name": "Someone Else", "agree": "on"},
    )
    assert not DeviceSignature.objects.exists()


# --- the client-facing screen ------------------------------------------------


def test_the_signing_screen_shows_the_consent_and_nothing_else_of_the_record(
    web, clinician: User, client_record: Client
) -> None:
    from tests.factories import GoalFactory, TherapySessionFactory

    client_record.phone = "555-0100"
    client_record.save()
    GoalFactory.create(client=client_record, wording="Test goal wording")
    TherapySessionFactory.create(client=client_record)
    consent = consent_for(client_record, clinician, signed_how=SignedHow.DEVICE)
    page = web(clinician).get(reverse("consents:sign", args=[consent.pk]))
    assert "Test Recipient" in page.text and "Goals and ratings" in page.text
    assert "Robin Example" in page.text  # their own name, on their consent
    assert "Test goal wording" not in page.text
    assert "555-0100" not in page.text
    assert clinician.name not in page.text
    assert not page.html.select("nav")
    # Its only links: the way back, once signed. None before.
    assert not page.html.select("a[href]")
    assert {id(f) for f in page.forms.values()} == {id(page.forms["sign-form"])}


# --- who sees what ---------------------------------------------------------------


def test_the_supervisor_reads_but_records_nothing(
    web, supervisor: User, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    app = web(supervisor)
    tab = app.get(reverse("consents:client", args=[client_record.pk]))
    assert "Take a consent" not in tab.text
    assert "Record that the notice was given" not in tab.text
    page = tab.click("To the people or organisations I name")
    assert "Test Recipient" in page.text and "Record a revocation" not in page.text
    assert app.get(reverse("consents:revoke", args=[consent.pk]), status=403)


def test_an_emergency_grant_holder_reads_only(
    web, outsider: User, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    EmergencyGrantFactory.create(client=client_record, grantee=outsider)
    app = web(outsider)
    assert "Test Recipient" in app.get(consent.get_absolute_url()).text
    app.get(reverse("consents:create", args=[client_record.pk]), status=403)
    app.get(reverse("consents:revoke", args=[consent.pk]), status=403)


def test_another_clinicians_consent_is_404_and_recorded_as_denied(
    as_outsider, outsider: User, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    for url in (
        consent.get_absolute_url(),
        reverse("consents:sign", args=[consent.pk]),
        reverse("consents:revoke", args=[consent.pk]),
    ):
        assert as_outsider.get(url).status_code == 404
    resp = as_outsider.post(
        reverse("consents:revoke", args=[consent.pk]), {"how": "phone"}
    )
    assert resp.status_code == 404
    assert not Revocation.objects.exists()
    assert AuditEvent.objects.filter(
        actor=outsider, object_id=str(consent.pk), outcome="denied"
    ).exists()


def test_the_notice_page_has_every_element_and_the_contact(
    web, clinician: User, settings
) -> None:
    settings.PRIVACY_CONTACT = "Test Privacy Officer, 555-0199"
    page = web(clinician).get(reverse("consents:notice"))
    text = page.text
    for element in (
        "Notice of privacy practices",
        "how health information about you may be used and disclosed",
        "42 CFR part 2",
        "Your rights",
        "accounting of disclosures",
        "Our duties",
        "Test Privacy Officer, 555-0199",
        "Secretary of the U.S. Department of Health and Human Services",
    ):
        assert element in text


def test_with_part2_off_the_part2_statements_are_left_out(
    web, clinician: User, client_record: Client, settings
) -> None:
    settings.PART2_PROGRAM = False
    consent = consent_for(client_record, clinician)
    app = web(clinician)
    assert "42 CFR part 2" not in app.get(reverse("consents:notice")).text
    page = app.get(consent.get_absolute_url())
    assert "42 CFR part 2 prohibits" not in page.text
    assert not consent.part2


def test_the_consent_prints_for_the_client_and_the_print_is_recorded(
    web, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    page = web(clinician).get(consent.get_absolute_url()).click("Print for the client")
    assert page.html.select("[data-testid=print-bar]")
    assert page.html.select("[data-testid=revoke-statement]")
    assert AuditEvent.objects.filter(
        action=Action.PRINT, object_id=str(consent.pk), client_id=client_record.pk
    ).exists()


def test_a_consent_needs_its_recipients_in_the_service_too(
    clinician: User, client_record: Client
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Name at least one"):
        consent_for(client_record, clinician, recipients=[])
    with pytest.raises(ValidationError, match="of their own"):
        consent_for(client_record, clinician, items=[Item.GOALS, Item.COUNSELING_NOTES])
    assert not ConsentRecipient.objects.exists()
