"""Signed-in test clients that have passed the second factor.

The suite runs with MFA_REQUIRED on, as production does. `force_login` covers
only the password step, so `signed_in()` also gives the person a confirmed
authenticator (TOTP device) and marks the session as verified with it, which is
what django_otp.login does after a good code. Tests of the second factor itself
(tests/test_security_mfa.py) go through the real pages instead.
"""

from __future__ import annotations

from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY

from staff.mfa import VERIFIED_USER_KEY
from staff.models import SealedTOTPDevice, User


def verified_device(user: User) -> SealedTOTPDevice:
    device = SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = SealedTOTPDevice.objects.create(
            user=user, name="Test authenticator", confirmed=True
        )
    return device


def signed_in(user: User, http: HttpClient | None = None) -> HttpClient:
    """`http` (or a new test client) signed in as `user`, second factor done."""
    http = http or HttpClient()
    http.force_login(user)
    session = http.session
    # As staff.mfa leaves a verified session: the device and whose it is.
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session[VERIFIED_USER_KEY] = user.pk
    session.save()
    return http
