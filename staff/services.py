"""Writes to staff accounts. An admin's changes take the acting admin as `by`; the
views let only admins reach them. A person's own password and signed-in sessions
(staff_password_set, signed_in_session_*) take only that person. Rule violations
raise ValidationError, keyed by form field where one field is to blame, so a view
can put them on its form."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit import services as audit
from audit.models import Action
from hr_clinic.lib.form_tokens import create_once, same_values
from staff.models import (
    ChangedField,
    Role,
    SignedInSession,
    StaffChange,
    User,
    session_key_hash,
)
from staff.session_store import SessionStore
from staff.tokens import password_link_token

TRACKED = {
    ChangedField.ROLE: "role",
    ChangedField.SUPERVISOR: "supervisor",
    ChangedField.REQUIRES_COSIGN: "requires_cosign",
    ChangedField.EMAIL: "email",
    ChangedField.DISPLAY_NAME: "display_name",
}
# How a password changed, as the staff history shows it: never the password,
# never the link.
PASSWORD_RESET = "Reset by an admin"
PASSWORD_CHANGED = "Changed by them"
PASSWORD_SET_BY_LINK = "Set through a one-time link"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def _shown(staff: User, field: str) -> str:
    """A tracked field's value as the staff page shows it, for the history."""
    if field == ChangedField.ROLE:
        return staff.get_role_display()
    if field == ChangedField.SUPERVISOR:
        return staff.supervisor.name if staff.supervisor else "None"
    if field == ChangedField.REQUIRES_COSIGN:
        return "Yes" if staff.requires_cosign else "No"
    if field in (ChangedField.EMAIL, ChangedField.DISPLAY_NAME):
        return str(getattr(staff, field)) or "None"
    return "Active" if staff.is_active else "Deactivated"


def _value(staff: User, field: str) -> str | int | bool | None:
    """A tracked field's value as the audit trail keeps it: a role's code, the
    supervisor's staff id, a boolean; never a name (docs/design.md, rule 7)."""
    if field == ChangedField.ROLE:
        return staff.role
    if field == ChangedField.SUPERVISOR:
        return staff.supervisor_id
    if field == ChangedField.REQUIRES_COSIGN:
        return staff.requires_cosign
    return staff.is_active


def _record(
    *,
    staff: User,
    by: User,
    field: str,
    old: str,
    new: str,
    values: tuple[str | int | bool | None, str | int | bool | None] | None = None,
) -> None:
    """Keep one change of a staff account, whoever makes it (an admin, or the
    person changing their own password): a StaffChange row (`old` and `new` as
    the staff page shows them, names included) and an audit event. For a
    privilege change `values` gives its before and after as ids, codes and
    booleans; without them (a password, an email or a name: nothing the trail
    may hold) the event says only which field changed."""
    StaffChange.objects.create(
        staff=staff, changed_by=by, field=field, old_value=old, new_value=new
    )
    audit.record(
        actor=by,
        action=Action.STAFF_CHANGE,
        object_type=f"staff.{field}",
        object_id=str(staff.pk),
        detail=None if values is None else {"before": values[0], "after": values[1]},
    )


def _set_active(staff: User, *, by: User, active: bool) -> None:
    """Save `staff`'s new is_active and record the change in the staff history
    and the audit trail."""
    labels = {True: "Active", False: "Deactivated"}
    staff.is_active = active
    staff.save(update_fields=["is_active"])
    _record(
        staff=staff,
        by=by,
        field=ChangedField.IS_ACTIVE,
        old=labels[not active],
        new=labels[active],
        values=(not active, active),
    )


def _active_admin_ids() -> list[int]:
    """Lock and list the active admins, so two admins demoting or deactivating each
    other at the same moment cannot leave the service with none."""
    return list(
        User.objects.select_for_update()
        .filter(role=Role.ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )


def _makes_loop(*, staff_pk: int | None, supervisor: User) -> bool:
    """Would `supervisor` supervising `staff_pk` close a loop (A supervises B
    supervises … A)? Walks up the supervision line from `supervisor`. The
    supervisor rows are locked first so two concurrent edits cannot each make
    half of a loop."""
    if staff_pk is None:
        return False
    list(User.objects.select_for_update().filter(role=Role.SUPERVISOR).values("pk"))
    line = dict(User.objects.values_list("pk", "supervisor_id"))
    current: int | None = supervisor.pk
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == staff_pk:
            return True
        seen.add(current)
        current = line.get(current)
    return False


def _check_supervisor(*, staff: User, original: User | None) -> None:
    """The supervisor rules that need other rows: an active supervisor (always,
    for someone whose notes need co-signature), no loop. The model's own rules
    (the supervisor role, not themselves, admins unsupervised, a supervisor for
    co-signature) come from full_clean(), which runs first."""
    supervisor = staff.supervisor
    if supervisor is None or supervisor.pk == staff.pk:
        return
    changed = original is None or original.supervisor_id != supervisor.pk
    if staff.requires_cosign and not supervisor.is_active:
        raise ValidationError(
            {
                "supervisor": f"{supervisor.name} is deactivated, and notes that "
                "need co-signature would wait for nobody. Choose an active "
                "supervisor."
            }
        )
    if changed and not supervisor.is_active:
        raise ValidationError(
            {"supervisor": f"{supervisor.name} is deactivated. Choose someone else."}
        )
    if _makes_loop(staff_pk=staff.pk, supervisor=supervisor):
        raise ValidationError(
            {
                "supervisor": f"{supervisor.name} is already supervised, directly "
                f"or further up the line, by {staff.name}. Nobody can be in their "
                "own supervision line."
            }
        )


def _check_role_change(*, staff: User, original: User, by: User) -> None:
    """A role change must leave no supervisee without a supervisor, no client with
    an admin as clinician, and at least one active admin."""
    if staff.role == original.role:
        return
    if staff.pk == by.pk:
        raise ValidationError({"role": "Ask another admin to change your own role."})
    if original.role == Role.SUPERVISOR:
        team = original.supervisees.count()
        if team:
            raise ValidationError(
                {
                    "role": f"{original.name} still supervises "
                    f"{_plural(team, 'staff member')}. Give them another "
                    "supervisor first."
                }
            )
    if staff.role == Role.ADMIN:
        clients = original.caseload.count()
        if clients:
            raise ValidationError(
                {
                    "role": f"{original.name} is still the primary clinician for "
                    f"{_plural(clients, 'client')}. Move their caseload first: "
                    "admins hold no caseload."
                }
            )
    if original.role == Role.ADMIN and _active_admin_ids() == [staff.pk]:
        raise ValidationError(
            {"role": f"{original.name} is the last active admin and stays an admin."}
        )


def end_sessions(
    *, staff: User, keep_key: str | None = None, key_hashes: set[str] | None = None
) -> int:
    """Sign `staff` out: delete their stored sessions (the rows and their
    cached copies, staff.session_store), everywhere at once, or all but the one
    whose key is `keep_key` (the browser asking), or only those whose key hashes
    to one of `key_hashes` (staff.SignedInSession). Their rows in the list of
    signed-in sessions go too. Returns how many sessions ended. A browser
    whose session ended is signed out on its next request.

    Django already refuses a deactivated account on its next request (the auth
    backend reloads the account each time); deleting the rows as well means a
    later reactivation cannot bring an old session back. Sessions are scanned
    and decoded: the session table holds no user column, and a service has a
    few hundred live sessions at most. Decoding, rather than trusting the list,
    also ends sessions made before the list existed.
    """
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get(SESSION_KEY) == str(staff.pk)
        and session.pk != keep_key
        and (key_hashes is None or session_key_hash(session.pk) in key_hashes)
    ]
    SessionStore.end(mine)
    listed = SignedInSession.objects.filter(user=staff)
    if key_hashes is not None:
        listed = listed.filter(key_hash__in=key_hashes)
    if keep_key is not None:
        listed = listed.exclude(key_hash=session_key_hash(keep_key))
    listed.delete()
    return len(mine)


def signed_in_session_start(
    *, user: User, session_key: str, user_agent: str, address: str | None
) -> SignedInSession:
    """List a new sign-in (called as the password step succeeds). Also drops the
    person's rows whose session is gone without a sign-out (expired, cleared),
    so the list stays as long as their real sessions."""
    from staff.selectors import live_key_hashes

    SignedInSession.objects.filter(user=user).exclude(
        key_hash__in=live_key_hashes()
    ).delete()
    row, _ = SignedInSession.objects.update_or_create(
        key_hash=session_key_hash(session_key),
        defaults={
            "user": user,
            "user_agent": user_agent[:300],
            "address": address or None,
        },
    )
    return row


def signed_in_session_seen(
    *, user: User, session_key: str, user_agent: str, address: str | None
) -> None:
    """Note that this session was just used, from where. Listed here if it was
    not (a session from before the list existed)."""
    now = timezone.now()
    fields = {"user_agent": user_agent[:300], "address": address or None}
    updated = SignedInSession.objects.filter(
        user=user, key_hash=session_key_hash(session_key)
    ).update(last_seen_at=now, **fields)
    if not updated:
        SignedInSession.objects.get_or_create(
            key_hash=session_key_hash(session_key),
            defaults={"user": user, "created_at": now, "last_seen_at": now, **fields},
        )


@transaction.atomic
def signed_in_session_end(*, user: User, session: SignedInSession) -> int:
    """End one of `user`'s own sessions (another browser or device): it is signed
    out on its next request. Audited as a sign-out of that session. Returns how
    many sessions ended (0 when it had already ended by itself)."""
    if session.user_id != user.pk:
        raise ValidationError("That session is not yours to end.")
    ended = end_sessions(staff=user, key_hashes={session.key_hash})
    audit.record(
        actor=user,
        action=Action.SIGN_OUT,
        object_type="staff.session",
        object_id=str(session.pk),
    )
    return ended


@transaction.atomic
def signed_in_sessions_end_others(*, user: User, keep_key: str) -> int:
    """End every session of `user` but the one whose key is `keep_key` (this
    browser). Audited, with how many ended. Returns that number."""
    ended = end_sessions(staff=user, keep_key=keep_key)
    audit.record(
        actor=user,
        action=Action.SIGN_OUT,
        object_type="staff.session",
        object_id="others",
        result_count=ended,
    )
    return ended


@transaction.atomic
def staff_password_set(
    *,
    staff: User,
    password: str,
    keep_key: str | None = None,
    through_link: bool = False,
) -> User:
    """Save `staff`'s own new password, already checked by the form (the current
    password, or a one-time link; AUTH_PASSWORD_VALIDATORS), and end every other
    session of theirs: a password is often changed because someone else may
    know it. `keep_key` is the session that stays signed in (the caller then
    calls update_session_auth_hash). Kept in the staff history and the audit
    trail as that it changed, never the password."""
    staff = User.objects.select_for_update().get(pk=staff.pk)
    staff.set_password(password)
    staff.save(update_fields=["password"])
    end_sessions(staff=staff, keep_key=keep_key)
    _record(
        staff=staff,
        by=staff,
        field=ChangedField.PASSWORD,
        old="",
        new=PASSWORD_SET_BY_LINK if through_link else PASSWORD_CHANGED,
    )
    return staff


@transaction.atomic
def staff_create(
    *,
    by: User,
    username: str,
    email: str,
    display_name: str,
    credentials: str,
    role: str,
    supervisor: User | None,
    requires_cosign: bool,
    form_token: uuid.UUID | None = None,
) -> tuple[User, bool]:
    """Create a staff account with no usable password: the person sets their own
    through a one-time link (password_link_path). Returns (account, created): a
    re-sent form (same token, same details) returns the account it made the
    first time, with created False, so the link is not sent twice; the same
    token with other details raises FormAlreadyUsed. Raises ValidationError for
    a taken username or a broken supervision rule."""
    given = {
        "username": username,
        "email": email,
        "display_name": display_name,
        "credentials": credentials,
        "role": role,
        "requires_cosign": requires_cosign,
    }
    typed = {**given, "supervisor_id": supervisor.pk if supervisor else None}

    def create() -> User:
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": "That username is already taken."})
        staff = User(supervisor=supervisor, form_token=form_token, **given)
        staff.set_unusable_password()
        staff.full_clean()
        _check_supervisor(staff=staff, original=None)
        staff.save()
        audit.record(actor=by, action=Action.CREATE, obj=staff)
        return staff

    return create_once(
        earlier=User.objects.all(),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already added a staff member, shown in the staff "
        "list. To add this person as well, check the details and press Add the "
        "staff member again.",
    )


@transaction.atomic
def staff_update(
    *,
    staff: User,
    by: User,
    email: str,
    display_name: str,
    credentials: str,
    role: str,
    supervisor: User | None,
    requires_cosign: bool,
) -> User:
    """Change a staff member's details, role, supervisor and co-sign flag, keeping
    a StaffChange row and an audit event for each change of role, supervisor,
    co-sign flag, email or name.

    Raises ValidationError (keyed by field) when: the supervisor is not an active
    supervisor, is the person themselves or is below them in the supervision
    line; someone whose notes need co-signature would have no supervisor, or a
    deactivated one; an admin would have a supervisor or a co-sign flag; a
    supervisor with supervisees, or a clinician with clients, would lose the
    role; the last active admin would stop being one; an admin would change
    their own role.
    """
    original = User.objects.select_for_update().get(pk=staff.pk)
    staff = User.objects.get(pk=staff.pk)
    staff.email = email
    staff.display_name = display_name
    staff.credentials = credentials
    staff.role = role
    staff.supervisor = supervisor
    staff.requires_cosign = requires_cosign
    staff.full_clean()
    _check_supervisor(staff=staff, original=original)
    _check_role_change(staff=staff, original=original, by=by)
    staff.save()
    for field in TRACKED:
        old, new = _shown(original, field), _shown(staff, field)
        before, after = _value(original, field), _value(staff, field)
        if old != new or before != after:
            _record(
                staff=staff,
                by=by,
                field=field,
                old=old,
                new=new,
                values=(before, after),
            )
    return staff


def _hand_over_team(*, staff: User, to: User, by: User) -> None:
    """Make `to` the supervisor of everyone `staff` supervises (deactivated
    people too: their unfinished notes then wait on `to`), with a StaffChange
    row each. Raises ValidationError (on new_supervisor) when `to` is not an
    active supervisor, is `staff`, or is supervised by one of them."""
    if to.pk == staff.pk or not to.is_active or to.role != Role.SUPERVISOR:
        raise ValidationError(
            {
                "new_supervisor": "Choose another active staff member with the "
                "supervisor role."
            }
        )
    for person in User.objects.select_for_update().filter(supervisor=staff):
        if _makes_loop(staff_pk=person.pk, supervisor=to):
            raise ValidationError(
                {
                    "new_supervisor": f"{to.name} is supervised, directly or "
                    f"further up the line, by {person.name}. Choose someone else."
                }
            )
        person.supervisor = to
        person.save(update_fields=["supervisor"])
        _record(
            staff=person,
            by=by,
            field=ChangedField.SUPERVISOR,
            old=staff.name,
            new=to.name,
            values=(staff.pk, to.pk),
        )


@transaction.atomic
def staff_deactivate(
    *, staff: User, by: User, new_supervisor: User | None = None
) -> User:
    """Deactivate (never delete) a staff member: they cannot sign in, and their
    open sessions end at once. Their clients keep them as primary clinician until
    moved (they appear on the "needs a new clinician" list); their unfinished
    notes stay theirs, on their supervisor's team dashboard, to co-sign or hand
    on. Someone they supervise moves to `new_supervisor` when one is given.

    Raises ValidationError for one's own account, the last active admin, an
    account already deactivated, a supervisor of anyone whose notes need
    co-signature when no `new_supervisor` is given (those notes would wait in
    nobody's queue), or a `new_supervisor` _hand_over_team refuses."""
    staff = User.objects.select_for_update().get(pk=staff.pk)
    if staff.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if not staff.is_active:
        raise ValidationError(f"{staff.name} is already deactivated.")
    if staff.role == Role.ADMIN and _active_admin_ids() == [staff.pk]:
        raise ValidationError(
            f"{staff.name} is the last active admin and cannot be deactivated."
        )
    if new_supervisor is not None:
        _hand_over_team(staff=staff, to=new_supervisor, by=by)
    else:
        # Deactivated people count too: their waiting notes need a queue.
        needing = staff.supervisees.filter(requires_cosign=True)
        if needing.exists():
            raise ValidationError(
                {
                    "new_supervisor": f"{staff.name} supervises "
                    f"{_people(needing.count())} whose notes need "
                    "co-signature. Choose who supervises them from now on."
                }
            )
    _set_active(staff, by=by, active=False)
    end_sessions(staff=staff)
    return staff


@transaction.atomic
def staff_reactivate(*, staff: User, by: User) -> User:
    """Let a deactivated staff member sign in again with their existing password.
    Raises ValidationError when the account is already active."""
    staff = User.objects.select_for_update().get(pk=staff.pk)
    if staff.is_active:
        raise ValidationError(f"{staff.name} is already active.")
    _set_active(staff, by=by, active=True)
    return staff


@transaction.atomic
def staff_password_reset(*, staff: User, by: User) -> User:
    """Start a password reset: the old password stops working now and every open
    session ends (a reset is often because the password may be known to someone
    else). The person sets a new one through a one-time link (password_link_path);
    any older link stops working too. Raises ValidationError for one's own account
    (the link would be shown in a session that has just ended) or a deactivated
    one."""
    staff = User.objects.select_for_update().get(pk=staff.pk)
    if staff.pk == by.pk:
        raise ValidationError("Ask another admin to reset your own password.")
    if not staff.is_active:
        raise ValidationError(f"Reactivate {staff.name} before resetting a password.")
    staff.set_unusable_password()
    staff.save(update_fields=["password"])
    end_sessions(staff=staff)
    _record(staff=staff, by=by, field=ChangedField.PASSWORD, old="", new=PASSWORD_RESET)
    return staff


def password_link_path(*, staff: User) -> str:
    """The path of a one-time "set your password" link for `staff`. It works until
    the password is set (or reset again) and for PASSWORD_LINK_DAYS at most."""
    return reverse(
        "set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(staff.pk)),
            "token": password_link_token.make_token(staff),
        },
    )


def password_link_email(*, staff: User, url: str) -> None:
    """Email the one-time link to `staff`. Raises what the mail backend raises
    (smtplib.SMTPException, OSError) when sending fails."""
    context = {"staff": staff, "url": url, "days": settings.PASSWORD_LINK_DAYS}
    send_mail(
        subject="Set your hr_clinic password",
        message=render_to_string("staff/password_link_email.txt", context),
        from_email=None,
        recipient_list=[staff.email],
    )
