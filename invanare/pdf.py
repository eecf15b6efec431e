"""The resident's own copy of "my record" as PDF (fpdf2, the journal's shipped font)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from journal.pdf import _pdf, _safe


def render_record(rec: Any) -> bytes:
    pdf, family = _pdf()
    pdf.set_title("Min journal")
    pdf.add_page()

    def line(text: str, size: int = 10, style: str = "", h: float = 5) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, h, _safe(text, family), new_x="LMARGIN", new_y="NEXT")

    p = rec.patient
    line(f"Min journal – {p.full_name}, {p.display_identifier}", 14, "B", 8)
    line(f"Utskriven {timezone.localtime():%Y-%m-%d %H:%M} från e-tjänsten", 8)
    line("Uppmärksamhetssignaler", 12, "B", 7)
    for a in rec.alerts:
        line(f"• {a.substance} ({a.get_severity_display()})")
    if not rec.alerts:
        line("Inga.")
    line("Diagnoser", 12, "B", 7)
    for d in rec.diagnoses:
        line(f"• {d.code} {d.code_text} ({d.recorded_at:%Y-%m-%d})")
    if not rec.diagnoses:
        line("Inga.")
    line("Läkemedel", 12, "B", 7)
    for o in rec.medications.current:
        line(f"• {o.product.name if o.product_id else ''} – {getattr(o, 'dosage_text', '')}")
    if not rec.medications.current:
        line("Inga.")
    line("Remisser", 12, "B", 7)
    for r in rec.referrals:
        line(f"• {r.sent_at:%Y-%m-%d} till {r.receiver_unit.name}: {r.get_status_display()}")
    if not rec.referrals:
        line("Inga.")
    line("Bokade besök", 12, "B", 7)
    for b in rec.bookings:
        line(f"• {timezone.localtime(b.starts_at):%Y-%m-%d %H:%M} {b.unit_name}")
    if not rec.bookings:
        line("Inga.")
    line("Anteckningar", 12, "B", 7)
    for n in rec.notes:
        line(f"{timezone.localtime(n.event_at):%Y-%m-%d} {n.note_type} – {n.unit.name} ({n.author_name})", 10, "B")
        line(n.text or "")
    return bytes(pdf.output())
