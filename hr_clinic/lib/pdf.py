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
from typing import cast

from django.http import HttpResponse
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static/vendor/dejavu"
FONT = "DejaVu"
BODY_SIZE = 10
LINE = 5.0  # mm per body line
FOOTER_SIZE = 8
FOOTER_LINE = 4.0  # mm per footer line
MARGIN = 10.0  # fpdf2's default page margins (mm)


class _Pages(FPDF):
    """fpdf2 calls footer() on every page; it prints the statement and
    "Page n of N" ({nb} is replaced once the page count is known)."""

    footer_text = ""
    footer_height = FOOTER_LINE

    def footer(self) -> None:
        self.set_y(-(self.footer_height + MARGIN))
        self.set_font(FONT, "", FOOTER_SIZE)
        self.set_text_color(60, 60, 60)
        if self.footer_text:
            self.multi_cell(
                0,
                FOOTER_LINE,
                self.footer_text,
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        self.cell(0, FOOTER_LINE, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


class _Widths:
    """Widths of words in the font in use, each measured once."""

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        self._known: dict[tuple[str, str, float, str], float] = {}

    def __call__(self, word: str) -> float:
        pdf = self._pdf
        key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, word)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = pdf.get_string_width(word)
        return known


def _widths(pdf: FPDF) -> _Widths:
    widths = getattr(pdf, "_hr_widths", None)
    if widths is None:
        widths = _Widths(pdf)
        pdf._hr_widths = widths  # type: ignore[attr-defined]
    return widths


def _wrap(text: str, width: float, measure: _Widths) -> list[str]:
    """Greedy word wrap of `text` into lines no wider than `width`; line
    breaks in `text` are kept, an empty line stays a line, and a word wider
    than the line is broken between characters."""
    lines: list[str] = []
    space = measure(" ")
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            size = measure(word)
            if line and used + space + size <= width:
                line.append(word)
                used += space + size
                continue
            if line:
                lines.append(" ".join(line))
            while size > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and measure(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                size = measure(word)
            line, used = [word], size
        lines.append(" ".join(line))
    return lines


class PdfDocument:
    """One document: call `section`, `paragraph`, `fields` and `table` in
    reading order, then `output()` for the bytes. `footer` (e.g. the §2.32
    statement) is printed at the foot of every page."""

    def __init__(
        self,
        *,
        title: str,
        subtitle: str = "",
        footer: str = "",
    ) -> None:
        pdf = _Pages(format="A4")
        pdf.footer_text = footer
        pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.set_title(title)
        pdf.set_creator("hr_clinic")
        pdf.add_page()
        # The foot of each page is kept for the statement (Statement 2 is one
        # line, Statement 1 about ten) and the page number, so body text never
        # runs under it.
        pdf.set_font(FONT, "", FOOTER_SIZE)
        # output="LINES" makes multi_cell return the wrapped lines.
        lines = (
            cast(
                list[str],
                pdf.multi_cell(0, FOOTER_LINE, footer, dry_run=True, output="LINES"),
            )
            if footer
            else []
        )
        pdf.footer_height = (len(lines) + 1) * FOOTER_LINE
        pdf.set_auto_page_break(auto=True, margin=pdf.footer_height + MARGIN + 2)
        pdf.set_font(FONT, "B", 16)
        self._text(pdf, title, height=8)
        if subtitle:
            pdf.set_font(FONT, "", BODY_SIZE)
            self._text(pdf, subtitle)
        pdf.ln(2)
        self._pdf = pdf

    @staticmethod
    def _text(pdf: FPDF, text: str, *, height: float = LINE) -> None:
        """`text` wrapped at words from the current x to the right margin,
        each line a cell, then back to the left margin on the next line.

        fpdf2's multi_cell measures the growing line again for every
        character (a 500-note record: 290,000 width sums per 100 notes, 13 s
        for the whole PDF); here each distinct word is measured once per font
        (_Widths) and a line is the sum of its words, which is the same
        greedy break at spaces."""
        start = pdf.get_x()
        width = pdf.w - pdf.r_margin - start
        measure = _widths(pdf)
        for line in _wrap(text, width, measure):
            pdf.set_x(start)
            pdf.cell(width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

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

    def new_page(self) -> None:
        """Start the next section on a fresh page (after a cover page)."""
        self._pdf.add_page()

    def chart(
        self, points: Sequence[tuple[str, float]], *, top: float, caption: str
    ) -> None:
        """A line chart of `points` (label, value from 0 to `top`) in the
        text's width, labelled at both ends, with `caption` under it for a
        reader who cannot see it. Drawn with lines only (no image library)."""
        if not points:
            return
        pdf = self._pdf
        height, left_gutter = 30.0, 8.0
        if pdf.will_page_break(height + 2 * LINE + 4):
            pdf.add_page()
        x0 = pdf.l_margin + left_gutter
        width = pdf.w - pdf.r_margin - x0
        y0 = pdf.get_y() + 2
        pdf.set_draw_color(160, 160, 160)
        pdf.set_line_width(0.2)
        pdf.rect(x0, y0, width, height)
        pdf.set_font(FONT, "", 7)
        for value in (0, top):
            y = y0 + height - height * value / top
            pdf.text(pdf.l_margin, y + 1, f"{value:g}")
        step = width / max(len(points) - 1, 1)
        xy = [
            (
                x0 + i * step if len(points) > 1 else x0 + width / 2,
                y0 + height - height * min(max(value, 0), top) / top,
            )
            for i, (_, value) in enumerate(points)
        ]
        pdf.set_draw_color(13, 110, 253)
        pdf.set_line_width(0.6)
        for (xa, ya), (xb, yb) in zip(xy, xy[1:], strict=False):
            pdf.line(xa, ya, xb, yb)
        pdf.set_fill_color(13, 110, 253)
        for x, y in xy:
            pdf.ellipse(x - 0.9, y - 0.9, 1.8, 1.8, style="F")
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        pdf.text(x0, y0 + height + 3.5, points[0][0])
        last = points[-1][0]
        pdf.text(x0 + width - pdf.get_string_width(last), y0 + height + 3.5, last)
        pdf.set_y(y0 + height + 5)
        pdf.set_font(FONT, "", 8)
        self._text(pdf, caption, height=4)
        pdf.set_font(FONT, "", BODY_SIZE)
        pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self._pdf.output())

    @property
    def page_count(self) -> int:
        return int(self._pdf.page_no())


def pdf_response(data: bytes, *, filename: str) -> HttpResponse:
    """A download of `data` (the security headers middleware marks every
    response no-store, this one included)."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
