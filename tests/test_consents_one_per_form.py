"""One record per filled-in form on the consent pages (issue #19): a double
click or a re-sent POST of "Record that the notice was given", "Take a
consent" or "Record a revocation" records it once and lands where the first
did; the same form changed and sent again says so and keeps what was typed.
Each form is taken from the page and submitted as a browser does, CSRF on:
`form.submit()` twice on one form object sends the same form twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from django_webtest import DjangoTestApp
from webtest import Form

from clients.models import Client
from consents.models import Consent, NoticeGiven, Revocation
from staff.models import User
from tests.consent_data import consent_for

pytestmark = pytest.mark.django_db

Web = Callable[[User], DjangoTestApp]


def _tab(web: Web, user: User, client: Client) -> object:
    record = web(user).get(reverse("clients:detail", args=[client.pk]))
    return record.click("Consent and sharing", index=0)


def _notice_form(web: Web, user: User, client: Client) -> Form:
    form = _tab(web, user, client).click("Record that the notice was given")  # type: ignore[attr-defined]
    form = form.forms["notice-form"]
    form["how"] = "in_person"
    return form


def _consent_form(web: Web, user: User, client: Client, signed_how: str) -> Form:
    page = _tab(web, user, client).click("Take a consent")  # type: ignore[attr-defined]
    form = page.forms["consent-form"]
    form["kind"] = "named"
    form["recipient-0-name"] = "Test Doctor"
    form["recipient-0-organisation"] = "Test Health Centre"
    form["items"] = ["goals"]
    form["expires_on"] = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    form["signed_how"] = signed_how
    if signed_how == "paper":
        form["paper_signed_on"] = timezone.localdate().isoformat()
    return form


def _revoke_form(web: Web, user: User, consent: Consent) -> Form:
    page = web(user).get(consent.get_absolute_url())
    return page.click("Record a revocation").forms["revoke-form"]


def test_the_notice_sent_twice_is_recorded_once(
    web: Web, clinician: User, client_record: Client
) -> None:
    form = _notice_form(web, clinician, client_record)
    first, second = form.submit(), form.submit()
    assert NoticeGiven.objects.filter(client=client_record).count() == 1
    assert first.location == second.location
    assert "Recorded that the privacy notice was given." in second.follow().text


def test_the_notice_form_changed_and_sent_again_keeps_what_was_typed(
    web: Web, clinician: User, client_record: Client
) -> None:
    form = _notice_form(web, clinician, client_record)
    form.submit()
    form["how"] = "phone"
    shown = form.submit()
    assert shown.status_code == 200
    assert "This form already recorded that the notice was given" in shown.text
    again = shown.forms["notice-form"]
    assert again["how"].value == "phone"
    assert NoticeGiven.objects.filter(client=client_record).count() == 1
    again.submit().follow()
    assert sorted(NoticeGiven.objects.values_list("how", flat=True)) == [
        "in_person",
        "phone",
    ]


@pytest.mark.parametrize("signed_how", ["paper", "device"])
def test_a_consent_sent_twice_is_taken_once_and_lands_where_the_first_did(
    web: Web, clinician: User, client_record: Client, signed_how: str
) -> None:
    form = _consent_form(web, clinician, client_record, signed_how)
    first, second = form.submit(), form.submit()
    consent = Consent.objects.get(client=client_record)
    assert list(consent.recipients.values_list("name", flat=True)) == ["Test Doctor"]
    assert first.location == second.location
    landed = second.follow()
    if signed_how == "paper":
        assert landed.request.path == consent.get_absolute_url()
        assert "Consent recorded." in landed.text
    else:
        assert landed.request.path == reverse("consents:sign", args=[consent.pk])
        assert "Please read this consent" in landed.text


def test_a_consent_form_changed_and_sent_again_keeps_what_was_typed(
    web: Web, clinician: User, client_record: Client
) -> None:
    form = _consent_form(web, clinician, client_record, "paper")
    form.submit()
    form["recipient-0-name"] = "Test Pharmacist"
    shown = form.submit()
    assert shown.status_code == 200
    assert "This form already recorded a consent" in shown.text
    again = shown.forms["consent-form"]
    assert again["recipient-0-name"].value == "Test Pharmacist"
    assert again["recipient-0-organisation"].value == "Test Health Centre"
    assert Consent.objects.count() == 1
    again.submit().follow()
    names = Consent.objects.values_list("recipients__name", flat=True)
    assert sorted(names) == ["Test Doctor", "Test Pharmacist"]


def test_a_whole_revocation_sent_twice_is_recorded_once_without_an_error(
    web: Web, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    form = _revoke_form(web, clinician, consent)
    form["how"] = "phone"
    first, second = form.submit(), form.submit()
    assert Revocation.objects.filter(consent=consent).count() == 1
    assert first.location == second.location == consent.get_absolute_url()
    assert "Revocation recorded" in second.follow().text


def test_a_revocation_for_one_recipient_sent_twice_is_recorded_once(
    web: Web, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    recipient = consent.recipients.get()
    form = _revoke_form(web, clinician, consent)
    form["recipient"] = str(recipient.pk)
    form["how"] = "in_writing"
    first, second = form.submit(), form.submit()
    assert list(Revocation.objects.values_list("recipient", flat=True)) == [
        recipient.pk
    ]
    assert first.location == second.location == consent.get_absolute_url()
    assert "For Test Recipient" in second.follow().text


def test_a_revocation_changed_and_sent_again_says_it_is_already_recorded(
    web: Web, clinician: User, client_record: Client
) -> None:
    consent = consent_for(client_record, clinician)
    form = _revoke_form(web, clinician, consent)
    form["how"] = "phone"
    form.submit()
    form["how"] = "in_person"
    shown = form.submit()
    assert shown.status_code == 200
    assert "This consent has already been revoked." in shown.text
    assert list(Revocation.objects.values_list("how", flat=True)) == ["phone"]
