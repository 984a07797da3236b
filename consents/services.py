"""Writes for notices, consents, revocations and the disclosure ledger
(issue #19). Each checks who may write, writes in one transaction and records
its audit event; PostgreSQL refuses what slips past (migrations 0001, 0002)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit import services as audit
from audit.models import Action
from clients.access import may_change_client
from clients.models import Client
from consents import selectors
from consents.models import (
    NON_CONSENT_KINDS,
    Consent,
    ConsentKind,
    ConsentRecipient,
    DeviceSignature,
    Discloser,
    Disclosure,
    DisclosureKind,
    Item,
    NoticeGiven,
    NoticeHow,
    Purpose,
    Revocation,
    RevokedHow,
    SignedHow,
)
from consents.package import package_contents, package_header
from goals.models import Goal
from hr_clinic.lib.form_tokens import create_once, same_values
from hr_clinic.lib.part2 import statement_for
from records.selectors import amendment_statements
from sessions.models import CounselingNote, TherapySession
from staff.models import User


def _check_may_change(by: User, client: Client) -> None:
    # The client's primary clinician only: a supervisor, and anyone reading
    # under an emergency-access grant, reads consents but never records them.
    if not may_change_client(by, client):
        raise PermissionDenied("Only the client's clinician records consent.")


@transaction.atomic
def notice_record(
    *,
    client: Client,
    by: User,
    given_on: dt.date,
    how: str,
    how_other: str = "",
    form_token: uuid.UUID | None = None,
) -> NoticeGiven:
    """Record that the §2.22 notice was given to `client` and talked through.
    A re-sent form (same token, same content) returns the record it made the
    first time; the same token with other content raises FormAlreadyUsed."""
    _check_may_change(by, client)
    if given_on > timezone.localdate():
        raise ValidationError("The notice cannot have been given in the future.")
    typed = {
        "given_on": given_on,
        "how": how,
        "how_other": how_other if how == NoticeHow.OTHER else "",
    }

    def create() -> NoticeGiven:
        notice = NoticeGiven(client=client, given_by=by, form_token=form_token, **typed)
        notice.full_clean()
        notice.save()
        audit.record(actor=by, action=Action.CREATE, obj=notice, client_id=client.pk)
        return notice

    notice, _ = create_once(
        earlier=NoticeGiven.objects.filter(client=client, given_by=by),
        token=form_token,
        same=lambda earlier: same_values(earlier, typed),
        create=create,
        already_used="This form already recorded that the notice was given, shown "
        "on the consent page. To record it again, check the details and press "
        "Record again.",
    )
    return notice


@dataclass(frozen=True)
class RecipientIn:
    name: str
    organisation: str = ""
    contact: str = ""


def _end_of(day: dt.date) -> dt.datetime:
    """The moment a consent dated to run until `day` ends: the start of the
    next day in the service's time zone (a consent covers the day it names)."""
    return timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    )


@transaction.atomic
def consent_create(
    *,
    client: Client,
    by: User,
    kind: str,
    items: Sequence[str],
    items_detail: str = "",
    recipients: Sequence[RecipientIn] = (),
    discloser: str = Discloser.PROGRAM,
    discloser_part: str = "",
    purpose: str = Purpose.AT_MY_REQUEST,
    purpose_other: str = "",
    expires_on: dt.date | None = None,
    expiry_event: str = "",
    signed_how: str,
    paper_signed_on: dt.date | None = None,
    form_token: uuid.UUID | None = None,
) -> Consent:
    """Record a consent with every element 42 CFR 2.31 requires. Signed on
    paper, it covers from now; to be signed on this device, it covers nothing
    until the client signs (`consent_sign_on_device`). A re-sent form (same
    token, same content, recipients included) returns the consent it took the
    first time; the same token with other content raises FormAlreadyUsed."""
    _check_may_change(by, client)
    errors: list[str] = []
    if kind == ConsentKind.COUNSELING_NOTES:
        items = [Item.COUNSELING_NOTES]
    elif Item.COUNSELING_NOTES in items:
        errors.append(
            "SUD counseling notes need a consent of their own: choose that kind "
            "of consent instead."
        )
    if not items:
        errors.append("Choose what may be shared.")
    if kind == ConsentKind.TPO:
        recipients = ()
    elif not recipients:
        errors.append("Name at least one person or organisation who may receive it.")
    if expires_on is None and not expiry_event.strip():
        errors.append("Say when this consent ends: a date, or an event or condition.")
    if expires_on is not None and expires_on < timezone.localdate():
        errors.append("The end date has already passed.")
    if signed_how == SignedHow.PAPER:
        if paper_signed_on is None:
            errors.append("Give the date the client signed the paper form.")
        elif paper_signed_on > timezone.localdate():
            errors.append("The signing date cannot be in the future.")
    else:
        paper_signed_on = None
    if errors:
        raise ValidationError(errors)
    typed = {
        "kind": kind,
        "discloser": discloser,
        "discloser_part": discloser_part if discloser == Discloser.PART else "",
        "items": list(dict.fromkeys(items)),
        "items_detail": items_detail,
        "purpose": purpose,
        "purpose_other": purpose_other if purpose == Purpose.OTHER else "",
        "expires_on": expires_on,
        "expiry_event": expiry_event.strip(),
        "signed_how": signed_how,
        "paper_signed_on": paper_signed_on,
    }
    named = [RecipientIn(r.name, r.organisation, r.contact) for r in recipients]

    def create() -> Consent:
        consent = Consent(
            client=client,
            expires_at=_end_of(expires_on) if expires_on else None,
            part2=settings.PART2_PROGRAM,
            recorded_by=by,
            form_token=form_token,
            **typed,
        )
        consent.full_clean()
        consent.save()
        for r in named:
            recipient = ConsentRecipient(
                consent=consent,
                name=r.name,
                organisation=r.organisation,
                contact=r.contact,
            )
            recipient.full_clean()
            recipient.save()
        audit.record(actor=by, action=Action.CREATE, obj=consent)
        return consent

    def same(earlier: Consent) -> bool:
        had = [
            RecipientIn(r.name, r.organisation, r.contact)
            for r in earlier.recipients.order_by("pk")
        ]
        return same_values(earlier, typed) and had == named

    consent, _ = create_once(
        earlier=Consent.objects.filter(client=client, recorded_by=by),
        token=form_token,
        same=same,
        create=create,
        already_used="This form already recorded a consent, shown on the consent "
        "page. To take this one as well, check it with the client and press "
        "Record the consent again.",
    )
    return consent


@transaction.atomic
def consent_sign_on_device(*, consent: Consent, by: User, typed_name: str) -> Consent:
    """The client signs `consent` on this device, typing their name; the
    date and time are the database's. `by` is the clinician whose session
    the device is in."""
    _check_may_change(by, consent.client)
    if consent.signed_how != SignedHow.DEVICE:
        raise ValidationError("This consent was signed on paper.")
    if DeviceSignature.objects.filter(consent=consent).exists():
        raise ValidationError("This consent is already signed.")
    if not typed_name.strip():
        raise ValidationError("Type your name to sign.")
    DeviceSignature.objects.create(consent=consent, typed_name=typed_name.strip())
    audit.record(actor=by, action=Action.SIGN, obj=consent)
    return consent


def _lock_revocations(consent: Consent) -> None:
    """Serialise revocations of `consent` until the transaction ends, so two
    copies of one form sent at once find each other instead of the unique
    constraint (an advisory lock: the app role may not lock the append-only
    row itself, which needs UPDATE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('consents_revocation'),"
            " hashtext(%s))",
            [str(consent.pk)],
        )


@transaction.atomic
def consent_revoke(
    *,
    consent: Consent,
    by: User,
    revoked_on: dt.date,
    how: str,
    recipient: ConsentRecipient | None = None,
) -> Revocation:
    """The client withdraws `consent` (or, with `recipient`, only for that
    recipient). It covers nothing of that from this moment. The same
    revocation sent again by the same person returns the one recorded; any
    other second revocation of the same is a ValidationError."""
    _check_may_change(by, consent.client)
    if recipient is not None and recipient.consent_id != consent.pk:
        raise ValidationError("That recipient is not on this consent.")
    if revoked_on > timezone.localdate():
        raise ValidationError("The date cannot be in the future.")
    if how not in RevokedHow.values:
        raise ValidationError("Choose how the client told us.")
    _lock_revocations(consent)
    done = Revocation.objects.filter(consent=consent)
    # The same revocation sent again (a double click, a re-sent form): the
    # unique constraints would refuse a second row, so the first is the answer.
    repeat = done.filter(
        recipient=recipient, revoked_on=revoked_on, how=how, recorded_by=by
    ).first()
    if repeat is not None:
        return repeat
    if done.filter(recipient__isnull=True).exists():
        raise ValidationError("This consent has already been revoked.")
    if recipient is not None and done.filter(recipient=recipient).exists():
        raise ValidationError("This consent is already revoked for that recipient.")
    revocation = Revocation(
        consent=consent,
        recipient=recipient,
        revoked_on=revoked_on,
        how=how,
        recorded_by=by,
    )
    revocation.full_clean()
    revocation.save()
    audit.record(
        actor=by,
        action=Action.REVOKE,
        obj=consent,
        detail={"recipient": recipient.pk} if recipient is not None else None,
    )
    return revocation


@transaction.atomic
def disclosure_record(
    *,
    client: Client,
    by: User,
    kind: str,
    recipient_name: str,
    scope: Sequence[str],
    item_ids: Sequence[Any] = (),
    consent: Consent | None = None,
    recipient: ConsentRecipient | None = None,
    recipient_facility: str = "",
    emergency_nature: str = "",
    court_order_reference: str = "",
    report_basis: str = "",
    occurred_at: dt.datetime | None = None,
    what_detail: str = "",
    package: dict[str, Any] | None = None,
    form_token: uuid.UUID | None = None,
) -> Disclosure:
    """Write one disclosure to the ledger and its `disclose` audit event.

    A consented one must name a consent that covers it now (the disclosure
    step offers only those, consents.selectors.covering); PostgreSQL checks
    it again by its own clock. A disclosure without consent is one Part 2
    allows (§2.51, §2.64, a report required by law) with its own facts."""
    _check_may_change(by, client)
    if kind == DisclosureKind.CONSENTED:
        if consent is None:
            raise ValidationError("Choose the consent this is shared under.")
    elif kind in NON_CONSENT_KINDS:
        consent, recipient = None, None
    else:
        raise ValidationError("That kind of disclosure is not offered.")
    disclosure = Disclosure(
        client=client,
        kind=kind,
        consent=consent,
        recipient=recipient,
        recipient_name=recipient_name,
        recipient_facility=recipient_facility,
        scope=list(dict.fromkeys(scope)),
        item_ids=[str(i) for i in item_ids],
        disclosed_by=by,
        emergency_nature=emergency_nature,
        court_order_reference=court_order_reference,
        report_basis=report_basis,
        occurred_at=occurred_at if kind in NON_CONSENT_KINDS else None,
        what_detail=what_detail,
        package=package or {},
        form_token=form_token,
    )
    disclosure.full_clean()
    disclosure.save()
    audit.record(
        actor=by,
        action=Action.DISCLOSE,
        obj=disclosure,
        detail={"kind": kind, "items": disclosure.item_ids},
    )
    return disclosure


@dataclass(frozen=True)
class Picked:
    """The records picked for a package (each already limited, by the form,
    to what the person may share)."""

    attendance: Sequence[TherapySession] = ()
    goals: Sequence[Goal] = ()
    notes: Sequence[TherapySession] = ()
    counseling_notes: Sequence[CounselingNote] = ()

    @property
    def scope(self) -> list[str]:
        kinds = (
            (Item.ATTENDANCE, self.attendance),
            (Item.GOALS, self.goals),
            (Item.SESSION_NOTES, self.notes),
            (Item.COUNSELING_NOTES, self.counseling_notes),
        )
        return [item for item, records in kinds if records]

    @property
    def ids(self) -> list[str]:
        return [
            str(record.pk)
            for records in (
                self.attendance,
                self.goals,
                self.notes,
                self.counseling_notes,
            )
            for record in records
        ]


@transaction.atomic
def share_records(
    *,
    client: Client,
    by: User,
    picked: Picked,
    consent: Consent | None = None,
    recipient: ConsentRecipient | None = None,
    recipient_name: str = "",
    recipient_facility: str = "",
    kind: str = DisclosureKind.CONSENTED,
    form_token: uuid.UUID | None = None,
    **facts: Any,
) -> Disclosure:
    """Share what `picked` holds of `client`: make the package (the §2.32
    statement, what was picked, worded as sent; consents.package) and write
    its ledger row and `disclose` event (`disclosure_record`).

    Under a consent it must cover every kind of record picked, for
    `recipient` (None: a TPO consent's designation), now; a consent revoked,
    expired or narrower since the form was shown is refused with a message
    and nothing is written. Without consent, `kind` is one Part 2 allows and
    `facts` its required facts (§2.51, §2.64, a required report). A re-sent
    form (same token, same records, same recipient) returns the row the first
    send wrote."""
    _check_may_change(by, client)
    scope = picked.scope
    if not scope:
        raise ValidationError("Choose at least one thing to share.")
    if kind == DisclosureKind.CONSENTED:
        if consent is None:
            raise ValidationError("Choose the consent this is shared under.")
        covering = selectors.covering(client, recipient, scope)
        if not covering.filter(pk=consent.pk).exists():
            raise ValidationError(
                "This consent does not cover that now: it may have been revoked "
                "or have ended, or not include everything chosen. Nothing was "
                "shared."
            )
        if recipient is not None:
            recipient_name = recipient.name
            recipient_facility = recipient.organisation
    elif Item.COUNSELING_NOTES in scope:
        raise ValidationError(
            "SUD counseling notes are shared only under a consent of their own."
        )
    package = {
        "header": package_header(client=client, recipient=recipient_name, by=by.name),
        "statement": statement_for(
            "full" if kind == DisclosureKind.CONSENTED else "label"
        ),
        "contents": package_contents(
            attendance=picked.attendance,
            goals=picked.goals,
            notes=picked.notes,
            counseling_notes=picked.counseling_notes,
            # Requests to change the record go with the parts they concern
            # (HIPAA §164.526(c)(3), (d)(4)).
            amendments=amendment_statements(client=client, user=by),
        ),
    }
    ids = picked.ids
    disclosure, _ = create_once(
        earlier=Disclosure.objects.filter(disclosed_by=by),
        token=form_token,
        same=lambda earlier: (
            earlier.client_id == client.pk
            and sorted(earlier.item_ids) == sorted(ids)
            and earlier.recipient_name == recipient_name
        ),
        create=lambda: disclosure_record(
            client=client,
            by=by,
            kind=kind,
            consent=consent,
            recipient=recipient,
            recipient_name=recipient_name,
            recipient_facility=recipient_facility,
            scope=scope,
            item_ids=ids,
            package=package,
            form_token=form_token,
            **facts,
        ),
        already_used="This form already shared records, shown in the ledger "
        "below. To share again, check what is chosen and press Share again.",
    )
    return disclosure
