"""The sign-in backend, with one thing about access read as the person is.

Django reads the signed-in person once per request (`get_user`, from the
session). This backend reads in the same query whether they hold an unexpired
emergency-access grant, by the database clock: most people never hold one, and
then `clients.access.visibility` and the record openers build no grant
conditions at all (they measured 2–5 ms a page, issue #18).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from staff.models import User


class StaffBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        from clients.models import EmergencyGrant

        grants = EmergencyGrant.objects.active().filter(grantee=OuterRef("pk"))
        try:
            user = User._default_manager.annotate(
                holds_emergency_grants=Exists(grants)
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
