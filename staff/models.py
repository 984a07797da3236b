from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from hr_clinic.lib.sealed import Sealer, is_sealed, sealer
from hr_clinic.lib.urls import record_url


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Admin"


# django-otp's abstract Device gives its `user` key no related name; the stubs
# cannot name the reverse manager it adds here.


def person_name(
    display_name: str, first_name: str, last_name: str, username: str
) -> str:
    """How a staff member is named everywhere: the name they chose to be shown,
    else their full name, else their username. Also for rows read without a
    User object (the audit report, the team summary, search results)."""
    return display_name or f"{first_name} {last_name}".strip() or username


class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A staff member. Every staff member has exactly one role (docs/design.md,
    "People and roles")."""

    display_name = models.CharField(
        "name",
        max_length=150,
        blank=True,
        help_text="How the name appears on pages and under signatures.",
    )
    credentials = models.CharField(
        max_length=100,
        blank=True,
        help_text="Professional credentials shown under signatures, e.g. LPCC, LADC.",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisees",
        limit_choices_to={"role": Role.SUPERVISOR},
        error_messages={
            "invalid": "Choose a staff member with the supervisor role.",
        },
    )
    requires_cosign = models.BooleanField(
        "notes need co-signature",
        default=False,
        help_text="Signed notes by this person wait for a supervisor's co-signature.",
    )
    # The token of the form that added this account (hr_clinic.lib.form_tokens):
    # a double-clicked "Add the staff member" finds the account it made.
    form_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["display_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=F("pk")),
                name="staff_user_not_own_supervisor",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="staff_user_role_valid",
            ),
            # Admins see no clinical content: nobody supervises their notes.
            models.CheckConstraint(
                condition=~Q(role=Role.ADMIN)
                | Q(supervisor__isnull=True, requires_cosign=False),
                name="staff_user_admin_unsupervised",
            ),
            # A note that needs co-signature waits in the author's supervisor's
            # queue: without a supervisor it would wait in nobody's. That the
            # supervisor is an *active* supervisor spans two rows: a trigger
            # keeps it (migration cosign_needs_an_active_supervisor).
            models.CheckConstraint(
                condition=Q(requires_cosign=False) | Q(supervisor__isnull=False),
                name="staff_user_cosign_has_supervisor",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("staff:detail", self.pk)

    def clean(self) -> None:
        """Same-row rules. Rules across rows (supervision loops, the last admin, a
        supervisor with a team) live in staff.services."""
        super().clean()
        errors: dict[str, str] = {}
        if self.supervisor_id is not None and self.supervisor_id == self.pk:
            errors["supervisor"] = "Nobody can supervise themselves."
        if self.role == Role.ADMIN:
            if self.supervisor_id is not None:
                errors["supervisor"] = "An admin has no supervisor. Leave this empty."
            if self.requires_cosign:
                errors["requires_cosign"] = (
                    "An admin writes no notes, so nothing needs co-signature."
                )
        elif self.requires_cosign and self.supervisor_id is None:
            errors["supervisor"] = (
                "Notes that need co-signature wait for the author's supervisor. "
                "Choose an active supervisor, or untick co-signature."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        return person_name(
            self.display_name, self.first_name, self.last_name, self.username
        )

    @property
    def signature(self) -> str:
        """Name and credentials as printed under a signature."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def carries_caseload(self) -> bool:
        """Clinicians and supervisors hold clients; admins never see clinical data."""
        return self.role in (Role.CLINICIAN, Role.SUPERVISOR)


class ChangedField(models.TextChoices):
    ROLE = "role", "Role"
    SUPERVISOR = "supervisor", "Supervisor"
    REQUIRES_COSIGN = "requires_cosign", "Notes need co-signature"
    IS_ACTIVE = "is_active", "Account"
    SECOND_FACTOR = "second_factor", "Second factor"
    EMAIL = "email", "Email"
    DISPLAY_NAME = "display_name", "Name"
    # That a password was set, changed or reset, and how; never a password or link.
    PASSWORD = "password", "Password"


class StaffChange(models.Model):
    """A change to a staff member's role, supervisor, co-sign flag, active state,
    second factor, email, name or password: who changed it, when, and the values
    before and after (as shown on the page at the time; for a password only how
    it changed). Kept for the audit trail; never edited."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField(max_length=20, choices=ChangedField.choices)
    # As long as an email address may be (254).
    old_value = models.CharField(max_length=254, blank=True)
    new_value = models.CharField(max_length=254, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["staff", "-changed_at"], name="staffchange_staff_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=ChangedField.values),
                name="staffchange_field_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field} of staff {self.staff_id}"


# What a sealed TOTP secret is bound to: it opens only as this column.
TOTP_KEY_PURPOSE = b"otp_totp.totpdevice.key"


def totp_sealer() -> Sealer:
    """Seals with FIELD_ENCRYPTION_KEY; opens with it or an older key."""
    keys = (settings.FIELD_ENCRYPTION_KEY, *settings.FIELD_ENCRYPTION_OLD_KEYS)
    return sealer(keys, TOTP_KEY_PURPOSE)


class SealedTOTPDevice(TOTPDevice):
    """django-otp's authenticator device with its secret encrypted at rest.

    The table is django-otp's own (a proxy model: no column changes); its `key`
    column holds the secret sealed with FIELD_ENCRYPTION_KEY
    (hr_clinic/lib/sealed.py) instead of the hex key, and `bin_key`, which
    everything in django-otp uses (verification, the set-up QR code), opens it.
    Every device the project loads is this class: staff.mfa, and django-otp's
    middleware too, through the persistent id (`staff.sealedtotpdevice/<id>`)
    that signing in stores in the session. A secret still in hex (from before
    migration `seal_totp_secrets`) is read as it is and sealed when saved."""

    key: str  # django-otp's hex key column, here holding the sealed secret

    class Meta:
        proxy = True
        verbose_name = "TOTP device"

    @property
    def bin_key(self) -> bytes:
        if is_sealed(self.key):
            return totp_sealer().open(self.key)
        return super().bin_key  # type: ignore[no-any-return]

    def save(self, *args: object, **kwargs: object) -> None:
        if not is_sealed(self.key):
            self.key = totp_sealer().seal(super().bin_key)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "key"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """Single-use recovery codes: the second factor for a day without the
    authenticator app. Only hashes are kept (made with the first of
    PASSWORD_HASHERS, Argon2); the codes themselves are shown once, at
    enrolment. A code that works is deleted, so it works once."""

    class Meta(Device.Meta):
        verbose_name = "recovery codes"

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        typed = normalise_recovery_code(str(token))
        if typed:
            for code in self.codes.all():
                if check_password(typed, code.code_hash):
                    code.delete()
                    self.throttle_reset(commit=False)
                    self.save()
                    return True
        self.throttle_increment(commit=True)
        return False


def normalise_recovery_code(typed: str) -> str:
    """A recovery code as stored: lower case, without spaces or hyphens."""
    return "".join(ch for ch in typed.lower() if ch.isalnum())


class RecoveryCode(models.Model):
    device = models.ForeignKey(
        RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes"
    )
    code_hash = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"recovery code {self.pk} of device {self.device_id}"


def session_key_hash(session_key: str) -> str:
    """How a session key is kept outside the session table: its SHA-256. The raw
    key is a credential (whoever holds it is signed in), so a list of where
    someone is signed in, or a copy of this table, must not hold it."""
    return hashlib.sha256(session_key.encode()).hexdigest()


class SignedInSession(models.Model):
    """One place a staff member is signed in, for their "My signed-in sessions"
    page: made at sign-in, re-keyed when the session key changes (the second
    factor, a password change), its last use refreshed at most once a minute,
    removed at sign-out, time-out or when ended. The session itself stays in
    Django's session table; this row holds only a hash of its key."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signed_in_sessions",
    )
    key_hash = models.CharField(max_length=64, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-last_seen_at"], name="signedin_user_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"),
                name="signedin_key_is_a_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"signed-in session {self.pk} of staff {self.user_id}"
