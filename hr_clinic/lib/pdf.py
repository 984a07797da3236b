"""A small PDF writer for records that leave the service (fpdf2).

Generic on purpose: a title, sections of headed paragraphs, label/value lists
and simple tables, with a footer statement and page numbers on every page.
The caller decides what goes in (a client record, a disclosure package); this
module knows nothing of clients, so `hr_clinic/lib` stays below the apps.

Text is set in DejaVu Sans, vendored under static/vendor/dejavu/ with its
licence: fpdf2's built-in fonts are Latin-1 only, and a chosen name such as
"Nguyễn" must print as the person wrote it. Shipping the font makes the output
the same on Linux and macOS from a fresh clone with pip alone. Characters the
font lacks (some scripts, emoji) are left out by fpdf2 rather than failing the
whole document.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.http import HttpResponse
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static/vendor/dejavu"
FONT = "DejaVu"
BODY_SIZE = 10
LINE = 5.0  # mm per body line
# Room at the foot of each page for a statement of up to 3 lines and the
# page number, so body text never runs under it.
FOOTER_MM = 24.0


class _Pages(FPDF):
    """fpdf2 calls footer() on every page; it prints the statement and
    "Page n of N" ({nb} is replaced once the page count is known)."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-FOOTER_MM + 4)
        self.set_font(FONT, "", 8)
        self.set_text_color(60, 60, 60)
        if self.footer_text:
            self.multi_cell(
                0, 4, self.footer_text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


class PdfDocument:
    """One document: call `section`, `paragraph`, `fields` and `table` in
    reading order, then `output()` for the bytes. `footer` (e.g. the §2.32
    statement) is printed at the foot of every page; `compress=False` writes
    the page content uncompressed (tests read the text back)."""

    def __init__(
        self,
        *,
        title: str,
        subtitle: str = "",
        footer: str = "",
        compress: bool = True,
    ) -> None:
        pdf = _Pages(format="A4")
        pdf.footer_text = footer
        pdf.set_compression(compress)
        pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.set_title(title)
        pdf.set_creator("hr_clinic")
        pdf.set_auto_page_break(auto=True, margin=FOOTER_MM)
        pdf.add_page()
        pdf.set_font(FONT, "B", 16)
        self._text(pdf, title, height=8)
        if subtitle:
            pdf.set_font(FONT, "", BODY_SIZE)
            self._text(pdf, subtitle)
        pdf.ln(2)
        self._pdf = pdf

    @staticmethod
    def _text(pdf: FPDF, text: str, *, height: float = LINE) -> None:
        pdf.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def section(self, heading: str) -> None:
        """A heading that starts a section."""
        self._pdf.ln(3)
        self._pdf.set_font(FONT, "B", 12)
        self._text(self._pdf, heading, height=7)
        self._pdf.set_font(FONT, "", BODY_SIZE)

    def paragraph(self, text: str) -> None:
        """Body text, wrapped; line breaks in `text` are kept."""
        self._pdf.set_font(FONT, "", BODY_SIZE)
        self._text(self._pdf, text)
        self._pdf.ln(1)

    def fields(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Label/value lines ("Pronouns: they/them"), the label in bold."""
        for label, value in pairs:
            self._pdf.set_font(FONT, "B", BODY_SIZE)
            self._pdf.cell(45, LINE, label)
            self._pdf.set_font(FONT, "", BODY_SIZE)
            self._text(self._pdf, value)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """A table with a bold header row (repeated after a page break)."""
        self._pdf.set_font(FONT, "", 9)
        with self._pdf.table(
            text_align="LEFT", line_height=LINE, repeat_headings=1
        ) as table:
            for cells in (header, *rows):
                row = table.row()
                for cell in cells:
                    row.cell(cell)
        self._pdf.set_font(FONT, "", BODY_SIZE)
        self._pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self._pdf.output())


def pdf_response(data: bytes, *, filename: str) -> HttpResponse:
    """A download of `data`; never cached, as it holds health information."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
