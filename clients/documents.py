"""The client record as a PDF: the same content as its print version
(templates/clients/client_detail.jinja with ?print=1), through the generic
writer in hr_clinic/lib/pdf.py. The view opens and audits the record; this
module only lays out what it is given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from clients.models import Client, StatusChange
from clients.templatetags.clients_tags import short_date, short_datetime, yes_no_unknown
from goals.models import Goal
from goals.templatetags.goals_tags import trend
from hr_clinic.lib.part2 import statement_for
from hr_clinic.lib.pdf import PdfDocument
from sessions.models import TherapySession


def contact_pairs(client: Client) -> list[tuple[str, str]]:
    pairs = [
        (
            "Voicemail",
            "No voicemail"
            if client.voicemail_ok is False
            else yes_no_unknown(client.voicemail_ok),
        ),
        (
            "Texts",
            "No texts" if client.texts_ok is False else yes_no_unknown(client.texts_ok),
        ),
        ("Safe times", client.safe_times or "Not recorded"),
    ]
    optional = [
        ("Code word", client.code_word),
        ("Notes", client.contact_notes),
        ("Phone", client.phone),
        ("Email", client.email),
    ]
    return pairs + [(label, value) for label, value in optional if value]


def about_pairs(client: Client) -> list[tuple[str, str]]:
    pairs = [
        ("Chosen name", client.chosen_name),
        ("Pronouns", client.pronouns or "Not recorded"),
    ]
    if client.aliases:
        pairs.append(("Other names", client.aliases))
    if client.legal_name:
        pairs.append(("Legal name", client.legal_name))
    if client.date_of_birth:
        pairs.append(("Date of birth", short_date(client.date_of_birth)))
    pairs.append(("With us since", short_date(client.intake_date)))
    if client.is_closed:
        pairs.append(
            (
                "Closed",
                f"{short_date(client.closed_on)} · "
                f"{client.get_closed_reason_display()}",
            )
        )
    return pairs


def _sessions(sessions: Sequence[TherapySession]) -> list[list[str]]:
    rows = []
    for session in sessions:
        minutes = f"{session.duration_minutes} min" if session.duration_minutes else ""
        addenda = getattr(session, "addenda_count", 0) or 0
        rows.append(
            [
                short_datetime(timezone.localtime(session.started_at)),
                session.get_modality_display(),
                minutes,
                session.clinician.name,
                session.get_status_display()
                + (
                    f" · {addenda} addend{'um' if addenda == 1 else 'a'}"
                    if addenda
                    else ""
                ),
            ]
        )
    return rows


def _goals(doc: PdfDocument, groups: dict[str, list[Goal]]) -> None:
    doc.section("Their goals")
    if groups.get("active"):
        doc.table(
            ["Goal", "Area", "Latest rating", "Trend"],
            [
                [
                    f"“{goal.wording}”",
                    goal.get_area_display() if goal.area else "",
                    "" if goal.latest_score is None else f"{goal.latest_score}/10",  # type: ignore[attr-defined]
                    trend(goal),
                ]
                for goal in groups["active"]
            ],
        )
    else:
        doc.paragraph("No goals the person is working on right now.")
    others = [
        [label, f"“{goal.wording}”"]
        for key, label in (
            ("reached", "Reached"),
            ("set_aside", "Set aside"),
            ("changed", "Changed"),
        )
        for goal in groups.get(key, [])
    ]
    if others:
        doc.table(["Reached, set aside and changed", "Goal"], others)


def client_record_pdf(
    *,
    client: Client,
    goals: dict[str, list[Goal]],
    recent_sessions: Sequence[TherapySession],
    history: Sequence[StatusChange],
    emergency_grant: Any = None,
) -> bytes:
    """The record's print version as PDF bytes, labelled with Statement 2 on
    every page when the service is a Part 2 program. `client` was opened
    (scoped and audited) by the caller; `client.clinician` is attached."""
    label = statement_for("label")
    pronouns = f" ({client.pronouns})" if client.pronouns else ""
    doc = PdfDocument(
        title=f"{client.chosen_name}{pronouns}",
        subtitle=(
            f"Client record as of {short_date(timezone.localdate())} · "
            f"{client.get_status_display()} · Primary clinician: "
            f"{client.clinician.name}\nRecord id {client.pk} · Confidential "
            "health record."
        ),
        footer=label,
    )
    if label:
        doc.paragraph(label)
    if emergency_grant is not None:
        doc.paragraph(
            "Made under emergency access (reason: "
            f"{emergency_grant.get_reason_display()}). Every page opened is recorded."
        )
    doc.section("Contacting safely")
    doc.fields(contact_pairs(client))
    doc.section(f"About {client.chosen_name}")
    doc.fields(about_pairs(client))
    doc.section("Recent sessions")
    if recent_sessions:
        doc.table(
            ["When", "How", "Length", "Clinician", "Status"], _sessions(recent_sessions)
        )
    else:
        doc.paragraph("No sessions yet.")
    _goals(doc, goals)
    if history:
        doc.section("Record history")
        for change in history:
            when = short_date(timezone.localtime(change.changed_at))
            reason = f" ({change.get_reason_display()})" if change.reason else ""
            note = f". {change.note}" if change.note else ""
            doc.paragraph(
                f"{when}: {change.get_from_status_display()}"
                f" → {change.get_to_status_display()}{reason}, by "
                f"{change.changed_by.name}{note}"
            )
    return doc.output()
