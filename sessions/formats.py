"""Note formats: each is a list of labelled sections with a short prompt.

The harm-reduction format is the default. It starts from what the client brought,
in their own words, and ends with next steps agreed together (docs/design.md, "The
records")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class NoteFormat(models.TextChoices):
    HARM_REDUCTION = "hr", "Harm reduction"
    DAP = "dap", "DAP"
    BIRP = "birp", "BIRP"
    SOAP = "soap", "SOAP"
    GIRP = "girp", "GIRP"


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    prompt: str
    client_voice: bool = False  # the client's own words (shown as such)


FORMATS: dict[str, tuple[Section, ...]] = {
    NoteFormat.HARM_REDUCTION: (
        Section(
            "brought",
            "What the client brought, in their words",
            "What did they want to talk about? Quote them where you can.",
            client_voice=True,
        ),
        Section(
            "did", "What we did together", "Support offered, skills, practical help."
        ),
        Section(
            "response",
            "How the client responded",
            "What landed, what did not, what they said about it.",
        ),
        Section(
            "safety",
            "Safety and harm-reduction check-in",
            "Safer-use plans, overdose risk, supplies, anything that worries them.",
        ),
        Section(
            "next",
            "Next steps agreed together",
            "What they want to do next, and what you will do.",
        ),
    ),
    NoteFormat.DAP: (
        Section("data", "Data", "What the client said and what you observed."),
        Section("assessment", "Assessment", "Your understanding of where they are."),
        Section("plan", "Plan", "Next steps agreed together."),
    ),
    NoteFormat.BIRP: (
        Section(
            "behavior", "Behaviour", "What the client said and how they presented."
        ),
        Section("intervention", "Intervention", "What you offered or did together."),
        Section("response", "Response", "How the client responded."),
        Section("plan", "Plan", "Next steps agreed together."),
    ),
    NoteFormat.SOAP: (
        Section("subjective", "Subjective", "The client's account, in their words."),
        Section("objective", "Objective", "What you observed."),
        Section("assessment", "Assessment", "Your understanding of where they are."),
        Section("plan", "Plan", "Next steps agreed together."),
    ),
    NoteFormat.GIRP: (
        Section("goals", "Goals", "The client's goals this session touched."),
        Section("intervention", "Intervention", "What you offered or did together."),
        Section("response", "Response", "How the client responded."),
        Section("plan", "Plan", "Next steps agreed together."),
    ),
}


def sections_for(note_format: str) -> tuple[Section, ...]:
    return FORMATS.get(note_format, FORMATS[NoteFormat.HARM_REDUCTION])


# Sections that hold the same part of a note in different formats, so that a
# draft moved to another format keeps its text in the right place. A section in
# no group (the harm-reduction safety check-in, SOAP's observations, GIRP's
# goals) has no counterpart: its text stays in the draft as a leftover, shown
# above the form, until the clinician moves or clears it.
CORRESPONDING: tuple[frozenset[tuple[str, str]], ...] = (
    # The client's account of things, in their words where possible.
    frozenset(
        {
            (NoteFormat.HARM_REDUCTION, "brought"),
            (NoteFormat.DAP, "data"),
            (NoteFormat.BIRP, "behavior"),
            (NoteFormat.SOAP, "subjective"),
        }
    ),
    # What the clinician offered or did together with them.
    frozenset(
        {
            (NoteFormat.HARM_REDUCTION, "did"),
            (NoteFormat.BIRP, "intervention"),
            (NoteFormat.GIRP, "intervention"),
        }
    ),
    frozenset(
        {
            (NoteFormat.HARM_REDUCTION, "response"),
            (NoteFormat.BIRP, "response"),
            (NoteFormat.GIRP, "response"),
        }
    ),
    frozenset({(NoteFormat.DAP, "assessment"), (NoteFormat.SOAP, "assessment")}),
    # Next steps agreed together.
    frozenset(
        {
            (NoteFormat.HARM_REDUCTION, "next"),
            (NoteFormat.DAP, "plan"),
            (NoteFormat.BIRP, "plan"),
            (NoteFormat.SOAP, "plan"),
            (NoteFormat.GIRP, "plan"),
        }
    ),
)


def corresponding_key(key: str, note_format: str) -> str | None:
    """The section of `note_format` that holds what section `key` (of any
    format) holds, or None when that format has no such section."""
    if key in {s.key for s in sections_for(note_format)}:
        return key
    for group in CORRESPONDING:
        if any(k == key for _, k in group):
            for fmt, k in group:
                if fmt == note_format:
                    return k
    return None


def section_label(key: str) -> str:
    """A section's label by its key, whichever format it comes from."""
    for sections in FORMATS.values():
        for section in sections:
            if section.key == key:
                return section.label
    return key.replace("_", " ").capitalize()
