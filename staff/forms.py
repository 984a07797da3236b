from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db.models import Q
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin
from staff.models import Role, User


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


@sensitive_variables("password")
def password_is_theirs(request: HttpRequest, user: Any, password: str) -> bool:
    """Whether `password` is `user`'s own, checked through authenticate() like
    a sign-in, so django-axes counts a wrong one and, past AXES_FAILURE_LIMIT,
    refuses even the right one for the cool-off (a lockout answers as a wrong
    password does). For a signed-in person confirming it is them."""
    checked = authenticate(request, username=user.get_username(), password=password)
    return checked is not None and checked.pk == user.pk


class OwnPasswordForm(PasswordChangeForm):
    """ "Change my password": the current password, then the new one twice,
    checked by AUTH_PASSWORD_VALIDATORS (staff.validators among them).

    The current password is checked through authenticate(), like a sign-in, so
    django-axes counts a wrong one: someone at an unattended, signed-in computer
    cannot try passwords here without limit. A wrong one is reported like a
    failed sign-in (staff.auth_events), with ids only."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "That is not your current password. Please type it "
        "again.",
        "password_mismatch": "The two new passwords are not the same. Please type "
        "the new one twice.",
    }

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "New password again"

    @sensitive_variables("old_password")
    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        if not password_is_theirs(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class StaffForm(PlainErrorsMixin, forms.ModelForm):  # type: ignore[type-arg]
    """An admin's edit of a staff member. The password is never here: the person
    sets it through a one-time link."""

    class Meta:
        model = User
        fields = [
            "display_name",
            "email",
            "credentials",
            "role",
            "supervisor",
            "requires_cosign",
        ]
        help_texts = {
            "supervisor": "Only active supervisors are listed. Admins have none.",
            "requires_cosign": "For a pre-licensed clinician. Admins never need it.",
        }
        error_messages = {
            "supervisor": {
                "invalid_choice": "Choose a supervisor from the list: another "
                "active staff member with the supervisor role."
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["email"].required = True
        supervisors = User.objects.filter(role=Role.SUPERVISOR).filter(
            Q(is_active=True) | Q(pk=self.instance.supervisor_id)
        )
        if self.instance.pk:
            supervisors = supervisors.exclude(pk=self.instance.pk)
        supervisor = self.fields["supervisor"]
        assert isinstance(supervisor, forms.ModelChoiceField)
        supervisor.queryset = supervisors
        supervisor.empty_label = "No supervisor"

    def clean_display_name(self) -> str:
        return " ".join(self.cleaned_data["display_name"].split())


class StaffCreateForm(StaffForm):
    form_token = FormTokenField()

    class Meta(StaffForm.Meta):
        fields = ["username", *StaffForm.Meta.fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "none"}
        )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        taken = User.objects.filter(username__iexact=username)
        token = self.fields["form_token"].clean(
            self.data.get(self.add_prefix("form_token"))
        )
        if token is not None:
            # A repeat of this very form: the account it made holds the
            # username, and staff_create lands on that account.
            taken = taken.exclude(form_token=token)
        if taken.exists():
            raise forms.ValidationError("That username is already taken.")
        return username

    def validate_unique(self) -> None:
        """Usernames are checked in clean_username (case-insensitively, and
        knowing a repeat of this form) and again by staff_create."""


class DeactivateForm(forms.Form):
    """The confirmation of a deactivation. For someone who supervises staff:
    who supervises their team from now on, required when any of them needs
    co-signature (their notes would otherwise wait in nobody's queue)."""

    new_supervisor = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Who supervises their team from now on?",
        empty_label="Nobody for now",
        error_messages={
            "invalid_choice": "Choose an active supervisor from the list.",
        },
    )

    def __init__(self, *args: Any, staff: User, needs_supervisor: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["new_supervisor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            role=Role.SUPERVISOR, is_active=True
        ).exclude(pk=staff.pk)
        if needs_supervisor:
            field.required = True
            field.empty_label = "Choose a supervisor"
            field.error_messages["required"] = (
                "Choose who supervises their team: some of them need co-signature."
            )
            if not field.queryset.exists():
                # An empty list with no word of why leaves the admin stuck.
                field.help_text = (
                    "There is no other active supervisor to choose. Give someone "
                    "the supervisor role first (Staff, then Edit), then come back."
                )
        if not staff.supervisees.exists():
            del self.fields["new_supervisor"]


class StaffSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a staff member",
        max_length=100,
        required=False,
        help_text="Name, username or email.",
    )


class AuthenticatorCodeForm(forms.Form):
    """The code from the authenticator app, when setting it up."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=10,
        help_text="Six digits. A new one appears every 30 seconds.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric"}
        )


class SecondFactorForm(forms.Form):
    """The second step of signing in: an authenticator code or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The six digits from your authenticator app, or one of your "
        "recovery codes.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "autocapitalize": "none"}
        )
