"""Printable handouts as PDF, in Swedish with large text.

`build_pdf()` is generic (title, header lines, sections of entries) so other
modules can reuse it for downtime summaries (driftstoppsutskrifter);
`medication_list_pdf()` is the patient's medication list. Neither reads the
database: callers pass data they have already fetched through the access module.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos

if TYPE_CHECKING:
    from lakemedel.queries import MedicationList

# fpdf2 subsets fonts with fontTools, which logs every table it prunes at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = os.environ.get("VARDMILJO_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
REGULAR = os.path.join(FONT_DIR, "DejaVuSans.ttf")
BOLD = os.path.join(FONT_DIR, "DejaVuSans-Bold.ttf")
BODY_PT = 14
TITLE_PT = 22


@dataclass
class Entry:
    """One item: a bold first line and plain lines under it."""

    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Section:
    heading: str
    entries: list[Entry] = field(default_factory=list)
    empty_text: str = "Inget att visa."


def _latin1(text: str) -> str:
    """Transliteration for the core-font fallback (å/ä/ö are Latin-1 and stay)."""
    text = text.replace("–", "-").replace("—", "-").replace("’", "'").replace("•", "-").replace("×", "x")
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
            out.append(base or "?")
    return "".join(out)


class _Pdf(FPDF):
    footer_text = ""
    family = "Helvetica"
    unicode = False

    def t(self, text: str) -> str:
        return text if self.unicode else _latin1(text)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.family, "", 10)
        self.cell(0, 8, self.t(f"{self.footer_text}   Sida {self.page_no()}/{{nb}}"), align="C")


def build_pdf(*, title: str, header_lines: Sequence[str], sections: Sequence[Section], footer: str = "") -> bytes:
    pdf = _Pdf(format="A4")
    if os.path.exists(REGULAR) and os.path.exists(BOLD):
        pdf.add_font("DejaVu", "", REGULAR)
        pdf.add_font("DejaVu", "B", BOLD)
        pdf.family, pdf.unicode = "DejaVu", True
    pdf.footer_text = footer
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(pdf.family, "B", TITLE_PT)
    pdf.multi_cell(0, 11, pdf.t(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.family, "", BODY_PT)
    for line in header_lines:
        pdf.multi_cell(0, 7.5, pdf.t(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for sec in sections:
        pdf.ln(4)
        pdf.set_font(pdf.family, "B", BODY_PT + 3)
        pdf.multi_cell(0, 9, pdf.t(sec.heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(120, 120, 120)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(1.5)
        if not sec.entries:
            pdf.set_font(pdf.family, "", BODY_PT)
            pdf.multi_cell(0, 7.5, pdf.t(sec.empty_text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for e in sec.entries:
            pdf.set_font(pdf.family, "B", BODY_PT + 1)
            pdf.multi_cell(0, 8, pdf.t(e.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font(pdf.family, "", BODY_PT)
            for line in e.lines:
                pdf.set_x(pdf.l_margin + 6)
                pdf.multi_cell(0, 7.5, pdf.t(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
    return bytes(pdf.output())


def medication_entries(ml: MedicationList) -> tuple[list[Entry], list[Entry]]:
    current: list[Entry] = []
    paused: list[Entry] = []
    for o in ml.current:
        lines = [f"Hur: {o.dosage_text}"]
        if o.indication:
            lines.append(f"Mot: {o.indication}")
        period = f"Från {o.start_date:%Y-%m-%d}"
        if o.planned_end_date:
            period += f" till {o.planned_end_date:%Y-%m-%d}"
        lines.append(period)
        e = Entry(title=f"{o.product.name} {o.product.strength} ({o.product.form.lower()})", lines=lines)
        (paused if o.status == "paused" else current).append(e)
    return current, paused


def medication_list_pdf(ml: MedicationList, *, printed_by: str, unit: str) -> bytes:
    p = ml.pa.patient
    now = timezone.localtime()
    current, paused = medication_entries(ml)
    header = [f"{p.full_name}, {p.display_identifier}", f"Utskriven {now:%Y-%m-%d %H:%M} av {printed_by}, {unit}"]
    if ml.review:
        header.append(
            f"Senaste läkemedelsgenomgång: {timezone.localtime(ml.review.reviewed_at):%Y-%m-%d} ({ml.review.reviewed_by})"
        )
    sections = [Section("Läkemedel som du ska ta", current, "Inga aktuella läkemedel.")]
    if paused:
        sections.append(Section("Tillfälligt uppehåll (ta inte nu)", paused))
    return build_pdf(
        title="Min läkemedelslista",
        header_lines=header,
        sections=sections,
        footer=f"{p.full_name} – läkemedelslista {now:%Y-%m-%d}",
    )
