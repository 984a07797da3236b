"""The disclosure package: what a recipient is sent, made once at the moment
of sharing and kept with the ledger row (`Disclosure.package`).

`package_contents` turns the records picked on the share form into plain,
already-worded sections (dates, the client's goals in their words, the notes
with their addenda). The package page, its print and its PDF (`package_pdf`)
are all made from that copy, so they show what was sent, not what the record
says today. Session notes go without the goal ratings made in them (those are
"goals and ratings", which a consent may not cover), and never with drafts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from clients.models import Client
from clients.templatetags.clients_tags import short_date, short_datetime
from consents.models import TPO_DESIGNATION, Consent, Disclosure, Item
from goals.models import Goal
from hr_clinic.lib.part2 import statement_for
from hr_clinic.lib.pdf import PdfDocument
from records.selectors import AmendmentEntry, Amendments
from sessions.models import Addendum, CounselingNote, TherapySession

# Where the decided requests to change a part named in words (HIPAA
# §164.526: "another part of the record") go: in every package.
OTHER_AMENDMENTS = "amendments_other"

# The harm-reduction check-in as the note page words it
# (templates/sessions/_note_body.html).
CHECKIN = (
    ("naloxone_on_hand", "Naloxone on hand"),
    ("naloxone_doses_given", "Naloxone doses given"),
    ("test_strips_given", "Fentanyl test strips given"),
    ("other_supplies", "Other safer-use supplies"),
    ("overdoses_experienced", "Overdoses they experienced"),
    ("overdoses_witnessed", "Overdoses they witnessed"),
    ("naloxone_used", "Naloxone used in an overdose"),
    ("referrals", "Referrals made"),
    ("referral_kinds", "Kinds of referral"),
)


def _when(value: Any) -> str:
    return short_datetime(timezone.localtime(value))


def _length(session: TherapySession) -> str:
    return f"{session.duration_minutes} min" if session.duration_minutes else ""


def checkin_rows(session: TherapySession) -> list[list[str]]:
    """The check-in's answered questions as (label, value) rows, as the note
    page words them; also the client's copy (records) uses them."""
    rows = []
    for field, label in CHECKIN:
        value = getattr(session, field)
        if value is None or value == "" or value == []:
            continue
        if field == "referral_kinds":
            value = ", ".join(session.referral_kind_labels())
        rows.append(
            [
                label,
                ("Yes" if value else "No") if isinstance(value, bool) else str(value),
            ]
        )
    return rows


def _addendum(addendum: Addendum) -> dict[str, str]:
    return {
        "when": _when(addendum.created_at),
        "author": addendum.author.name,
        "reason": addendum.reason,
        "text": addendum.text,
    }


def _amendment(entry: AmendmentEntry) -> dict[str, Any]:
    """A decided request to change the part it goes with (§164.526(c)(3),
    (d)(4)-(5)), worded as sent: kept as it is, with the reason and the
    client's statement of disagreement; or changed as asked, with the
    correction (on a note, also among its addenda)."""
    return {
        "part": entry.part_name,
        "asked_on": short_date(entry.asked_on),
        "what": entry.what,
        "outcome": entry.outcome,
        "decided": _when(entry.decided_at),
        "correction": entry.correction,
        "reason": entry.reason,
        "statement": entry.statement,
    }


def _note(session: TherapySession, amendments: Amendments) -> dict[str, Any]:
    # A group meeting's shared part first, about the group (issue #24).
    sections = [[label, text] for label, text in session.shared_part_texts()]
    sections += [[s.label, t] for s, t in session.section_texts() if t.strip()]
    sections += [[label, text] for _, label, text in session.leftover_texts()]
    return {
        "when": _when(session.started_at),
        "how": session.get_modality_display(),
        "length": _length(session),
        "clinician": session.clinician.name,
        "signed": _when(session.signed_at) if session.signed_at else "",
        "sections": sections,
        "checkin": checkin_rows(session),
        "addenda": [_addendum(a) for a in session.addenda.all()],  # type: ignore[attr-defined]
        "amendments": [_amendment(e) for e in amendments.for_note(session.pk)],
    }


def _goal(goal: Goal, amendments: Amendments) -> dict[str, Any]:
    return {
        "wording": goal.wording,
        "why": goal.why_it_matters,
        "area": goal.get_area_display() if goal.area else "",
        "status": goal.get_status_display(),
        "set_on": short_date(goal.set_on),
        "ratings": [
            {"on": short_date(r.rated_on), "score": r.score, "comment": r.comment}
            for r in goal.ratings.all()
        ],
        "amendments": [_amendment(e) for e in amendments.for_goal(goal.pk)],
    }


def _counseling_note(note: CounselingNote) -> dict[str, str]:
    return {
        "when": _when(note.created_at),
        "author": note.author.name,
        "text": note.text,
    }


def package_contents(
    *,
    attendance: Sequence[TherapySession] = (),
    goals: Sequence[Goal] = (),
    notes: Sequence[TherapySession] = (),
    counseling_notes: Sequence[CounselingNote] = (),
    amendments: Amendments | None = None,
) -> dict[str, Any]:
    """The sections of a package, worded as sent. Each argument is what the
    person picked (already limited to what they may share); the caller
    prefetches `addenda__author`, `ratings` and `clinician`/`author`.
    `amendments` (records.selectors.amendment_statements) go with the notes
    and goals they concern, and those about another part of the record with
    every package (HIPAA §164.526(d)(4))."""
    amendments = Amendments() if amendments is None else amendments
    contents: dict[str, Any] = {}
    if attendance:
        contents[Item.ATTENDANCE] = [
            {
                "when": _when(s.started_at),
                "how": s.get_modality_display(),
                "length": _length(s),
            }
            for s in attendance
        ]
    if goals:
        contents[Item.GOALS] = [_goal(g, amendments) for g in goals]
    if notes:
        contents[Item.SESSION_NOTES] = [_note(s, amendments) for s in notes]
    if counseling_notes:
        contents[Item.COUNSELING_NOTES] = [
            _counseling_note(n) for n in counseling_notes
        ]
    if amendments.other:
        contents[OTHER_AMENDMENTS] = [_amendment(e) for e in amendments.other]
    return contents


def package_header(*, client: Client, recipient: str, by: str) -> dict[str, str]:
    """Who the records are about, from whom and to whom, as of now."""
    legal = f" (legal name {client.legal_name})" if client.legal_name else ""
    born = f"; born {short_date(client.date_of_birth)}" if client.date_of_birth else ""
    return {
        "about": f"{client.chosen_name}{legal}{born}",
        "from": settings.PROGRAM_NAME,
        "by": by,
        "to": recipient,
        "made": short_datetime(timezone.localtime()),
    }


def _consent_lines(consent: Consent) -> list[tuple[str, str]]:
    """The consent, as its page words it (templates/consents/_consent_text.html)."""
    if consent.is_tpo:
        to = TPO_DESIGNATION[0].upper() + TPO_DESIGNATION[1:]
    else:
        to = "; ".join(
            r.name + (f", {r.organisation}" if r.organisation else "")
            for r in consent.recipients.all()
        )
    ends = ", or ".join(
        part
        for part in (
            f"at the end of {short_date(consent.expires_on)}"
            if consent.expires_on
            else "",
            f"when {consent.expiry_event}" if consent.expiry_event else "",
        )
        if part
    )
    purpose = (
        consent.purpose_other
        if consent.purpose == "other"
        else consent.get_purpose_display()
    )
    what = "; ".join(consent.item_labels)
    if consent.items_detail:
        what += f". {consent.items_detail}"
    signed = (
        f"on paper on {short_date(consent.paper_signed_on)}"
        if consent.paper_signed_on
        else "on the program's device"
    )
    return [
        ("Kind", consent.get_kind_display()),
        ("Who may share", consent.discloser_part or "This program"),
        ("What may be shared", what),
        ("Who may receive it", to),
        ("Why", purpose),
        ("It ends", ends[0].upper() + ends[1:]),
        ("Signed", f"By the client, {signed}"),
        ("Taken", short_date(timezone.localtime(consent.created_at).date())),
    ]


def amendment_lines(entry: dict[str, Any], *, with_part: bool = False) -> list[str]:
    """A packaged amendment (`_amendment`) as the PDF words it."""
    part = f" ({entry['part']})" if with_part else ""
    lines = [
        f"Request to change the record{part}, asked on {entry['asked_on']}: "
        f"“{entry['what']}”. {entry['outcome']} ({entry['decided']})."
    ]
    if entry["reason"]:
        lines.append(f"The reason: {entry['reason']}")
    if entry["statement"]:
        lines.append(f"The client's statement of disagreement: “{entry['statement']}”")
    if entry["correction"]:
        lines.append(f"The correction: {entry['correction']}")
    return lines


def _amendments_pdf(
    doc: PdfDocument, entries: list[dict[str, Any]], *, with_part: bool = False
) -> None:
    for entry in entries:
        for line in amendment_lines(entry, with_part=with_part):
            doc.paragraph(line)


def package_pdf(disclosure: Disclosure) -> bytes:
    """The package of `disclosure` as PDF bytes: the §2.32 statement first
    (Statement 1 for a consented disclosure), the consent it was made under,
    then what was sent; Statement 2 at the foot of every page."""
    package = disclosure.package
    header = package.get("header", {})
    contents = package.get("contents", {})
    doc = PdfDocument(
        title=f"Records shared with {header.get('to', disclosure.recipient_name)}",
        subtitle=(
            f"About {header.get('about', '')}\nFrom {header.get('from', '')}, "
            f"shared by {header.get('by', '')} on {header.get('made', '')}"
        ),
        footer=statement_for("label"),
    )
    statement = package.get("statement", "")
    if statement:
        doc.section("Notice to the recipient")
        doc.paragraph(statement)
    if disclosure.consent_id:
        doc.section("The consent these records are shared under")
        doc.fields(_consent_lines(disclosure.consent))  # type: ignore[arg-type]
    else:
        doc.section("Shared without consent, as the law allows")
        doc.paragraph(disclosure.get_kind_display())
    if disclosure.what_detail:
        doc.paragraph(f"Also shared: {disclosure.what_detail}")
    if Item.ATTENDANCE in contents:
        doc.section("Attendance and dates")
        doc.table(
            ["When", "How", "Length"],
            [[a["when"], a["how"], a["length"]] for a in contents[Item.ATTENDANCE]],
        )
    for goal in contents.get(Item.GOALS, []):
        doc.section(f"Goal: “{goal['wording']}”")
        doc.fields(
            [
                (label, value)
                for label, value in (
                    ("Why it matters", goal["why"]),
                    ("Area", goal["area"]),
                    ("Where it stands", goal["status"]),
                    ("Set on", goal["set_on"]),
                )
                if value
            ]
        )
        if goal["ratings"]:
            doc.table(
                ["Rated on", "Rating (0–10)", "In their words"],
                [[r["on"], str(r["score"]), r["comment"]] for r in goal["ratings"]],
            )
        _amendments_pdf(doc, goal.get("amendments", []))
    for note in contents.get(Item.SESSION_NOTES, []):
        doc.section(f"Session note: {note['when']}")
        doc.paragraph(
            " · ".join(
                part
                for part in (note["how"], note["length"], note["clinician"])
                if part
            )
            + (f" · signed {note['signed']}" if note["signed"] else "")
        )
        for label, text in note["sections"]:
            doc.fields([(label, "")])
            doc.paragraph(text)
        if note["checkin"]:
            doc.table(["Harm-reduction check-in", ""], note["checkin"])
        for addendum in note["addenda"]:
            doc.paragraph(
                f"Addendum, {addendum['when']}, by {addendum['author']} "
                f"({addendum['reason']}): {addendum['text']}"
            )
        _amendments_pdf(doc, note.get("amendments", []))
    if contents.get(OTHER_AMENDMENTS):
        doc.section("Requests to change other parts of the record")
        _amendments_pdf(doc, contents[OTHER_AMENDMENTS], with_part=True)
    for note in contents.get(Item.COUNSELING_NOTES, []):
        doc.section(f"SUD counseling note: {note['when']}")
        doc.paragraph(f"By {note['author']}")
        doc.paragraph(note["text"])
    return doc.output()
