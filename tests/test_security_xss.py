"""Script payloads typed into any free-text field come back escaped on every
page that shows them. Every row is template markup and templates autoescape:
no product code builds HTML from a value. Two things are marked safe: the
second-factor QR code, an SVG drawn by `qrcode` from the otpauth URI, which
holds no text anyone typed (staff/views/mfa.py), and the content of Today
and the week views, rendered by an autoescaping Jinja2 template before it
goes into base.html (hr_clinic/lib/jinja_pages.py): those pages are walked
here too."""

from __future__ import annotations

import markupsafe
import pytest
from django.db import models
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from appointments.services import Details, appointment_book
from clients.models import StatusChange
from sessions.formats import sections_for
from sessions.models import Addendum
from sessions.services import therapy_session_sign
from staff.models import User
from tests.factories import (
    ClientFactory,
    GoalFactory,
    GoalRatingFactory,
    TherapySessionFactory,
)
from tests.signin import signed_in

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
SKIP = {"password", "username", "status", "closed_reason", "note_format", "modality"}


def fill(obj: models.Model, payload: str) -> None:
    """Put the payload in every free-text field of `obj` (no choices)."""
    for field in obj._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and field.name not in SKIP
            and field.editable
        ):
            limit = field.max_length or len(payload)
            setattr(obj, field.name, payload[:limit])
    obj.save()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_come_back_escaped(
    payload: str,
    clinician: User,
    supervisor: User,
    admin_user: User,
) -> None:
    fill(clinician, payload)
    client = ClientFactory.create(clinician=clinician)
    fill(client, payload)
    StatusChange.objects.create(
        client=client,
        changed_by=clinician,
        from_status="active",
        to_status="paused",
        note=payload,
    )
    goal = GoalFactory.create(client=client)
    fill(goal, payload)
    # A rating on the goal page is kept as given (append-only): filled before
    # it is saved.
    rating = GoalRatingFactory.build(goal=goal)
    fill(rating, payload)
    sections = {s.key: payload for s in sections_for("harm_reduction")}
    draft = TherapySessionFactory.create(client=client, sections=sections)
    fill(draft, payload)
    signed = TherapySessionFactory.create(client=client, sections=sections)
    fill(signed, payload)
    # A rating joins a note while it is a draft (PostgreSQL refuses it later).
    GoalRatingFactory.create(goal=goal, session=signed, comment=payload)
    signed = therapy_session_sign(
        session=signed, by=clinician, expected_version=signed.version
    )
    Addendum.objects.create(
        session=signed, author=clinician, reason=payload, text=payload
    )

    # Today and the weeks: an appointment today, its place filled in.
    appointment_book(
        client=client,
        by=clinician,
        starts_at=timezone.now().replace(hour=12, minute=0),
        details=Details(duration_minutes=50, modality="in_person", place=payload),
    )

    owner = signed_in(clinician)
    member_week = f"{reverse('appointments:team_week')}?member={clinician.pk}"
    pages: list[tuple[HttpClient, str]] = [
        (owner, reverse("appointments:today")),
        (owner, reverse("appointments:week")),
        (signed_in(supervisor), member_week),
        (owner, reverse("clients:list")),
        (owner, reverse("clients:detail", args=[client.pk])),
        (owner, reverse("clients:update", args=[client.pk])),
        (owner, reverse("goals:detail", args=[goal.pk])),
        (owner, reverse("goals:update", args=[goal.pk])),
        (owner, reverse("sessions:list", args=[client.pk])),
        (owner, reverse("sessions:update", args=[draft.pk])),
        (owner, reverse("sessions:sign", args=[draft.pk])),
        (owner, reverse("sessions:detail", args=[signed.pk])),
        (owner, reverse("sessions:print", args=[signed.pk])),
        (signed_in(supervisor), reverse("team:dashboard")),
        (signed_in(supervisor), reverse("team:reach_out")),
        (signed_in(supervisor), reverse("sessions:review_queue")),
        (signed_in(admin_user), reverse("staff:list") + "?active=all"),
        (signed_in(admin_user), reverse("staff:detail", args=[clinician.pk])),
        (signed_in(admin_user), reverse("staff:update", args=[clinician.pk])),
        (signed_in(admin_user), reverse("clients:reassign", args=[client.pk])),
    ]
    owner.post(reverse("sessions:search"), {"q": payload})
    pages.append((owner, reverse("sessions:search_results")))
    owner.post(reverse("clients:search"), {"q": payload})
    pages.append((owner, reverse("clients:list") + "?status=all"))
    # Last: the audit pages, whose rows (drawn in Python, audit_tags) name the
    # clinician who opened all of the above.
    pages.append((signed_in(admin_user), reverse("audit:report")))
    pages.append(
        (signed_in(supervisor), reverse("audit:client_history", args=[client.pk]))
    )

    shown = 0
    audit_pages_show_it = []
    for http, url in pages:
        response = http.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert payload not in content, url
        assert "<img src=x" not in content, url
        # Escaped as Django writes it (&quot;) or as Jinja2 does (&#34;): the
        # same characters on the screen.
        escaped = {
            spelled(text)
            for spelled in (escape, markupsafe.escape)
            for text in (payload, payload[:20])
        }
        shown += any(text in content for text in escaped)
        if url.startswith("/audit/"):
            audit_pages_show_it.append(
                any(
                    spelled(payload[:20]) in content
                    for spelled in (escape, markupsafe.escape)
                )
            )
    assert shown >= len(pages) - 2  # nearly every page shows some of the text
    assert audit_pages_show_it == [True, True]
