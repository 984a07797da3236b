"""Reads of staff accounts: the admin pages' lists (admins only: the views check),
and the staff named on clinical records (people_attach)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import BinaryField, CharField, F, Func, Model, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from staff.models import Role, SignedInSession, User

ACTIVE_FILTERS = {
    "active": Q(is_active=True),
    "deactivated": Q(is_active=False),
    "all": Q(),
}


def staff_list(
    *, role: str = "", active: str = "active", search: str = ""
) -> QuerySet[User]:
    """Staff accounts, filtered by role (a Role value; anything else means every
    role), by active state (a key of ACTIVE_FILTERS; unknown means active) and by
    a search over name, username and email. The supervisor comes in the same
    query, so the list costs the same for 3 staff or 300."""
    qs = User.objects.select_related("supervisor").filter(
        ACTIVE_FILTERS.get(active, ACTIVE_FILTERS["active"])
    )
    if role in Role.values:
        qs = qs.filter(role=role)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(display_name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(username__icontains=search)
            | Q(email__icontains=search)
        )
    return qs.order_by("display_name", "username", "pk")


def people_attach(user: User, links: Iterable[tuple[Model, str]]) -> None:
    """Set the staff foreign keys `links` ((object, field name) pairs, e.g. a
    note's author) to their User objects. Most often that person is `user`, the
    one reading (their own client, their own notes): they cost no join and no
    query. Anyone else is read in one query for all links.

    Instead of select_related() on the staff table, once or twice per row:
    joining it cost about 0.5 ms of Python and 0.3 ms of query planning per
    join on the note and client pages."""
    links = list(links)
    people: dict[int, User] = {user.pk: user}
    wanted = {getattr(obj, f"{field}_id") for obj, field in links} - people.keys()
    wanted.discard(None)
    if wanted:
        people.update(User.objects.in_bulk(wanted))
    for obj, field in links:
        pk = getattr(obj, f"{field}_id")
        if pk is not None:
            setattr(obj, field, people[pk])


@dataclass(frozen=True)
class Departure:
    """What a deactivation leaves behind, as its confirmation page shows it to an
    admin: the open clients (chosen name and status only), how many of the
    person's notes are unfinished (counts, never content), and whom they
    supervise."""

    clients: list[Any]
    drafts: int
    waiting: int
    returned: int
    team: list[User]

    @property
    def team_needing_cosign(self) -> list[User]:
        return [person for person in self.team if person.requires_cosign]


def departure_summary(*, staff: User, by: User) -> Departure:
    """What deactivating `staff` leaves behind, for the admin `by`. The clients
    come through Client.objects.reassignable_by(by) (an admin's reassignment
    scope: chosen name and status only); the notes are counted by author,
    never read, as the admin sees no clinical content."""
    from clients.access import team
    from clients.models import Client

    clients = list(
        Client.objects.reassignable_by(by)
        .filter(clinician=staff)
        .open()
        .only("id", "chosen_name", "status")
        .order_by("chosen_name", "id")
    )
    supervisees = list(team(staff, inactive=False).order_by("display_name"))
    return Departure(clients=clients, team=supervisees, **unfinished_note_counts(staff))


def unfinished_note_counts(staff: User) -> dict[str, int]:
    """How many of `staff`'s own notes are unfinished: open `drafts`, `waiting`
    for co-signature, `returned` with comments. Counted by author, never read:
    for an admin's pages, which show no clinical content."""
    from sessions.models import OPEN_DRAFT, ReviewStatus, TherapySession

    return TherapySession.objects.filter(clinician=staff).aggregate(
        drafts=models.Count("pk", filter=OPEN_DRAFT),
        waiting=models.Count("pk", filter=Q(review_status=ReviewStatus.WAITING)),
        returned=models.Count("pk", filter=Q(review_status=ReviewStatus.RETURNED)),
    )


# The list's last use is refreshed at most this often (staff.middleware); a
# session unused for the idle limit plus this long has certainly timed out.
SEEN_RESOLUTION = timedelta(minutes=1)


def live_key_hashes() -> QuerySet[Any, dict[str, Any]]:
    """The SHA-256 of every unexpired session key, computed by PostgreSQL (its
    built-in sha256(), no extension): a subquery, so no raw key leaves the
    session table. Same hash as staff.models.session_key_hash."""
    hashed = Func(
        Func(
            Cast(F("session_key"), output_field=BinaryField()),
            function="sha256",
            output_field=BinaryField(),
        ),
        Value("hex"),
        function="encode",
        output_field=CharField(),
    )
    return (
        Session.objects.filter(expire_date__gt=timezone.now())
        .annotate(key_hash=hashed)
        .values("key_hash")
    )


def signed_in_session_list(*, user: User) -> QuerySet[SignedInSession]:
    """`user`'s own signed-in sessions, most recently used first: only those
    whose session still exists and has not passed the idle limit (it would be
    signed out on its next request), so the list shows where they really are
    signed in. Nobody else's, whatever the role."""
    idle = timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES) + SEEN_RESOLUTION
    now = timezone.now()
    return SignedInSession.objects.filter(
        user=user,
        key_hash__in=live_key_hashes(),
        last_seen_at__gt=now - idle,
        created_at__gt=now - timedelta(seconds=settings.SESSION_COOKIE_AGE),
    )
