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
from consents.services import RecipientIn, consent_create, consent_revoke
from staff.models import User
from tests.factories import EmergencyGrantFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _consent(client: Client, by: User, **kw: object) -> Consent:
    args: dict[str, object] = {
        "kind": ConsentKind.NAMED,
        "items": [Item.GOALS],
        "recipients": [RecipientIn(name="Test Recipient", organisation="Test Clinic")],
        "expires_on": TODAY() + dt.timedelta(days=90),
        "signed_how": SignedHow.PAPER,
        "paper_signed_on": TODAY(),
    }
    args.update(kw)
    return consent_create(client=client, by=by, **args)  # type: ignore[arg-type]


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
