from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from clients.models import (
    ATTEMPT_CLOCK_SKEW,
    EARLIEST_ATTEMPT,
    EARLIEST_INTAKE,
    AttemptHow,
    AttemptOutcome,
    Client,
    ClientStatus,
    ClosureReason,
    EmergencyReason,
    GrantReviewDecision,
)
from clients.services import goes_against_preferences, reassignment_targets
from hr_clinic.lib.form_tokens import FormTokenField
from hr_clinic.lib.forms import PlainErrorsMixin, TriStateSelect
from staff.models import Role, User


def _not_in_future(value: datetime.date | None, what: str) -> datetime.date | None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{what} cannot be in the future.")
    return value


class ClientForm(PlainErrorsMixin, forms.ModelForm):  # type: ignore[type-arg]
    """Create or edit a client. Only the chosen name is required: an alias is
    enough to receive care. A supervisor creating a record chooses the primary
    clinician from their team; for a clinician the view sets it."""

    form_token = FormTokenField()

    class Meta:
        model = Client
        fields = [
            "chosen_name",
            "pronouns",
            "aliases",
            "legal_name",
            "date_of_birth",
            "intake_date",
            "phone",
            "email",
            "voicemail_ok",
            "texts_ok",
            "safe_times",
            "code_word",
            "contact_notes",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "intake_date": forms.DateInput(attrs={"type": "date"}),
            "voicemail_ok": TriStateSelect,
            "texts_ok": TriStateSelect,
            "contact_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"pronouns": "For example: she/her, they/them, he/him."}
        error_messages = {
            "chosen_name": {"required": "Enter the name the person wants us to use."}
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["chosen_name"].widget.attrs["autocomplete"] = "off"
        self.fields["intake_date"].required = False
        self.fields["intake_date"].help_text = "Leave empty for today."
        # The model's callable default would add a hidden "initial-" input that
        # Django renders with the field's aria-describedby: invalid HTML (an
        # aria-* attribute on a hidden input). clean_intake_date fills the date.
        self.fields["intake_date"].show_hidden_initial = False
        if self.instance._state.adding and user.role == Role.SUPERVISOR:
            self.fields["clinician"] = forms.ModelChoiceField(
                queryset=reassignment_targets(user),
                initial=user.pk,
                label="Primary clinician",
                empty_label=None,
            )

    def clean_chosen_name(self) -> str:
        name = " ".join(self.cleaned_data["chosen_name"].split())
        if not name:
            raise forms.ValidationError("Enter the name the person wants us to use.")
        return name

    def clean_date_of_birth(self) -> datetime.date | None:
        return _not_in_future(self.cleaned_data.get("date_of_birth"), "Date of birth")

    def clean_intake_date(self) -> datetime.date:
        value = self.cleaned_data.get("intake_date")
        if value is None:  # left empty: today, or what the record already had
            return self.instance.intake_date or timezone.localdate()
        _not_in_future(value, "Intake date")
        if value < EARLIEST_INTAKE:
            raise forms.ValidationError(
                "Check the year: an intake date cannot be before 1900."
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dob, intake = data.get("date_of_birth"), data.get("intake_date")
        if dob and intake and dob > intake:
            self.add_error("date_of_birth", "Date of birth is after the intake date.")
        return data

    def save(self, commit: bool = True) -> Client:
        client = super().save(commit=False)
        if client._state.adding:
            client.clinician = self.cleaned_data.get("clinician") or self.user
        if commit:
            client.save()
        return client


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a client",
        max_length=100,
        required=False,
        help_text="Chosen name, other names or legal name.",
    )


class CloseForm(PlainErrorsMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why is the record closing?",
        choices=ClosureReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason for closing."},
    )
    closed_on = forms.DateField(
        label="Closed on", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["closed_on"].initial = timezone.localdate()

    def clean_closed_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["closed_on"]
        _not_in_future(value, "The closing date")
        if value < self.client.intake_date:
            raise forms.ValidationError("The closing date is before the intake date.")
        return value


class ReviewOnForm(PlainErrorsMixin, forms.Form):
    """A paused record's review date (optional: empty clears it)."""

    review_on = forms.DateField(
        label="Review on (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="From this day they are on the reach-out list again.",
    )

    def clean_review_on(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data.get("review_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        return value


# What each way of trying says when the person asked not to be reached so.
AGAINST_LABELS = {
    AttemptHow.TEXT: "they asked for no texts",
    AttemptHow.VOICEMAIL: "they asked for no voicemail",
}


def _now_to_the_minute() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class ContactAttemptForm(PlainErrorsMixin, forms.Form):
    """ "Tried to reach": how, what came of it, a short note. A way the person
    asked us not to use says so in its label ("(they asked for no texts)")
    and needs the confirmation box; the form offers it only when the record
    has such a "no"."""

    form_token = FormTokenField()
    how = forms.ChoiceField(label="How", choices=AttemptHow.choices)
    through_whom = forms.CharField(
        label="Support person (if through one)", max_length=120, required=False
    )
    outcome = forms.ChoiceField(label="What happened", choices=AttemptOutcome.choices)
    tried_at = forms.DateTimeField(
        label="When",
        required=False,
        initial=_now_to_the_minute,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=500,
        required=False,
        help_text="A few words, at most 500 characters.",
    )
    confirmed = forms.BooleanField(
        label="They asked not to be contacted this way: it was needed this time.",
        required=False,
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        choices = []
        for value, label in AttemptHow.choices:
            if goes_against_preferences(client, value):
                label = f"{label} ({AGAINST_LABELS[AttemptHow(value)]})"
            choices.append((value, label))
        self.fields["how"].choices = choices  # type: ignore[attr-defined]
        if not any(goes_against_preferences(client, v) for v in AGAINST_LABELS):
            del self.fields["confirmed"]

    def clean_tried_at(self) -> datetime.datetime:
        value: datetime.datetime | None = self.cleaned_data.get("tried_at")
        if value is None:
            return timezone.now()
        if value > timezone.now() + ATTEMPT_CLOCK_SKEW:
            raise forms.ValidationError("An attempt cannot be in the future.")
        if value < EARLIEST_ATTEMPT:
            raise forms.ValidationError("Check the year: it is before 1900.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        how = data.get("how")
        if (
            how == AttemptHow.SUPPORT_PERSON
            and not data.get("through_whom", "").strip()
        ):
            self.add_error("through_whom", "Name the support person you went through.")
        if (
            how
            and goes_against_preferences(self.client, how)
            and not data.get("confirmed")
        ):
            self.add_error(
                "confirmed",
                f"{AGAINST_LABELS[AttemptHow(how)].capitalize()}: tick this box to "
                "confirm it was needed, or choose another way.",
            )
        return data


class ReassignForm(forms.Form):
    clinician = forms.ModelChoiceField(
        queryset=User.objects.none(), label="New primary clinician"
    )

    def __init__(self, *args: Any, by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = reassignment_targets(by)  # type: ignore[attr-defined]


def with_caseload_size(staff: QuerySet[User]) -> QuerySet[User]:
    """`staff` with `caseload_size`: their active and paused clients (what
    their caseload page lists by default), counted in the same query."""
    return staff.annotate(
        caseload_size=Count("caseload", filter=~Q(caseload__status=ClientStatus.CLOSED))
    )


def _with_size(user: User) -> str:
    size = getattr(user, "caseload_size", None)
    return user.name if size is None else f"{user.name} (caseload: {size})"


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        label = _with_size(obj)
        return label if obj.is_active else f"{label}, deactivated"


class DepartingClinicianForm(forms.Form):
    """Step one of moving a caseload: whose clients move (active or not)."""

    clinician = _StaffChoiceField(
        queryset=with_caseload_size(
            User.objects.filter(role__in=[Role.CLINICIAN, Role.SUPERVISOR])
        ),
        label="Whose clients are moving?",
        empty_label="Choose a clinician",
        help_text="Caseload: their active and paused clients.",
        error_messages={"invalid_choice": "Choose a clinician from the list."},
    )


class CaseloadMoveForm(forms.Form):
    """Step two: where each of the departing clinician's clients goes, in one
    submit. One person for everyone (move_all_to), a person per client, or both:
    a client's own choice wins, and a client with neither stays where they are.
    Fields carry chosen names only."""

    move_all_to = forms.TypedChoiceField(
        label="Move every client to",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Or leave this empty and choose for each client below.",
    )

    def __init__(
        self,
        *args: Any,
        by: User,
        departing: User,
        clients: list[Client],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.clients = clients
        # One query for every select on the page, however many clients there are.
        self.targets = {
            u.pk: u
            for u in with_caseload_size(
                reassignment_targets(by).exclude(pk=departing.pk)
            )
        }
        # With each person's caseload size, to spread the clients fairly.
        choices = [(pk, _with_size(u)) for pk, u in self.targets.items()]
        self.fields["move_all_to"].choices = [("", "Nobody for all"), *choices]  # type: ignore[attr-defined]
        for client in clients:
            self.fields[self._key(client)] = forms.TypedChoiceField(
                label=f"{client.chosen_name} ({client.get_status_display().lower()})",
                choices=[("", "As chosen above"), *choices],
                coerce=int,
                empty_value=None,
                required=False,
            )

    @staticmethod
    def _key(client: Client) -> str:
        return f"client_{client.pk}"

    def client_fields(self) -> list[forms.BoundField]:
        return [self[self._key(client)] for client in self.clients]

    def moves(self) -> list[tuple[Client, User]]:
        """(client, new clinician) for every client that moves."""
        default = self.cleaned_data.get("move_all_to")
        chosen = (
            (c, self.cleaned_data.get(self._key(c)) or default) for c in self.clients
        )
        return [(client, self.targets[pk]) for client, pk in chosen if pk]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.moves():
            raise forms.ValidationError(
                "Choose who takes the clients: one person for all of them, or "
                "someone for each client."
            )
        return data


class EmergencyLookupForm(PlainErrorsMixin, forms.Form):
    """Find one record for emergency access: its id or exact chosen name,
    plus at least one more identifier the record holds. Never a list, never
    a partial match (clients.selectors.emergency_lookup)."""

    record_id = forms.UUIDField(
        label="Record id",
        required=False,
        help_text="As given by a colleague or on a referral.",
    )
    chosen_name = forms.CharField(
        label="or chosen name",
        max_length=120,
        required=False,
        help_text="The whole name the person uses, spelt as on the record.",
    )
    date_of_birth = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    legal_name = forms.CharField(max_length=200, required=False)
    phone_last4 = forms.RegexField(
        label="Last 4 digits of their phone",
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": "Give the last 4 digits, numbers only."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "4"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_id = data.get("record_id") is not None
        has_name = bool((data.get("chosen_name") or "").strip())
        if has_id == has_name and not self.errors:
            raise forms.ValidationError("Give either the record id or the chosen name.")
        if (
            not (
                data.get("date_of_birth")
                or (data.get("legal_name") or "").strip()
                or data.get("phone_last4")
            )
            and not self.errors
        ):
            raise forms.ValidationError(
                "Add one more detail the record holds: date of birth, legal name "
                "or the last 4 digits of their phone."
            )
        return data


class EmergencyConfirmForm(PlainErrorsMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why you need this record",
        choices=EmergencyReason.choices,
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label="What is happening",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A sentence or two for the clinician and supervisor who will "
        "read it. Ids and times rather than clinical detail.",
    )
    confirm = forms.BooleanField(
        label="I understand that every page I open is recorded and that this "
        "access will be reviewed.",
    )


class GrantReviewForm(PlainErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=GrantReviewDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the record; the clinician who opened it can be "
        "asked about it.",
    )


class WantsForm(PlainErrorsMixin, forms.Form):
    """A new version of "What I want from coming here", in the client's words."""

    form_token = FormTokenField()
    words = forms.CharField(
        label="What I want from coming here",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In their own words, as they say it. The earlier words are kept.",
        error_messages={"required": "Write what they want, in their words."},
    )
