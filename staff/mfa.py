"""The second factor: TOTP (an authenticator app) plus single-use recovery codes.

Services for enrolment, verification at sign-in and an admin's reset. Views in
staff/views/mfa.py; the gate that keeps a half-signed-in person on these pages
is staff.middleware.SecondFactorRequiredMiddleware. Every outcome is reported
through staff.auth_events.report (ids only, never a code).
"""

from __future__ import annotations

import secrets

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device, ThrottlingMixin

from staff.auth_events import AuthEvent, report
from staff.models import (
    ChangedField,
    RecoveryCode,
    RecoveryCodeDevice,
    SealedTOTPDevice,
    User,
    normalise_recovery_code,
)

# Crockford-like: no 0/o, 1/l/i, so a code read aloud or copied by hand works.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_LENGTH = 10  # about 49 bits each


# Whose second factor this session passed (their id), next to django-otp's
# device id: staff.middleware.SessionVerifiedOTPMiddleware then trusts the
# session without reading the device on every request.
VERIFIED_USER_KEY = "staff:verified_user"


def _longest_counted_run(factor: int) -> int:
    """How many wrong codes in a row count towards the wait. django-otp waits
    factor × 2^(n-1) seconds after the n-th, without limit: someone who knows a
    colleague's password could grow it to days by entering a wrong code now and
    then. Counting at most this many keeps every wait within the sign-in
    cool-off (AXES_COOLOFF_TIME)."""
    limit = settings.AXES_COOLOFF_TIME.total_seconds()
    if factor <= 0:
        return 1  # throttling is off: nothing to bound
    n = 1
    while factor * 2**n <= limit:
        n += 1
    return n


def bound_throttling(device: Device) -> None:
    """Cap the device's count of wrong codes (see _longest_counted_run), before a
    code is checked. The wait still runs from the last counted wrong code, and a
    code typed during the wait is refused without being counted (django-otp), so
    wrong tries cannot stretch it: the person gets in once it has passed."""
    if not isinstance(device, ThrottlingMixin):
        return
    most = _longest_counted_run(device.get_throttle_factor())
    if device.throttling_failure_count > most:
        type(device)._default_manager.filter(pk=device.pk).update(
            throttling_failure_count=most
        )
        device.throttling_failure_count = most


def has_second_factor(user: User) -> bool:
    return SealedTOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_for_enrolment(*, user: User) -> SealedTOTPDevice:
    """The person's unconfirmed authenticator, made on first call and reused on
    reload (so the code already scanned keeps working). Raises ValidationError
    when they already have a confirmed one: only an admin's reset starts over."""
    if has_second_factor(user):
        raise ValidationError("A second factor is already set up.")
    device = SealedTOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = SealedTOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
    return device


def secret_in_groups(device: SealedTOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: SealedTOTPDevice) -> str:
    """The otpauth:// URI as an SVG QR code, drawn on the server (no script).
    The markup is made entirely by `qrcode` from the URI: no user text in it."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=10,
        border=2,
    )
    svg: str = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code to scan" ', 1)


def _new_codes() -> list[str]:
    return [
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
        for _ in range(settings.MFA_RECOVERY_CODES)
    ]


def shown_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Make a fresh set of recovery codes, voiding any old set. Returns the codes
    as shown to the person (once); only their hashes are stored."""
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(
        user=user, name="Recovery codes", confirmed=True
    )
    codes = _new_codes()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=make_password(code)) for code in codes
    )
    return [shown_code(code) for code in codes]


@transaction.atomic
def totp_enrol_confirm(
    *, request: HttpRequest, user: User, device: SealedTOTPDevice, token: str
) -> list[str]:
    """Confirm the authenticator with a code from it, mark this sign-in as
    verified and return new recovery codes. Raises ValidationError for a wrong
    code."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError("Start again: this set-up has expired.")
    bound_throttling(device)
    if not device.verify_token(token.strip()):
        report(AuthEvent.SECOND_FACTOR_FAILED, request=request, user_id=user.pk)
        raise ValidationError(
            "That code did not match. Check the time on your phone and try the "
            "newest code."
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_replace(user=user)
    _signed_in_with(request, device)
    report(AuthEvent.SECOND_FACTOR_ENROLLED, request=request, user_id=user.pk)
    return codes


def second_factor_verify(*, request: HttpRequest, user: User, token: str) -> Device:
    """Check a code from the authenticator app, or a recovery code, and mark this
    sign-in as verified. A recovery code works once. Raises ValidationError for a
    wrong code (with one message, whichever kind was typed)."""
    token = token.strip()
    digits = token.replace(" ", "")
    devices: list[Device] = []
    if digits.isdigit():
        devices += list(SealedTOTPDevice.objects.filter(user=user, confirmed=True))
    elif normalise_recovery_code(token):
        devices += list(RecoveryCodeDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        bound_throttling(device)
        verified = django_otp.verify_token(user, device.persistent_id, digits)
        if verified is not None:
            _signed_in_with(request, verified)
            event = (
                AuthEvent.RECOVERY_CODE_USED
                if isinstance(verified, RecoveryCodeDevice)
                else AuthEvent.SECOND_FACTOR_OK
            )
            report(event, request=request, user_id=user.pk)
            return verified
    report(AuthEvent.SECOND_FACTOR_FAILED, request=request, user_id=user.pk)
    raise ValidationError(
        "That code did not work. Try the newest code from your app, or a recovery "
        "code. After several wrong codes, each try waits a little longer."
    )


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


def _signed_in_with(request: HttpRequest, device: Device) -> None:
    """Record the verified device in the session, under a new session id (the
    privilege of the session changes here, as at the password step)."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[VERIFIED_USER_KEY] = device.user_id


@transaction.atomic
def second_factor_reset(*, staff: User, by: User) -> User:
    """An admin's reset, for a lost phone: the person's authenticator and recovery
    codes are removed and their sessions end; at their next sign-in they set up a
    new authenticator. Kept in the staff history and the audit trail. Raises
    ValidationError for one's own account or when nothing is set up."""
    from staff.services import _record, end_sessions

    staff = User.objects.select_for_update().get(pk=staff.pk)
    if staff.pk == by.pk:
        raise ValidationError("Ask another admin to reset your own second factor.")
    devices = SealedTOTPDevice.objects.filter(user=staff)
    if not devices.exists():
        raise ValidationError(f"{staff.name} has no second factor set up yet.")
    devices.delete()
    RecoveryCodeDevice.objects.filter(user=staff).delete()
    end_sessions(staff=staff)
    # Before and after: whether the person has a second factor set up.
    _record(
        staff=staff,
        by=by,
        field=ChangedField.SECOND_FACTOR,
        old="Set up",
        new="Reset",
        values=(True, False),
    )
    return staff
