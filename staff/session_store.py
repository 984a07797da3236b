"""SESSION_ENGINE: Django's cached database sessions, with each staff member's
list of where they are signed in (staff.SignedInSession) kept in step.

Sessions are read from a cache and written through to the database
(`cached_db`): the database row stays the record (it survives a restart and
the cache's eviction), and a signed-in page costs no session query
(issue #25, docs/performance.md). The cache must be one that every app
process shares (settings.CACHES["sessions"]: files on one machine, a shared
cache server for several; docs/deployment.md): a session that one process
ends must be gone for all of them, at once.

A session's key changes while the person stays signed in (the second factor,
a password change: `cycle_key`), and a session ends by `flush` (sign-out, the
idle and absolute time-outs) or by `end` (staff.services.end_sessions: every
session of a person, from an admin's page). All happen here, whichever code
asked for them, so the list never shows a session that has ended or loses one
that has not, and no cache keeps an ended session alive.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.backends.cached_db import (
    SessionStore as CachedDatabaseSessionStore,
)
from django.contrib.sessions.models import Session
from django.core.cache import caches

from staff.models import SignedInSession, session_key_hash

# When this session last refreshed its row in the list of signed-in sessions
# (a Unix time, in the session itself, so checking costs no query). Set at
# sign-in too, as the row is made: the first pages after it write nothing more.
SEEN_AT_KEY = "staff:seen_at"
SEEN_EVERY_SECONDS = 60


class SessionStore(CachedDatabaseSessionStore):
    def cycle_key(self) -> None:
        old = self.session_key
        super().cycle_key()
        new = self.session_key
        if old and new:
            SignedInSession.objects.filter(key_hash=session_key_hash(old)).update(
                key_hash=session_key_hash(new)
            )

    def flush(self) -> None:
        key = self.session_key
        super().flush()
        if key:
            SignedInSession.objects.filter(key_hash=session_key_hash(key)).delete()

    @classmethod
    def end(cls, keys: Iterable[str]) -> None:
        """End the sessions with these keys, in the database and in the cache
        (a bulk delete of the rows alone would leave each one readable from the
        cache until it expired). The caller keeps the signed-in list."""
        keys = list(keys)
        Session.objects.filter(pk__in=keys).delete()
        caches[settings.SESSION_CACHE_ALIAS].delete_many(
            [KEY_PREFIX + key for key in keys]
        )
