from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from audit import services as audit
from clients import selectors as client_selectors
from clients import services as client_services
from clients.forms import CaseloadMoveForm, DepartingClinicianForm
from clients.models import Client
from hr_clinic.lib.form_tokens import FormAlreadyUsed, renew_token
from hr_clinic.lib.forms import add_service_error
from staff import mfa, selectors, services
from staff.decorators import AuthenticatedHttpRequest, admin_only
from staff.forms import (
    DeactivateForm,
    SignInForm,
    StaffCreateForm,
    StaffForm,
    StaffSearchForm,
)
from staff.models import Role, User
from staff.tokens import password_link_token

PAGE_SIZE = 25
# Search words live in the server-side session, never in a URL (as for clients).
SEARCH_KEY = "staff:search"
# A one-time link waiting to be shown to the admin who made it, once. Kept in the
# server-side session rather than a message cookie or a URL.
LINK_KEY = "staff:password_link"
ACTIVE_CHOICES = [("active", "Active"), ("deactivated", "Deactivated"), ("all", "All")]


class SignInView(auth_views.LoginView):
    """Password step. Django's login() gives the session a new id here; the
    second factor comes next (staff.middleware). Throttled by django-axes: a
    locked-out try gets this same page and message (staff.auth_events)."""

    template_name = "staff/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "timed_out": self.request.GET.get("timed-out") == "1",
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            # A local demo may run without the second factor: promise no code step.
            "mfa_required": settings.MFA_REQUIRED,
        }


sign_in = SignInView.as_view()


class SignOutView(auth_views.LogoutView):
    """Sign-out ends the session on the server and asks the browser to drop
    everything it holds for this site (cache, cookies, storage), which matters
    on a shared workstation.

    The idle warning's own sign-out (reason=idle) spares the storage: the tab's
    sessionStorage holds the addendum or review comment the person was writing
    (static/js/idle-timeout.js), put back only for them, on that page, after
    they sign in again; the sign-in page then returns them to it (`next`)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        if self._idle():
            response["Clear-Site-Data"] = '"cache", "cookies"'
        else:
            response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response

    def _idle(self) -> bool:
        return self.request.POST.get("reason") == "idle"

    def get_success_url(self) -> str:
        url = str(reverse("login"))
        # The idle warning signs out by itself after saving any draft.
        if self._idle():
            query = {"timed-out": "1"}
            # Django's own check (url_has_allowed_host_and_scheme): this site only.
            back = self.get_redirect_url()
            if back:
                query["next"] = back
            url += "?" + urlencode(query)
        return url


# Public: the idle warning may sign out a session the server has just ended; it
# must still land on the sign-in page, not on a sign-in that leads back here.
sign_out = login_not_required(SignOutView.as_view())


@require_POST
def keep_alive(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Stay signed in" on the idle warning: the request itself is the activity
    (hr_clinic.lib.session_timeout); nothing else to do. Typing in any form
    sends it too (static/js/idle-timeout.js, throttled)."""
    response = HttpResponse(status=204)
    del response["Content-Type"]  # a 204 has no body to describe
    return response


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The public page behind a one-time link: a new person or one whose password
    was reset chooses a password, checked by AUTH_PASSWORD_VALIDATORS. Django's
    view moves the token out of the URL into the session before showing the form,
    so it never leaks in a Referer header."""

    template_name = "staff/set_password.html"
    token_generator = password_link_token
    success_url = reverse_lazy("login")

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        # As Django's view does, but saved through the service, so the staff
        # history and the audit trail show that the password was set.
        services.staff_password_set(
            staff=form.user,
            password=form.cleaned_data["new_password1"],
            through_link=True,
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, "Your password is set. You can sign in now.")
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "days": settings.PASSWORD_LINK_DAYS,
        }


set_password = login_not_required(SetPasswordView.as_view())


@require_safe
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role's starting point: a clinician's day (Today: the people they
    are seeing), a supervisor's team dashboard, an admin's staff list."""
    if request.user.is_supervisor:
        return redirect("team:dashboard")
    if request.user.is_admin:
        return redirect("staff:list")
    return redirect("appointments:today")


def _hand_over_link(request: AuthenticatedHttpRequest, staff: User) -> None:
    """Email `staff` their one-time link when mail is set up; otherwise (or when
    sending fails) keep it for the admin to read on the staff page, once."""
    url = request.build_absolute_uri(services.password_link_path(staff=staff))
    if settings.EMAIL_CONFIGURED:
        try:
            services.password_link_email(staff=staff, url=url)
        except (smtplib.SMTPException, OSError):
            messages.warning(request, "The email could not be sent.")
        else:
            messages.success(
                request, f"We emailed {staff.name} a link to set their password."
            )
            return
    request.session[LINK_KEY] = {"staff": staff.pk, "url": url}


@admin_only
@require_safe
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    role = request.GET.get("role", "")
    active = request.GET.get("active", "active")
    search = request.session.get(SEARCH_KEY, "")
    staff = selectors.staff_list(role=role, active=active, search=search)
    page = Paginator(staff, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/staff_list.html",
        {
            "page": page,
            "role": role if role in Role.values else "",
            "active": active if active in selectors.ACTIVE_FILTERS else "active",
            "role_choices": [("", "Every role"), *Role.choices],
            "active_choices": ACTIVE_CHOICES,
            "search": search,
        },
    )


@admin_only
@require_POST
def staff_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StaffSearchForm(request.POST)
    if (
        form.is_valid()
        and form.cleaned_data["q"].strip()
        and "clear" not in request.POST
    ):
        request.session[SEARCH_KEY] = form.cleaned_data["q"].strip()
        return redirect(f"{reverse('staff:list')}?active=all")
    request.session.pop(SEARCH_KEY, None)
    return redirect("staff:list")


@admin_only
def staff_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff, created = services.staff_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            if isinstance(exc, FormAlreadyUsed):
                renew_token(form)
        else:
            messages.success(request, f"Added {staff.name}.")
            # A repeated submit made nothing: its link went out the first time.
            if created:
                _hand_over_link(request, staff)
            return redirect(staff)
    return render(request, "staff/staff_form.html", {"form": form})


@admin_only
@require_safe
def staff_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff = get_object_or_404(User.objects.select_related("supervisor"), pk=pk)
    link = request.session.get(LINK_KEY)
    if link and link["staff"] == staff.pk:
        del request.session[LINK_KEY]
    else:
        link = None
    return render(
        request,
        "staff/staff_detail.html",
        {
            "staff": staff,
            "link": link and link["url"],
            "days": settings.PASSWORD_LINK_DAYS,
            "team": staff.supervisees.all(),
            "client_count": staff.caseload.count(),
            "history": staff.changes.select_related("changed_by")[:50],
            "is_self": staff.pk == request.user.pk,
            "has_second_factor": mfa.has_second_factor(staff),
            "recovery_codes_left": mfa.recovery_codes_left(staff),
        },
    )


@admin_only
def staff_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff = get_object_or_404(User, pk=pk)
    form = StaffForm(request.POST or None, instance=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(staff=staff, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(staff)
    staff.refresh_from_db()  # the page title shows the saved name, not the draft
    return render(request, "staff/staff_form.html", {"form": form, "staff": staff})


def _run(
    request: AuthenticatedHttpRequest, pk: int, action: Any, done: str
) -> User | None:
    """Run a one-button staff service. Returns the staff member as the service
    left them, or None when it refused (its reason becomes an error message)."""
    staff = get_object_or_404(User, pk=pk)
    try:
        changed: User = action(staff=staff, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    messages.success(request, done.format(name=changed.name))
    return changed


@admin_only
def staff_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A confirmation page first: what the person leaves behind (open clients,
    unfinished notes, whom they supervise); the POST deactivates."""
    staff = get_object_or_404(User.objects.select_related("supervisor"), pk=pk)
    departure = selectors.departure_summary(staff=staff, by=request.user)
    # An empty POST (nobody to choose for) still confirms: bind it.
    form = DeactivateForm(
        request.POST if request.method == "POST" else None,
        staff=staff,
        needs_supervisor=bool(departure.team_needing_cosign),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_deactivate(
                staff=staff,
                by=request.user,
                new_supervisor=form.cleaned_data.get("new_supervisor"),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{staff.name} is deactivated and signed out.")
            return redirect(staff)
    if request.method == "GET":
        audit.listed(
            request.user, "client", len(departure.clients), rows=departure.clients
        )
    return render(
        request,
        "staff/staff_deactivate.html",
        {"staff": staff, "departure": departure, "form": form},
    )


@admin_only
@require_POST
def staff_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _run(request, pk, services.staff_reactivate, "{name} can sign in again.")
    return redirect("staff:detail", pk=pk)


@admin_only
@require_POST
def staff_password_reset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff = _run(
        request,
        pk,
        services.staff_password_reset,
        "{name}'s old password no longer works, and they are signed out.",
    )
    if staff is not None:
        # The link signs the new (unusable) password: make it from the saved row.
        _hand_over_link(request, staff)
    return redirect("staff:detail", pk=pk)


@admin_only
@require_POST
def staff_second_factor_reset(
    request: AuthenticatedHttpRequest, pk: int
) -> HttpResponse:
    _run(
        request,
        pk,
        mfa.second_factor_reset,
        "{name}'s second factor is reset and they are signed out. At their next "
        "sign-in they set up their authenticator app again.",
    )
    return redirect("staff:detail", pk=pk)


@admin_only
@require_safe
def client_needs_clinician_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open records whose clinician is deactivated: chosen name, status and
    clinician only."""
    clients = client_selectors.client_list_needing_clinician(user=request.user)
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.listed(request.user, "client", page.paginator.count, rows=page.object_list)
    return render(request, "staff/client_needs_clinician_list.html", {"page": page})


@admin_only
def caseload_move(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Move a departing clinician's clients, all to one person or each to their
    own, in one submit. The clinician is chosen by a GET form (?clinician=id)."""
    pick = DepartingClinicianForm(request.GET or None)
    departing: User | None = pick.cleaned_data["clinician"] if pick.is_valid() else None
    form: BaseForm | None = None
    if departing is not None:
        clients = list(
            Client.objects.reassignable_by(request.user)
            .filter(clinician=departing)
            .only("id", "chosen_name", "status")
        )
        if request.method == "GET":
            audit.listed(request.user, "client", len(clients), rows=clients)
        form = CaseloadMoveForm(
            request.POST or None, by=request.user, departing=departing, clients=clients
        )
        if request.method == "POST" and form.is_valid():
            try:
                moved = client_services.caseload_reassign(
                    from_clinician=departing, moves=form.moves(), by=request.user
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"Moved {moved} of {departing.name}'s clients."
                )
                return redirect(f"{reverse('staff:caseload')}?clinician={departing.pk}")
    return render(
        request,
        "staff/caseload_move.html",
        {
            "pick": pick,
            "departing": departing,
            "form": form,
            "unfinished": (
                selectors.unfinished_note_counts(departing) if departing else None
            ),
        },
    )
