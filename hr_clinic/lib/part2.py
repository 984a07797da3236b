"""The 42 CFR §2.32 statements that go with records leaving the service.

A Part 2 program (settings.PART2_PROGRAM, default on) labels everything that
carries client data out of the service: prints, PDFs and CSV files. With the
setting off the service is a HIPAA covered entity only and no statement is
written (HIPAA asks for none on paper or files).

Statement 1 is the full text a disclosure under consent may carry; Statement 2
is the short form, used as the label on every print, PDF and CSV. §2.32 lets a
disclosure carry either one.
"""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.http import HttpRequest

# §2.32(a)(1), as amended in 2024 (89 FR 12472). Kept word for word: it is a
# legal notice, not product copy, so the language guide does not apply to it.
STATEMENT_1 = (
    "This record which has been disclosed to you is protected by Federal "
    "confidentiality rules (42 CFR part 2). These rules prohibit you from using "
    "or disclosing this record, or testimony that describes the information "
    "contained in this record, in any civil, criminal, administrative, or "
    "legislative proceedings by any Federal, State, or local authority, against "
    "the patient, unless authorized by the consent of the patient, except as "
    "provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance "
    "with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from "
    "making any other use or disclosure of this record unless at least one of "
    "the following applies: (i) Further use or disclosure is expressly "
    "permitted by the written consent of the individual whose information is "
    "being disclosed in this record or as otherwise permitted by 42 CFR part 2. "
    "(ii) You are a covered entity or business associate and have received the "
    "record for treatment, payment, or health care operations, or (iii) You "
    "have received the record from a covered entity or business associate as "
    "permitted by 45 CFR part 164, subparts A and E. A general authorization "
    "for the release of medical or other information is NOT sufficient to meet "
    "the required elements of written consent to further use or redisclose the "
    "record (see 42 CFR 2.31)."
)

# §2.32(a)(2).
STATEMENT_2 = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

StatementKind = Literal["full", "label"]


def is_part2_program() -> bool:
    """Whether the service holds itself out as a Part 2 program (the setting)."""
    return bool(getattr(settings, "PART2_PROGRAM", True))


def statement_for(kind: StatementKind) -> str:
    """The §2.32 statement to carry: "full" is Statement 1 (a disclosure
    package may carry it), "label" is Statement 2 (every print, PDF and CSV).
    The empty string when the service is not a Part 2 program."""
    statements = {"full": STATEMENT_1, "label": STATEMENT_2}
    if kind not in statements:
        raise ValueError(f"Unknown statement kind: {kind!r}")
    return statements[kind] if is_part2_program() else ""


def csv_label_line() -> list[str] | None:
    """The first row of every CSV that holds client data, or None when the
    service is not a Part 2 program.

    One cell starting with "#": readers that know comment lines (pandas'
    `comment="#"`, R's `comment.char`) skip it; spreadsheets show it as text
    in A1 above the header, which is where a person opening the file reads
    it. The statement has no comma or quote, so the row is the bare line and
    never a formula (no leading "=", "+", "-" or "@")."""
    statement = statement_for("label")
    return [f"# {statement}"] if statement else None


def part2_statements(request: HttpRequest) -> dict[str, str]:
    """Context processor: `part2_label` (Statement 2, or "" when the service is
    not a Part 2 program) for the print versions and disclosure pages."""
    return {"part2_label": statement_for("label")}
