"""Django set up in this process for the scripts under bench/ that time or
drive pages without a server (render_pages.py, autosave_hot.py): production
settings (DEBUG off) served over plain HTTP, quiet logs."""

from __future__ import annotations

import os

import django

_PLAIN_HTTP = {
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "LOG_LEVEL": "WARNING",
}


def setup(settings_module: str) -> None:
    """Set up Django under `settings_module` unless DJANGO_SETTINGS_MODULE
    says otherwise; the environment's own values win over the defaults."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    for name, value in _PLAIN_HTTP.items():
        os.environ.setdefault(name, value)
    django.setup()
