"""Reads for consents and the ledger (issue #19). Each starts from what the
person may see (`visible_to`), except `covering`, which the disclosure step
calls for a client it has already opened."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    DurationField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Now

from clients.access import client_rows
from clients.models import Client
from consents.models import (
    Consent,
    ConsentKind,
    ConsentRecipient,
    Disclosure,
    DisclosureKind,
    Item,
    NoticeGiven,
    Revocation,
)
from goals.models import Goal, GoalRating
from hr_clinic.lib import sql
from sessions.models import Addendum, CounselingNote, TherapySession
from staff.models import User

# The record page's notice line, compiled once (clients.access.client_rows):
# building the ORM's query cost ten times what it takes to run (issue #25).
_NOTICE = sql.CompiledOnce()


def _notices(user: User, client_id: uuid.UUID) -> QuerySet[Any]:
    return (
        NoticeGiven.objects.visible_to(user)
        .filter(client_id=client_id)
        .order_by(*NoticeGiven._meta.ordering)
        .values_list("given_on")[:1]
    )


def notice_given_on(*, client: Client, user: User) -> dt.date | None:
    """The day the notice was last given to `client` (as `notice_latest`
    finds it), None if never: one query, compiled once per rule shape."""
    rows = client_rows(_NOTICE, "notice", user, client.pk, _notices)
    return rows[0][0] if rows else None


def notice_latest(*, client: Client, user: User) -> NoticeGiven | None:
    """The latest record that the notice was given to `client`."""
    return (
        NoticeGiven.objects.visible_to(user)
        .filter(client=client)
        .select_related("given_by")
        .first()
    )


def consent_list(*, client: Client, user: User) -> list[Consent]:
    """`client`'s consents, newest first, each marked `is_active` (by the
    database clock) with its recipients and revocations."""
    active = Consent.objects.active().filter(pk=OuterRef("pk"))
    return list(
        Consent.objects.visible_to(user)
        .filter(client=client)
        .annotate(is_active=Exists(active))
        .select_related("device_signature")
        .prefetch_related("recipients", _revocations())
    )


def _revocations() -> Prefetch[Any]:
    return Prefetch(
        "revocations", queryset=Revocation.objects.select_related("recipient")
    )


def consent_get(*, user: User, pk: object) -> QuerySet[Consent]:
    """The consent `pk` among those `user` may see, as a queryset (for
    audit.get_visible_or_404)."""
    active = Consent.objects.active().filter(pk=OuterRef("pk"))
    return (
        Consent.objects.visible_to(user)
        .filter(pk=pk)
        .annotate(is_active=Exists(active))
        .select_related("client", "recorded_by")
        .prefetch_related("recipients", _revocations())
    )


def recipients_open(consent: Consent, at: Any = None) -> QuerySet[ConsentRecipient]:
    """`consent`'s recipients not withdrawn by `at` (default: now)."""
    at = Now() if at is None else at
    withdrawn = Revocation.objects.filter(recipient=OuterRef("pk"), recorded_at__lte=at)
    return consent.recipients.exclude(Exists(withdrawn))


def _allows(items: set[str]) -> Q:
    """Consents whose scope includes every one of `items`: "everything in my
    record" covers all but counseling notes."""
    rule = Q()
    for item in items:
        if item in (Item.ATTENDANCE, Item.GOALS, Item.SESSION_NOTES):
            rule &= Q(items__contains=[item]) | Q(items__contains=[Item.EVERYTHING])
        else:
            rule &= Q(items__contains=[item])
    return rule


def covering(
    client: Client, recipient: ConsentRecipient | None, items: Iterable[str]
) -> QuerySet[Consent]:
    """The consents that cover disclosing `items` of `client` to `recipient`
    now (the database clock): active, allowing every item, and naming that
    recipient without withdrawing them, or, with `recipient=None`, TPO
    consents (their general designation). The disclosure step offers these
    only; the ledger's trigger refuses anything else."""
    consents = (
        Consent.objects.active().filter(client=client).filter(_allows(set(items)))
    )
    if recipient is None:
        return consents.filter(kind=ConsentKind.TPO)
    withdrawn = Revocation.objects.filter(
        consent=OuterRef("pk"), recipient=recipient, recorded_at__lte=Now()
    )
    return consents.filter(recipients=recipient).exclude(Exists(withdrawn))


def disclosure_list(*, client: Client, user: User) -> QuerySet[Disclosure]:
    """The ledger for `client`, newest first."""
    return (
        Disclosure.objects.visible_to(user)
        .filter(client=client)
        .select_related("disclosed_by")
    )


@dataclass(frozen=True)
class ShareOption:
    """One way to share now: an active consent and the recipient it names
    (None for a TPO consent's general designation)."""

    consent: Consent
    recipient: ConsentRecipient | None

    @property
    def key(self) -> str:
        return f"{self.consent.pk}:{self.recipient.pk if self.recipient else 'tpo'}"


def share_options(*, client: Client) -> list[ShareOption]:
    """Every (consent, recipient) `client`'s records may be shared under now,
    by the database clock: active consents, and of a named consent the
    recipients not withdrawn. The client was opened by the caller."""
    withdrawn = Revocation.objects.filter(
        recipient=OuterRef("pk"), recorded_at__lte=Now()
    )
    consents = (
        Consent.objects.active()
        .filter(client=client)
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=ConsentRecipient.objects.exclude(Exists(withdrawn)),
                to_attr="open_recipients",
            )
        )
    )
    options = []
    for consent in consents:
        if consent.kind == ConsentKind.TPO:
            options.append(ShareOption(consent, None))
        options += [ShareOption(consent, r) for r in consent.open_recipients]  # type: ignore[attr-defined]
    return options


def share_option(*, client: Client, key: str) -> ShareOption | None:
    """The option named `key` ("<consent>:<recipient>" or "<consent>:tpo"),
    if it is still open now."""
    return next((o for o in share_options(client=client) if o.key == key), None)


@dataclass(frozen=True)
class Shareable:
    """What of `client`'s record the person could put in a package."""

    sessions: QuerySet[TherapySession]
    notes: QuerySet[TherapySession]
    goals: QuerySet[Goal]
    counseling_notes: QuerySet[CounselingNote]


def shareable(*, client: Client, user: User) -> Shareable:
    """Sessions (for attendance: every session not discarded), signed notes,
    goals and the counseling notes `user` may read, of `client`, newest
    first, ready for consents.package."""
    sessions = (
        TherapySession.objects.visible_to(user)
        .filter(client=client)
        .not_discarded()
        .order_by("-started_at")
    )
    return Shareable(
        sessions=sessions,
        notes=sessions.signed()
        .select_related("clinician", "group_meeting__group")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=Addendum.objects.select_related("author").order_by(
                    "created_at"
                ),
            )
        ),
        goals=Goal.objects.visible_to(user)
        .filter(client=client)
        .order_by("-set_on", "-created_at")
        .prefetch_related(
            Prefetch("ratings", queryset=GoalRating.objects.order_by("rated_on", "pk"))
        ),
        counseling_notes=CounselingNote.objects.visible_to(user)
        .filter(client=client)
        .select_related("author")
        .order_by("-created_at"),
    )


# How far back the accounting reaches (42 CFR 2.25, HIPAA 164.528): six years
# of every disclosure, three for those made with a Part 2 consent. PostgreSQL
# intervals, so a window is calendar years on the database clock (leap days
# included), never a count of days on the app server's clock.
ACCOUNTING_YEARS = 6
ACCOUNTING_YEARS_PART2_CONSENTED = 3


@dataclass(frozen=True)
class AccountingEntry:
    """One disclosure as the accounting shows it: the ledger row, what was
    shared in the client's words (the scope's labels) and how many of the
    client's notes and goals its `item_ids` name."""

    disclosure: Disclosure
    what: list[str]
    notes: int
    goals: int


def _years_ago(years: int) -> Any:
    # Now() is statement_timestamp() on PostgreSQL: the same clock the
    # ledger's own rule reads.
    return Now() - Cast(Value(f"{years} years"), DurationField())


def disclosure_accounting(*, client: Client, user: User) -> list[AccountingEntry]:
    """The accounting of disclosures for `client` (42 CFR 2.25, HIPAA
    164.528), newest first: every ledger row `user` may see of the past
    ACCOUNTING_YEARS, except those made under a Part 2 consent
    (`consent.part2`), which reach back ACCOUNTING_YEARS_PART2_CONSENTED. The
    windows are judged by the database clock. Three queries whatever the
    number of rows: the ledger (with its consents and who shared), and the
    notes and goals its rows name, counted."""
    part2_consented = Q(kind=DisclosureKind.CONSENTED, consent__part2=True)
    rows = list(
        Disclosure.objects.visible_to(user)
        .filter(client=client)
        # When it was shared: a disclosure without consent may have been
        # made (by phone, in an emergency) before it was recorded.
        .annotate(shared_at=Coalesce("occurred_at", "disclosed_at"))
        .filter(
            ~part2_consented & Q(shared_at__gte=_years_ago(ACCOUNTING_YEARS))
            | part2_consented
            & Q(shared_at__gte=_years_ago(ACCOUNTING_YEARS_PART2_CONSENTED))
        )
        .select_related("consent", "disclosed_by")
        .order_by("-shared_at")
    )
    named = {str(i) for d in rows for i in d.item_ids}
    notes, goals = set(), set()
    if named:
        # Only to count what was sent: the ids stay within this client.
        notes = {
            str(pk)
            for pk in TherapySession.objects.visible_to(user)
            .filter(client=client, pk__in=named)
            .values_list("pk", flat=True)
        }
        goals = {
            str(pk)
            for pk in Goal.objects.visible_to(user)
            .filter(client=client, pk__in=named)
            .values_list("pk", flat=True)
        }
    return [
        AccountingEntry(
            disclosure=d,
            what=[Item(i).label for i in d.scope],
            notes=sum(1 for i in d.item_ids if str(i) in notes),
            goals=sum(1 for i in d.item_ids if str(i) in goals),
        )
        for d in rows
    ]
