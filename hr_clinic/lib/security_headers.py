"""Response headers Django's SecurityMiddleware does not set (it already sends
nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and, with DEBUG off, HSTS).

- Content-Security-Policy: only this origin's own files; no inline script or
  style, no eval, no framing, no plugins. Templates therefore never carry
  <script> bodies, on* handlers or style="" attributes (tests check the pages).
- Permissions-Policy: no camera, microphone, location or other device access.
- Cache-Control: no-store on every page Django renders. Pages show clinical
  records, and a shared workstation's back button or disk cache must not bring
  one back after sign-out. Static files (WhiteNoise, earlier in the chain) keep
  their long caching: they hold no clinical data.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ]
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        add_never_cache_headers(response)
        return response
