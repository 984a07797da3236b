from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """The sign-in form: one generic message whatever went wrong.

    The same words for a wrong password, an unknown username and a deactivated
    account, so the page never tells anyone whether a username exists.
    """

    error_messages = {
        "invalid_login": "That username and password did not match. Please try again.",
        "inactive": "That username and password did not match. Please try again.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs.update(
            {"autocomplete": "current-password"}
        )
