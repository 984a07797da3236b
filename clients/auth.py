"""The sign-in backend, with two things about access read as the person is.

Django reads the signed-in person once per request (`get_user`, from the
session). This backend reads in the same query whether they hold an unexpired
emergency-access grant, by the database clock, and whether they facilitate a
group: most people do neither, and then `clients.access.visibility`, the
record openers and the notes' visibility build no grant or group conditions at
all (the grant conditions measured 2–5 ms a page, issue #18; the group one is
an OR on every note query, issue #24). The query is compiled once per
process (hr_clinic.lib.sql.CompiledOnce): building and compiling it cost
3,000 of the 21,000 Python calls of a caseload request, for a query that runs
in under a millisecond (issue #25).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet

from clients.access import STAND_IN_ID
from hr_clinic.lib.sql import CompiledOnce
from staff.models import User

_PERSON = CompiledOnce()


def _person() -> QuerySet[User]:
    """The signed-in person (STAND_IN_ID), with the two things about access."""
    from clients.models import EmergencyGrant
    from groups.models import Group

    grants = EmergencyGrant.objects.active().filter(grantee=OuterRef("pk"))
    groups = Group.facilitators.through.objects.filter(user=OuterRef("pk"))
    return User._default_manager.annotate(
        holds_emergency_grants=Exists(grants),
        facilitates_groups=Exists(groups),
    ).filter(pk=STAND_IN_ID)


class StaffBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        found = _PERSON.objects("person", _person, {STAND_IN_ID: user_id})
        if not found:
            return None
        user: User = found[0]
        return user if self.user_can_authenticate(user) else None
