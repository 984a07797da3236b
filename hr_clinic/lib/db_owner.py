"""Connecting as the owner of the tables, for the few commands that must.

The app connects as a role that owns nothing (settings.DATABASES); schema
changes and restores need the owner (settings.DATABASE_OWNER: what differs in
its connection, empty when one role does both). `as_owner()` swaps a
connection's credentials for the owner's while a command runs, on the same
database (a test database keeps its own name).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def as_owner(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within the block, `alias` connects as the owner role (nothing changes
    when no owner is configured)."""
    owner: dict[str, Any] = getattr(settings, "DATABASE_OWNER", {})
    if not owner:
        yield
        return
    conn = connections[alias]
    settings_dict = conn.settings_dict
    saved = {key: settings_dict.get(key) for key in owner}
    conn.close()
    for key, value in owner.items():
        settings_dict[key] = (
            {**settings_dict.get("OPTIONS", {}), **value} if key == "OPTIONS" else value
        )
    try:
        yield
    finally:
        conn.close()
        settings_dict.update(saved)
