"""Groups (issue #24): the list, a group, its members, its meetings, the
meeting page (who came, the shared part, every member's note, saved as it is
typed) and signing a meeting's notes together. Only a group's facilitators
open any of it (clients.access.group_visibility); everyone else gets a 404."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from audit import services as audit
from audit.models import Action
from clients.access import open_group, open_meeting
from groups import selectors, services
from groups.forms import (
    GroupForm,
    MeetingForm,
    MeetingRecordForm,
    MemberAddForm,
    MemberLeaveForm,
    SignAllForm,
    attendance_name,
    default_format,
    note_field_name,
)
from groups.models import Group, GroupMembership
from groups.selectors import MeetingPage
from groups.services import MeetingConflict, NoteEntry, RecordResult
from hr_clinic.lib.forms import add_service_error
from sessions.services import VersionConflict
from staff.decorators import AuthenticatedHttpRequest, caseload_only


def _read(
    request: AuthenticatedHttpRequest, kind: str, pk: object, clients: object
) -> None:
    """A page showing a group's members: one read event naming their client
    ids (never their names)."""
    audit.record(
        actor=request.user,
        action=Action.READ,
        object_type=kind,
        object_id=str(pk),
        detail={"clients": [str(c) for c in clients]},  # type: ignore[attr-defined]
    )


@require_safe
@caseload_only
def group_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = list(selectors.group_list(user=request.user))
    audit.listed(request.user, "group", len(groups))
    return render(request, "groups/group_list.html", {"groups": groups})


@caseload_only
def group_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                by=request.user,
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                facilitators=form.cleaned_data["facilitators"],
                members=form.cleaned_data["members"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Group created.")
            return redirect(group)
    choices = list(form.fields["members"].queryset)  # type: ignore[attr-defined]
    audit.listed(request.user, "client", len(choices), rows=choices)
    return render(request, "groups/group_form.html", {"form": form})


@require_safe
@caseload_only
def group_detail(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    group = open_group(request, pk)
    memberships = selectors.group_memberships(group=group)
    _read(request, "group", group.pk, (m.client_id for m in memberships))
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": group,
            "facilitators": group.facilitators.order_by("first_name", "last_name"),
            "memberships": memberships,
            "meetings": selectors.group_meetings(group=group),
            "add_form": MemberAddForm(user=request.user, group=group),
            "leave_form": MemberLeaveForm(),
        },
    )


@require_POST
@caseload_only
def member_add(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    group = open_group(request, pk)
    form = MemberAddForm(request.POST, user=request.user, group=group)
    if form.is_valid():
        try:
            services.membership_add(
                group=group,
                by=request.user,
                client=form.cleaned_data["client"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        else:
            messages.success(request, "They are a member now.")
    else:
        messages.warning(request, "Choose who joins, and when.")
    return redirect(group)


@require_POST
@caseload_only
def member_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        GroupMembership.objects.select_related("group").filter(
            group__in=Group.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    form = MemberLeaveForm(request.POST)
    if form.is_valid():
        try:
            services.membership_end(
                membership=membership,
                by=request.user,
                left_on=form.cleaned_data["left_on"],
            )
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        else:
            messages.success(request, "Their leaving date is recorded.")
    else:
        messages.warning(request, "Give the day they left.")
    return redirect(membership.group)


@caseload_only
def meeting_create(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    group = open_group(request, pk)
    form = MeetingForm(
        request.POST or None,
        initial={
            "starts_at": timezone.localtime().replace(second=0, microsecond=0),
            "duration_minutes": 90,
            "note_format": default_format(request.user),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            meeting = services.meeting_create(
                group=group,
                by=request.user,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                note_format=data["note_format"],
                form_token=data["form_token"],
                plan=form.plan(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Meeting added. Record who came and the notes.")
            return redirect(meeting)
    return render(request, "groups/meeting_form.html", {"form": form, "group": group})


def _record_form(
    request: AuthenticatedHttpRequest, page: MeetingPage, *, bound: bool
) -> MeetingRecordForm:
    initial = {
        "version": page.meeting.version,
        "topic": page.meeting.topic,
        "what_we_did": page.meeting.what_we_did,
        **{attendance_name(pk): row.status for pk, row in page.attendance.items()},
    }
    return MeetingRecordForm(
        request.POST if bound else None,
        initial=initial,
        meeting=page.meeting,
        members=page.members,
        notes=page.notes,
        sections_of=page.sections_of,
    )


def _texts(
    form: MeetingRecordForm, page: MeetingPage
) -> tuple[str, dict[uuid.UUID, str]]:
    """The shared part and each member's note as the form shows them (typed,
    or as stored), for the name-leak check."""

    def value(name: str) -> str:
        return str(form[name].value() or "")

    notes = {
        person.pk: "\n".join(
            value(note_field_name(person.pk, s.key))
            for s in page.sections_of[person.pk]
        )
        for person in page.members
    }
    return value("topic") + "\n" + value("what_we_did"), notes


def _render_meeting(
    request: AuthenticatedHttpRequest,
    page: MeetingPage,
    form: MeetingRecordForm,
    result: RecordResult | None = None,
    status: int = 200,
) -> HttpResponse:
    shared, note_texts = _texts(form, page)
    warnings = selectors.leak_warnings(page, shared, note_texts)
    rows = [
        {
            "client": person,
            "attendance": form[attendance_name(person.pk)],
            # As the signed meeting shows it: "Came", never the stored value.
            "came": page.attendance[person.pk].get_status_display()
            if person.pk in page.attendance
            else "",
            "version": form[note_field_name(person.pk, "version")],
            "sections": [
                form[note_field_name(person.pk, s.key)]
                for s in page.sections_of[person.pk]
            ],
            "note": page.notes.get(person.pk),
            "warning": warnings.get(str(person.pk)),
            "conflict": result.note_conflicts.get(person.pk) if result else None,
            "errors": result.errors.get(str(person.pk)) if result else None,
        }
        for person in page.members
    ]
    return render(
        request,
        "groups/meeting_record.html",
        {
            "meeting": page.meeting,
            "group": page.meeting.group,
            "form": form,
            "rows": rows,
            "shared_warning": warnings.get("shared"),
            "meeting_conflict": result.meeting_conflict if result else None,
            "meeting_errors": result.errors.get("meeting") if result else None,
        },
        status=status,
    )


@caseload_only
def meeting_record(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The meeting page. A POST saves every part it can (the shared part and
    who came, then each member's note), and an autosave (X-Autosave, from
    session-form.js) gets JSON with the new versions; a conflict in one part
    keeps the typed text and shows what is stored beside it, as notes do."""
    meeting = open_meeting(request, pk)
    page = selectors.meeting_page(user=request.user, meeting=meeting)
    if request.method != "POST":
        _read(request, "group_meeting", meeting.pk, (c.pk for c in page.members))
        return _render_meeting(request, page, _record_form(request, page, bound=False))
    form = _record_form(request, page, bound=True)
    autosave = request.headers.get("X-Autosave") == "1"
    form.is_valid()
    result = services.meeting_record(
        meeting=meeting,
        by=request.user,
        expected_version=form.cleaned_data.get("version"),
        shared=form.valid_shared(),
        attendance=form.valid_attendance(),
        entries=[NoteEntry(c, v, s) for c, v, s in form.valid_notes()],
    )
    versions = {"version": result.meeting.version} | {
        note_field_name(pk, "version"): note.version
        for pk, note in result.notes.items()
    }
    if autosave:
        return _autosave_answer(request, form, result, versions)
    if not result.has_conflict and not result.errors and not form.errors:
        if request.POST.get("action") == "sign":
            return redirect("groups:meeting_sign", meeting.pk)
        messages.success(request, "Saved.")
        return redirect(meeting)
    # Show the page again with what was typed and the versions now stored, so
    # that saving again is a deliberate choice over what is shown beside it.
    data = request.POST.copy()
    for name, value in versions.items():
        data[name] = str(value)
    for client_pk, current in result.note_conflicts.items():
        data[note_field_name(client_pk, "version")] = str(current.version)
    page = selectors.meeting_page(user=request.user, meeting=result.meeting)
    again = MeetingRecordForm(
        data,
        meeting=page.meeting,
        members=page.members,
        notes=page.notes,
        sections_of=page.sections_of,
    )
    again.is_valid()
    if not result.has_conflict and not result.errors:
        messages.warning(request, "Saved what could be saved. Check the marked fields.")
    return _render_meeting(request, page, again, result)


def _autosave_answer(
    request: AuthenticatedHttpRequest,
    form: MeetingRecordForm,
    result: RecordResult,
    versions: dict[str, int],
) -> JsonResponse:
    if result.has_conflict:
        return JsonResponse(
            {
                "status": "conflict",
                "message": "Part of this meeting was changed in another tab or by "
                "someone else. Press Save to see both versions side by side.",
            },
            status=409,
        )
    if result.errors.get("meeting"):
        return JsonResponse(
            {"status": "error", "errors": result.errors["meeting"]}, status=400
        )
    errors = form.errors.get_json_data()
    errors.update(
        {key: [{"message": m} for m in v] for key, v in result.errors.items()}
    )
    return JsonResponse(
        {
            "status": "saved",
            "version": result.meeting.version,
            "versions": versions,
            "url": request.path,
            "saved_at": timezone.localtime().strftime("%H:%M"),
            "errors": errors,
        }
    )


@caseload_only
def meeting_sign(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Sign all: one review page listing each member's note with the shared
    part, then every note signed in one transaction (all or none)."""
    meeting = open_meeting(request, pk)
    if meeting.is_signed:
        messages.info(request, "This meeting's notes are signed.")
        return redirect(meeting)
    page = selectors.meeting_page(user=request.user, meeting=meeting)
    drafts = [n for n in page.notes.values() if n.is_draft]
    form = SignAllForm(
        request.POST or None, notes=drafts, initial={"version": meeting.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            signed = services.meeting_sign_all(
                meeting=meeting,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                note_versions=form.note_versions(),
            )
        except (MeetingConflict, VersionConflict):
            messages.warning(
                request,
                "Something changed since this page opened. Check it and sign again.",
            )
            return redirect("groups:meeting_sign", meeting.pk)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"Signed {len(signed)} notes. They are now locked."
            )
            return redirect(meeting)
    if request.method != "POST":
        _read(request, "group_meeting", meeting.pk, (c.pk for c in page.members))
    problems = services.sign_all_problems(
        meeting, request.user, page.memberships, page.attendance, page.notes
    )
    shared = meeting.topic + "\n" + meeting.what_we_did
    note_texts = {
        pk: "\n".join(t for _, t in note.section_texts())
        for pk, note in page.notes.items()
    }
    warnings = selectors.leak_warnings(page, shared, note_texts)
    rows = [
        {
            "client": person,
            "attendance": page.attendance.get(person.pk),
            "note": page.notes.get(person.pk),
            "warning": warnings.get(str(person.pk)),
        }
        for person in page.members
    ]
    return render(
        request,
        "groups/meeting_sign.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "form": form,
            "rows": rows,
            "problems": problems,
            "shared_warning": warnings.get("shared"),
        },
    )
