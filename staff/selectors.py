"""Reads of staff accounts for the admin pages. Admins only: the views check."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from staff.models import Role, User

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
