"""The patient's copy of the record as PDF (fpdf2). Uses the DejaVu font
shipped in journal/data/ (full Unicode); falls back to the built-in
Helvetica (Latin-1, which covers å, ä, ö) if the font file is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone
from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "data"  # flat: pyproject ships data/* only


def _pdf() -> tuple[FPDF, str]:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return pdf, "DejaVu"
    return pdf, "Helvetica"


def _safe(text: str, family: str) -> str:
    if family == "DejaVu":
        return text
    return text.encode("latin-1", "replace").decode("latin-1")


def render(selection: dict[str, Any], *, printed_by: str, unit: str) -> bytes:
    pa = selection["pa"]
    patient = pa.patient
    pdf, family = _pdf()
    pdf.set_title("Journalkopia")
    pdf.add_page()

    def line(text: str, size: int = 10, style: str = "", h: float = 5) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, h, _safe(text, family), new_x="LMARGIN", new_y="NEXT")

    line("Journalkopia", 16, "B", 8)
    line(f"{patient.full_name}, {patient.display_identifier}", 12, "B", 6)
    line(f"Utskriven {timezone.localtime():%Y-%m-%d %H:%M} av {printed_by}, {unit}", 9)
    pdf.ln(3)
    if selection.get("allergies"):
        line("Uppmärksamhetssignal", 12, "B", 6)
        for a in selection["allergies"]:
            line(f"• {a.get_kind_display()}: {a.substance} ({a.get_severity_display()})")
        pdf.ln(2)
    if selection.get("diagnoses"):
        line("Aktuella diagnoser", 12, "B", 6)
        for d in selection["diagnoses"]:
            line(f"• {d.code} {d.code_text}")
        pdf.ln(2)
    if selection.get("observations"):
        line("Senaste mätvärden", 12, "B", 6)
        for o in selection["observations"]:
            line(f"• {o.get_kind_display()}: {o.display} ({timezone.localtime(o.observed_at):%Y-%m-%d})")
        pdf.ln(2)
    line("Anteckningar", 12, "B", 6)
    if not selection["notes"]:
        line("Inga anteckningar i urvalet.")
    for n in selection["notes"]:
        pdf.ln(1)
        head = f"{timezone.localtime(n.event_at):%Y-%m-%d %H:%M}  {n.note_type}  –  {n.unit.name}"
        line(head, 10, "B")
        meta = f"{n.author_name or ''}"
        if n.status == "imported":
            meta += f" (migrerad från {n.source_system})"
        if n.version_no > 1:
            meta += f", rättad version {n.version_no}"
        line(meta, 8)
        if n.entered_in_error:
            line(f"FELAKTIGT REGISTRERAD: {n.error_reason}", 9, "B")
        for h in n.headings:
            if (h.get("text") or "").strip():
                line(h.get("heading", ""), 9, "B")
                line(h["text"])
    return bytes(pdf.output())
