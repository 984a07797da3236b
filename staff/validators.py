"""Password rules of our own, in AUTH_PASSWORD_VALIDATORS, so they apply wherever
Django checks a new password (the one-time link, "Change my password",
`manage.py changepassword`)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

# Shorter pieces ("Al", "Jo") are too common inside unrelated words to refuse.
MIN_PART_LENGTH = 3


def _parts(user: Any) -> set[str]:
    """The username, and each word of the display, first and last names, of
    MIN_PART_LENGTH letters or more, in lower case."""
    words = {str(getattr(user, "username", "") or "").casefold()}
    for attribute in ("display_name", "first_name", "last_name"):
        value = str(getattr(user, attribute, "") or "").casefold()
        words.add(value.replace(" ", ""))
        words.update(re.split(r"[^\w]+|_", value))
    return {word for word in words if len(word) >= MIN_PART_LENGTH}


class NotYourNameValidator:
    """Refuses a password that contains the person's username or any part of
    their name, in any case: Django's UserAttributeSimilarityValidator measures
    similarity to the whole value, so "clinician2clinician2" passed for the
    username "clinician", and it never looks at the display name."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        typed = password.casefold()
        if any(part in typed for part in _parts(user)):
            raise ValidationError(
                "Your password cannot contain your username or your name. "
                "Choose something others would not guess.",
                code="password_contains_name",
            )

    def get_help_text(self) -> str:
        return "Your password cannot contain your username or your name."
