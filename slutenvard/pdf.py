"""The discharge summary (epikris) for the patient as PDF, in plain Swedish, with the
journal's PDF machinery (fpdf2 and its shipped font)."""

from __future__ import annotations

from django.utils import timezone

from journal.models import Note
from journal.pdf import _pdf, _safe
from slutenvard.models import Stay

PLAIN = {
    "Orsak till inskrivning": "Varför du var inlagd",
    "Diagnoser": "Dina diagnoser",
    "Åtgärder": "Undersökningar och behandlingar",
    "Förlopp": "Hur vårdtiden gick",
    "Resultat": "Provsvar och mätvärden",
    "Läkemedelsförändringar": "Ändringar i dina läkemedel",
    "Uppföljning": "Vad som händer nu",
}


def render(*, stay: Stay, note: Note, printed_by: str, unit: str) -> bytes:
    patient = stay.patient
    pdf, family = _pdf()
    pdf.set_title("Epikris")
    pdf.add_page()

    def line(text: str, size: int = 11, style: str = "", h: float = 6) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, h, _safe(text, family), new_x="LMARGIN", new_y="NEXT")

    line("Sammanfattning av din vårdtid (epikris)", 16, "B", 8)
    line(f"{patient.full_name}, {patient.display_identifier}", 12, "B", 7)
    admitted = timezone.localtime(stay.admitted_at).strftime("%Y-%m-%d")
    discharged = timezone.localtime(stay.discharged_at).strftime("%Y-%m-%d") if stay.discharged_at else "–"
    line(f"Inlagd på {stay.ward.unit.name}, {stay.ward.hospital.name}, från {admitted} till {discharged}.", 10)
    if stay.pal:
        line(f"Ansvarig läkare: {stay.pal}", 10)
    pdf.ln(3)
    for h in note.headings:
        text = (h.get("text") or "").strip()
        if text:
            line(PLAIN.get(h.get("heading", ""), h.get("heading", "")), 12, "B", 7)
            line(text)
            pdf.ln(2)
    signed = timezone.localtime(note.signed_at).strftime("%Y-%m-%d %H:%M") if note.signed_at else ""
    pdf.ln(2)
    line(
        f"Signerad {signed} av {note.signed_by or note.author_name}. Utskriven {timezone.localtime():%Y-%m-%d %H:%M} av {printed_by}, {unit}.",
        8,
    )
    line("Har du frågor? Ring avdelningen eller din vårdcentral.", 9)
    return bytes(pdf.output())
