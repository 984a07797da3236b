"""Authenticator (TOTP) secrets are encrypted at rest with FIELD_ENCRYPTION_KEY
(issue #18, part 4): the table never holds the hex key, signing in with a code
still works (django-otp's middleware included), existing rows are sealed by a
migration, and a key rotation keeps every authenticator working."""

from __future__ import annotations

import re
from importlib import import_module
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hr_clinic.lib.sealed import SealError, is_sealed
from staff.models import SealedTOTPDevice, User
from tests.test_security_mfa import PASSWORD, code_for
from tests.web import form_to

seal_migration = import_module("staff.migrations.0010_seal_totp_secrets")

HEX = re.compile(r"^[0-9a-f]+$")


def _stored_key(device: TOTPDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
        return str(cursor.fetchone()[0])


def test_enrolment_stores_a_sealed_secret_and_the_code_signs_in(
    web: Any, clinician: User
) -> None:
    app = web(None)
    form = form_to(app.get(reverse("login")), reverse("login"))
    form["username"] = clinician.username
    form["password"] = PASSWORD
    page = form.submit().maybe_follow()
    assert page.request.path == reverse("mfa_enrol")
    device = SealedTOTPDevice.objects.get(user=clinician)
    stored = _stored_key(device)
    assert is_sealed(stored) and not HEX.match(stored)
    assert device.bin_key.hex() not in stored
    # The page shows the secret to type in by hand: the real one, opened.
    assert device.config_url.count("secret=") == 1

    form = form_to(page, reverse("mfa_enrol"))
    form["code"] = code_for(device)
    codes = form.submit().follow()
    home = codes.click("I have kept them safe; continue").follow()
    assert home.request.path == reverse("appointments:today")
    # django-otp's middleware loads the device through the sealing class.
    assert app.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert device.persistent_id.startswith("staff.sealedtotpdevice/")

    # A later sign-in with a code from the same authenticator.
    again = web(None)
    form = form_to(again.get(reverse("login")), reverse("login"))
    form["username"] = clinician.username
    form["password"] = PASSWORD
    form = form_to(form.submit().maybe_follow(), reverse("mfa_verify"))
    form["code"] = code_for(device, steps_ahead=1)
    landed = form.submit().maybe_follow()
    assert landed.request.path == reverse("appointments:today")
    assert landed.status_code == 200


@pytest.mark.django_db
def test_the_migration_seals_existing_hex_secrets_and_back(clinician: User) -> None:
    plain = TOTPDevice.objects.create(user=clinician, name="Old phone", confirmed=True)
    hex_key = plain.key
    assert HEX.match(_stored_key(plain))

    editor = connection.schema_editor()
    seal_migration.seal(apps, editor)
    stored = _stored_key(plain)
    assert is_sealed(stored) and hex_key not in stored
    assert SealedTOTPDevice.objects.get(pk=plain.pk).bin_key.hex() == hex_key
    seal_migration.seal(apps, editor)  # twice: a sealed row is left alone
    assert _stored_key(plain) == stored

    seal_migration.unseal(apps, editor)
    assert _stored_key(plain) == hex_key


@pytest.mark.django_db
def test_rotating_the_key_keeps_authenticators_working(
    clinician: User, settings: Any
) -> None:
    device = SealedTOTPDevice.objects.create(user=clinician, confirmed=True)
    secret = device.bin_key
    before = _stored_key(device)
    old = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = "the-new-field-key-after-a-rotation-0123"

    # A new key alone cannot open what the old one sealed: a clear error.
    with pytest.raises(SealError, match="FIELD_ENCRYPTION_OLD_KEYS"):
        SealedTOTPDevice.objects.get(pk=device.pk).bin_key  # noqa: B018
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("reseal_secrets", stdout=StringIO())

    settings.FIELD_ENCRYPTION_OLD_KEYS = [old]
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == secret
    out = StringIO()
    call_command("reseal_secrets", stdout=out)
    assert "Sealed 1 authenticator secrets again." in out.getvalue()
    assert _stored_key(device) != before

    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key == secret
