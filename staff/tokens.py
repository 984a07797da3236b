"""The one-time "set your password" link token.

Django's reset token, with its own salt so a link made here is never valid for
any other password flow. It is stateless and still works only once: it signs the
password hash, which changes when the password is set (and when an admin starts a
new reset, which makes any older link void). It expires after
settings.PASSWORD_RESET_TIMEOUT (PASSWORD_LINK_DAYS).
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class PasswordLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "staff.tokens.PasswordLinkTokenGenerator"


password_link_token = PasswordLinkTokenGenerator()
