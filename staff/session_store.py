"""SESSION_ENGINE: Django's database sessions, with each staff member's list of
where they are signed in (staff.SignedInSession) kept in step.

A session's key changes while the person stays signed in (the second factor,
a password change: `cycle_key`), and a session ends by `flush` (sign-out, the
idle and absolute time-outs). Both happen here, whichever code asked for them,
so the list never shows a session that has ended or loses one that has not.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from staff.models import SignedInSession, session_key_hash

# When this session last refreshed its row in the list of signed-in sessions
# (a Unix time, in the session itself, so checking costs no query). Set at
# sign-in too, as the row is made: the first pages after it write nothing more.
SEEN_AT_KEY = "staff:seen_at"
SEEN_EVERY_SECONDS = 60


class SessionStore(DatabaseSessionStore):
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
