"""Who sees consent and sharing (issue #19, "Done means"): the client's
supervisor reads the notice record, consents, revocations and the ledger,
reached through their team pages, with no control that writes and every
write refused (403, nothing written); an admin gets 404 on every consent
page; another supervisor's team's client is 404. Every route of the consents
app is walked, so a new one is covered as soon as it exists."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.db.models import Model
from django.test import Client as HttpClient
from django.urls import URLPattern, reverse
from django.utils import timezone
from django_webtest import DjangoTestApp

from clients.models import Client
from consents import urls as consent_urls
from consents.models import (
    Consent,
    ConsentRecipient,
    DeviceSignature,
    Disclosure,
    DisclosureKind,
    Item,
    NoticeGiven,
    Revocation,
    SignedHow,
)
from consents.services import consent_revoke, disclosure_record, notice_record
from staff.models import User
from tests.consent_data import consent_for

pytestmark = pytest.mark.django_db

Web = Callable[[User], DjangoTestApp]
WRITES = (
    "Take a consent",
    "Record that the notice was given",
    "Record a revocation",
    "Share records",
    "Hand the device to the client to sign",
)
TABLES: list[type[Model]] = [
    NoticeGiven,
    Consent,
    ConsentRecipient,
    DeviceSignature,
    Revocation,
    Disclosure,
]


@pytest.fixture
def shared(clinician: User, client_record: Client) -> Consent:
    """The notice given, a consent to two people (one since withdrawn), one
    to be signed on the device, and a disclosure in the ledger."""
    notice_record(
        client=client_record,
        by=clinician,
        given_on=timezone.localdate(),
        how="in_person",
    )
    consent = consent_for(client_record, clinician)
    extra = ConsentRecipient.objects.create(consent=consent, name="Test Withdrawn")
    consent_revoke(
        consent=consent,
        by=clinician,
        recipient=extra,
        revoked_on=timezone.localdate(),
        how="phone",
    )
    consent_for(client_record, clinician, signed_how=SignedHow.DEVICE)
    disclosure_record(
        client=client_record,
        by=clinician,
        kind=DisclosureKind.CONSENTED,
        consent=consent,
        recipient=consent.recipients.get(name="Test Recipient"),
        recipient_name="Test Recipient",
        recipient_facility="Test Clinic",
        scope=[Item.GOALS],
    )
    return consent


def _counts() -> list[int]:
    return [model._default_manager.count() for model in TABLES]


def _url(pattern: URLPattern, client: Client, consent: Consent) -> str:
    """A concrete URL for a consents route: a client's, a consent's, or (the
    disclosure package) the ledger row's."""
    name = f"consents:{pattern.name}"
    keys = list(pattern.pattern.converters)
    if not keys:
        return reverse(name)
    if keys == ["client_pk"]:
        return reverse(name, args=[client.pk])
    if pattern.name in ("disclosure", "disclosure_pdf"):
        return reverse(name, args=[Disclosure.objects.filter(client=client).first().pk])  # type: ignore[union-attr]
    return reverse(name, args=[consent.pk])


def _routes() -> list[URLPattern]:
    return [p for p in consent_urls.urlpatterns if isinstance(p, URLPattern)]


def test_the_supervisor_reads_it_all_from_the_team_pages_with_no_writing_controls(
    web: Web, supervisor: User, clinician: User, client_record: Client, shared: Consent
) -> None:
    app = web(supervisor)
    dashboard = app.get(reverse("team:dashboard"))
    members = dashboard.click(
        href=reverse("team:member_clients", args=[clinician.pk]), index=0
    )
    record = members.click(client_record.chosen_name, index=0)
    tab = record.click("Consent and sharing", index=0)
    assert tab.html.select("[data-testid=notice-given]")
    assert "Test Recipient, Test Clinic" in tab.text  # the ledger
    for write in WRITES:
        assert write not in tab.text, write
    consent = tab.click(href=shared.get_absolute_url(), index=0)
    assert "For Test Withdrawn" in consent.text  # the revocation
    assert "Test Recipient" in consent.text
    for write in WRITES:
        assert write not in consent.text, write
    accounting = tab.click("Accounting of what was shared")
    assert "Test Recipient, Test Clinic" in accounting.text
    for write in WRITES:
        assert write not in accounting.text, write


def test_every_consent_write_is_refused_to_the_supervisor_and_nothing_is_written(
    as_supervisor: HttpClient, client_record: Client, shared: Consent
) -> None:
    """Hostile raw posts (CSRF off) with what each form would take."""
    before = _counts()
    today = timezone.localdate().isoformat()
    data = {
        "given_on": today,
        "how": "in_person",
        "kind": "named",
        "items": ["goals"],
        "recipient-TOTAL_FORMS": "1",
        "recipient-INITIAL_FORMS": "0",
        "recipient-0-name": "Test Someone",
        "expiry_event": "the end of my care",
        "signed_how": "paper",
        "paper_signed_on": today,
        "revoked_on": today,
        "typed_name": "Test Client",
        "agree": "on",
    }
    answers = {}
    for pattern in _routes():
        url = _url(pattern, client_record, shared)
        answers[pattern.name] = as_supervisor.post(url, data).status_code
    reads = {"notice", "client", "detail", "accounting", "disclosure", "disclosure_pdf"}
    assert {name: code for name, code in answers.items() if name in reads} == {
        name: 405 for name in reads
    }
    assert {code for name, code in answers.items() if name not in reads} == {403}
    assert _counts() == before


@pytest.mark.parametrize("who", ["admin_user", "other_supervisor"])
def test_every_consent_page_of_the_client_is_404(
    web: Web,
    client_record: Client,
    shared: Consent,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    app = web(request.getfixturevalue(who))
    for pattern in _routes():
        if pattern.name == "notice":  # the service's text, no client's data
            continue
        url = _url(pattern, client_record, shared)
        assert app.get(url, expect_errors=True).status_code == 404, pattern.name


def test_a_refusal_and_a_not_found_are_the_products_own_pages(
    web: Web, client_record: Client, shared: Consent, supervisor: User, outsider: User
) -> None:
    """With the navigation (so the person can sign out or go on) and words
    that tell nothing about whether the record exists."""
    share = reverse("consents:share", args=[client_record.pk])
    refused = web(supervisor).get(share, status=403)
    assert "Only the primary clinician or author can change this." in refused.text
    assert refused.html.select_one("header").find("button", string="Sign out")
    missing = web(outsider).get(share, status=404)
    assert "This page does not exist, or it is not one you can open." in missing.text
    assert client_record.chosen_name not in missing.text
    assert missing.html.select_one("header").find("button", string="Sign out")
    nowhere = web(outsider).get(
        reverse("consents:share", args=[uuid.uuid4()]), status=404
    )
    assert nowhere.html.select_one("main").text == missing.html.select_one("main").text
