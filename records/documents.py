"""The client's copy of their record as a PDF, written for them to read
(issue #20): a cover page that says what is in it and what is not, then who
they are to us, their goals in their own words with every rating (a table
and a chart), every signed note with its addenda, signatures and reviews,
the record's closures and reopenings, their consents and the accounting of
what was shared. Statement 2 and the record id at the foot of every page.

Laid out with the generic writer (hr_clinic/lib/pdf.py) from what
records.selectors.record_copy read; `progress(done, total)` is called as the
notes are set, for the page that waits on the export.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from clients.documents import about_pairs, contact_pairs
from clients.templatetags.clients_tags import short_date, short_datetime
from consents.package import checkin_rows
from hr_clinic.lib.part2 import statement_for
from hr_clinic.lib.pdf import PdfDocument
from records.selectors import AmendmentEntry, RecordCopy
from sessions.models import ReviewDecision, TherapySession

Progress = Callable[[int, int], None]

# How often (in notes) the export's progress is saved for the waiting page.
PROGRESS_EVERY = 25


def _local(value: object) -> str:
    return short_datetime(timezone.localtime(value))  # type: ignore[arg-type]


def _cover(doc: PdfDocument, copy: RecordCopy) -> None:
    client = copy.client
    doc.paragraph(
        f"This is your copy of what {settings.PROGRAM_NAME} keeps about you, "
        f"made on {short_date(timezone.localdate())}. It is yours to keep. "
        "Nothing is written about you here that you cannot read."
    )
    span = "everything in your record"
    if copy.date_from or copy.date_to:
        span = (
            "your sessions from "
            f"{short_date(copy.date_from) if copy.date_from else 'the start'} to "
            f"{short_date(copy.date_to) if copy.date_to else 'today'}, and the rest "
            "of your record in full"
        )
    doc.section("What is in it")
    doc.paragraph(
        f"It holds {span}: what we know about you and how you like to be "
        f"contacted; your goals in your own words and every rating you gave them "
        f"({len(copy.goals)} goal{'s' if len(copy.goals) != 1 else ''}); "
        f"every signed session note ({len(copy.notes)}) with its corrections "
        "(addenda), who signed it and any supervisor's co-signature; when your "
        "record was paused, closed or reopened; the consents you gave; and a list "
        "of each time your records were shared outside the program."
    )
    doc.section("What is not in it")
    doc.paragraph(
        "Counseling notes that your counselor may keep apart from your session "
        "notes (SUD counseling notes, the law's name for them) are not in this "
        "copy: the law lets the program keep them out of it. Notes still being "
        "written, and not yet signed, are not in it either."
    )
    doc.section("If something is wrong")
    doc.paragraph(
        "You can ask for anything in it to be changed. Tell your clinician "
        f"({client.clinician.name}) what and why; we answer within 60 days, and "
        "if we keep it as it is you can add your own statement, which then goes "
        f"with that part of your record. Questions: {settings.PRIVACY_CONTACT}."
    )
    doc.new_page()


def _goals(doc: PdfDocument, copy: RecordCopy) -> None:
    doc.section("Your goals")
    if not copy.goals:
        doc.paragraph("No goals yet.")
    for goal in copy.goals:
        doc.section(f"“{goal.wording}”")
        doc.fields(
            [
                (label, value)
                for label, value in (
                    ("Why it matters", goal.why_it_matters),
                    ("Area", goal.get_area_display() if goal.area else ""),
                    ("Where it stands", goal.get_status_display()),
                    ("Set on", short_date(goal.set_on)),
                )
                if value
            ]
        )
        _amendments(doc, copy.amendments.for_goal(goal.pk))
        ratings = list(goal.ratings.all())
        if not ratings:
            doc.paragraph("No ratings yet.")
            continue
        doc.table(
            ["Rated on", "Rating (0–10)", "In your words"],
            [[short_date(r.rated_on), str(r.score), r.comment] for r in ratings],
        )
        doc.chart(
            [(short_date(r.rated_on), r.score) for r in ratings],
            top=10,
            caption=(
                f"Your ratings of this goal, from {ratings[0].score} on "
                f"{short_date(ratings[0].rated_on)} to {ratings[-1].score} on "
                f"{short_date(ratings[-1].rated_on)} (0 is as far as can be, 10 "
                "is reached)."
            ),
        )


def amendment_sentences(entry: AmendmentEntry) -> list[str]:
    """A decided request to change the record, in the client's copy's words
    (also the FHIR copy's): what they asked, the answer, and when it was kept
    as it is, their own statement, which goes with that part everywhere."""
    asked = (
        f"You asked on {short_date(entry.asked_on)} for a change"
        f"{' to ' + entry.part_name if entry.part_name else ''}: “{entry.what}”."
    )
    when = short_date(timezone.localtime(entry.decided_at).date())
    if entry.accepted:
        return [
            f"{asked} Changed as you asked, on {when} by {entry.decided_by}: "
            f"{entry.correction}"
        ]
    sentences = [
        f"{asked} Kept as it is, on {when} by {entry.decided_by}, because: "
        f"{entry.reason}"
    ]
    if entry.statement:
        sentences.append(f"Your statement: “{entry.statement}”")
    return sentences


def _amendments(doc: PdfDocument, entries: list[AmendmentEntry]) -> None:
    for entry in entries:
        for sentence in amendment_sentences(entry):
            doc.paragraph(sentence)


def _note(doc: PdfDocument, note: TherapySession, copy: RecordCopy) -> None:
    length = f" · {note.duration_minutes} min" if note.duration_minutes else ""
    doc.section(f"{_local(note.started_at)} · {note.get_modality_display()}{length}")
    # A group meeting's shared part, about the group (issue #24).
    for label, text in note.shared_part_texts():
        doc.fields([(label, "")])
        doc.paragraph(text)
    for section, text in note.section_texts():
        if text.strip():
            doc.fields([(section.label, "")])
            doc.paragraph(text)
    for _, label, text in note.leftover_texts():
        doc.fields([(label, "")])
        doc.paragraph(text)
    checkin = checkin_rows(note)
    if checkin:
        # Label and value lines rather than a table: a table per note was a
        # fifth of a 500-note export's time (fpdf2 lays tables out cell by
        # cell), for two to eight short lines.
        doc.fields([("Harm-reduction check-in", "")])
        doc.fields([(label, value) for label, value in checkin])
    signed = _local(note.signed_at) if note.signed_at else ""
    doc.paragraph(f"Signed by {note.clinician.signature} on {signed}.")
    for review in note.reviews.all():  # type: ignore[attr-defined]
        if review.decision == ReviewDecision.COSIGNED:
            when = _local(review.created_at)
            doc.paragraph(f"Co-signed by {review.reviewer.signature} on {when}.")
        else:
            doc.paragraph(
                f"Returned for changes by {review.reviewer.signature} on "
                f"{_local(review.created_at)}: {review.comment}"
            )
    for addendum in note.addenda.all():  # type: ignore[attr-defined]
        doc.paragraph(
            f"Addendum by {addendum.author.signature} on {_local(addendum.created_at)} "
            f"({addendum.reason}): {addendum.text}"
        )
    _amendments(doc, copy.amendments.for_note(note.pk))


def _notes(doc: PdfDocument, copy: RecordCopy, progress: Progress) -> None:
    doc.new_page()
    doc.section("Your session notes")
    if not copy.notes:
        doc.paragraph("No signed session notes.")
    total = len(copy.notes)
    for number, note in enumerate(copy.notes, start=1):
        _note(doc, note, copy)
        if number % PROGRESS_EVERY == 0 or number == total:
            progress(number, total)


def _history(doc: PdfDocument, copy: RecordCopy) -> None:
    if not copy.history:
        return
    doc.section("When your record was paused, closed or reopened")
    for change in copy.history:
        reason = f" ({change.get_reason_display()})" if change.reason else ""
        note = f". {change.note}" if change.note else ""
        doc.paragraph(
            f"{short_date(timezone.localtime(change.changed_at))}: "
            f"{change.get_from_status_display()} → {change.get_to_status_display()}"
            f"{reason}, by {change.changed_by.name}{note}"
        )


def _consents(doc: PdfDocument, copy: RecordCopy) -> None:
    doc.section("Your consents")
    if not copy.consents:
        doc.paragraph("You have not given a consent to share your records.")
    for consent in copy.consents:
        to = (
            "Your treating providers, health plans and those who help run this program"
            if consent.is_tpo
            else "; ".join(r.name for r in consent.recipients.all())
        )
        state = "In force" if consent.is_active else "Not in force now"  # type: ignore[attr-defined]
        taken = short_date(timezone.localtime(consent.created_at).date())
        doc.paragraph(
            f"{consent.get_kind_display()}, taken {taken}. "
            f"What: {'; '.join(consent.item_labels)}. To: {to}. {state}."
        )
        for revocation in consent.revocations.all():
            whom = f" for {revocation.recipient.name}" if revocation.recipient else ""
            doc.paragraph(
                f"You revoked it{whom} on {short_date(revocation.revoked_on)}."
            )


def _accounting(doc: PdfDocument, copy: RecordCopy) -> None:
    doc.section("Who we shared your records with")
    if not copy.accounting:
        doc.paragraph("Your records have not been shared outside the program.")
        return
    doc.table(
        ["When", "Who received it", "What", "Why"],
        [
            [
                _local(entry.disclosure.shared_at),  # type: ignore[attr-defined]
                entry.disclosure.recipient_name
                + (
                    f", {entry.disclosure.recipient_facility}"
                    if entry.disclosure.recipient_facility
                    else ""
                ),
                "; ".join(entry.what),
                entry.disclosure.get_kind_display(),
            ]
            for entry in copy.accounting
        ],
    )


def record_copy_pdf(
    copy: RecordCopy, *, progress: Progress | None = None
) -> PdfDocument:
    """The client's copy as a PdfDocument (call `output()` for the bytes)."""
    client = copy.client
    statement = statement_for("label")
    pronouns = f" ({client.pronouns})" if client.pronouns else ""
    doc = PdfDocument(
        title=f"Your record: {client.chosen_name}{pronouns}",
        subtitle=f"{settings.PROGRAM_NAME} · made {short_date(timezone.localdate())}",
        footer=" · ".join(
            part for part in (statement, f"Record id {client.pk}") if part
        ),
    )
    _cover(doc, copy)
    doc.section("About you")
    doc.fields(about_pairs(client))
    _amendments(doc, copy.amendments.other)
    doc.fields([("Primary clinician", client.clinician.signature)])
    doc.section("How you like to be contacted")
    doc.fields(contact_pairs(client))
    _goals(doc, copy)
    _notes(doc, copy, progress or (lambda done, total: None))
    _history(doc, copy)
    _consents(doc, copy)
    _accounting(doc, copy)
    return doc
