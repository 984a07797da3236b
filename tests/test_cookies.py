"""The session and CSRF cookies carry the `__Host-` prefix (ASVS V3.3.1) where
the deployment allows it: Secure cookies (HTTPS), Path=/, no Domain. Plain http
(local development, `make bench`, the test client) keeps the plain names, which
a browser would otherwise refuse to store."""

from __future__ import annotations

from tests.test_deploy_check import PRODUCTION, _manage

SHOW = (
    "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, "
    "s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN, s.SESSION_COOKIE_PATH, "
    "s.CSRF_COOKIE_PATH)"
)


def _cookie_settings(**env: str) -> list[str]:
    result = _manage("shell", "--no-imports", "-c", SHOW, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_production_settings_give_host_prefixed_cookies() -> None:
    assert _cookie_settings(**PRODUCTION) == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "None",
        "None",
        "/",
        "/",
    ]


def test_plain_http_keeps_the_plain_names() -> None:
    bench = {
        **PRODUCTION,
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    assert _cookie_settings(**bench)[:2] == ["sessionid", "csrftoken"]
    assert _cookie_settings(DEBUG="true")[:2] == ["sessionid", "csrftoken"]
