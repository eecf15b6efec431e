"""The downtime bundle: what one unit needs to keep working for a shift without the system.

A bundle is one file, `<HSA-id>-<UTC time>.vmdt`: a Fernet token (AES-128-CBC + HMAC-SHA256,
the `cryptography` library's well-kept format) over a ZIP that holds
- `index.html`   one static, self-contained page (no JavaScript, no outside file) for any browser,
- `oversikt.pdf` the unit's lists (ward beds, day lists, open referrals) for printing,
- `patienter.pdf` one section per listed patient (alerts, medication list, latest notes),
- `sammanfattning.txt` the same as plain text, for a terminal or a printer without a browser,
- `manifest.json` the unit, the time the bundle describes, and a SHA-256 of every file.
`driftstopp/open.py` (`downtime_open`) opens it with nothing but Python and `cryptography`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import textwrap
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from vardmiljo.models import CareUnit
from vardmiljo.registry import DOWNTIME_PATIENT_SECTIONS, DOWNTIME_UNIT_SECTIONS, DowntimeTable

FORMAT = "vardmiljo-driftstopp/1"
SUFFIX = ".vmdt"


@dataclass
class PatientPage:
    patient_id: int
    name: str
    identifier: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class Content:
    unit: CareUnit
    describes: dt.datetime
    tables: list[DowntimeTable]
    patients: list[PatientPage]

    @property
    def patient_ids(self) -> list[int]:
        return [p.patient_id for p in self.patients]


def collect(unit: CareUnit, now: dt.datetime, allowed: Callable[[set[int]], set[int]]) -> Content:
    """Every module's sections for the unit. `allowed(ids)` keeps the patients the unit has a
    care relationship with: a row naming anyone else is left out (a section cannot widen it)."""
    raw: list[DowntimeTable] = []
    for src in sorted(DOWNTIME_UNIT_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        raw += src.build(unit, now)
    ok = allowed({pid for t in raw for pid in t.patient_ids})
    tables = []
    for table in raw:
        keep = [i for i, pid in enumerate(table.patient_ids) if pid in ok]
        tables.append(
            DowntimeTable(
                title=table.title,
                columns=table.columns,
                rows=[table.rows[i] for i in keep],
                patient_ids=[table.patient_ids[i] for i in keep],
            )
        )
    order: list[int] = []
    for table in tables:
        order += [pid for pid in table.patient_ids if pid not in order]
    from driftstopp.queries import patients_named

    people = patients_named(order)
    pages = [PatientPage(pid, people[pid].full_name, people[pid].display_identifier) for pid in order if pid in people]
    for src in sorted(DOWNTIME_PATIENT_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        lines = src.build(unit, [p.patient_id for p in pages], now)
        for page in pages:
            if lines.get(page.patient_id):
                page.sections.append((src.title, lines[page.patient_id]))
    return Content(unit=unit, describes=now, tables=tables, patients=pages)


def _stamp(content: Content) -> str:
    return f"{timezone.localtime(content.describes):%Y-%m-%d %H:%M}"


def render_html(content: Content) -> str:
    return render_to_string(
        "driftstopp/bundle.html",
        {"c": content, "stamp": _stamp(content), "generated": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
    )


def render_text(content: Content) -> str:
    out = [
        _("DRIFTSTOPP – skrivskyddad kopia"),
        f"{content.unit.name} ({content.unit.hsa_id})",
        _("Läget %(t)s. Nyare uppgifter kan finnas i pappersrutinen.") % {"t": _stamp(content)},
        "",
    ]
    for t in content.tables:
        out += [f"== {t.title} ({len(t.rows)})", " | ".join(t.columns)]
        out += [" | ".join(r) for r in t.rows] or [_("(inga)")]
        out.append("")
    for p in content.patients:
        out.append(f"== {p.name}, {p.identifier}")
        for title, lines in p.sections:
            out.append(f"  {title}:")
            out += [f"    • {line}" for line in lines]
        out.append("")
    return "\n".join(out)


def _pdf() -> tuple[FPDF, str]:
    """A4 with the PDF's built-in Helvetica: Latin-1 covers Swedish, and a bundle for every unit
    every ten minutes cannot afford to embed and measure a TrueType font (measured: the
    embedded font's line breaking took two thirds of a ward's bundle)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf, "Helvetica"


def _safe(text: str, family: str) -> str:
    return text.replace("–", "-").replace("…", "...").replace("•", "-").encode("latin-1", "replace").decode("latin-1")


def _pdf_lists(content: Content) -> bytes:
    pdf, family = _pdf()
    pdf.set_title(_("Driftstopp: %(u)s") % {"u": content.unit.name})
    pdf.add_page(orientation="L")

    def line(text: str, size: int = 9, style: str = "", h: float = 4.5) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, h, _safe(text, family), new_x="LMARGIN", new_y="NEXT")

    line(_("DRIFTSTOPP – skrivskyddad kopia"), 14, "B", 7)
    line(f"{content.unit.name} ({content.unit.hsa_id}). " + _("Läget %(t)s.") % {"t": _stamp(content)}, 10)
    for t in content.tables:
        pdf.ln(2)
        line(f"{t.title} ({len(t.rows)})", 11, "B", 6)
        if not t.rows:
            line(_("(inga)"))
            continue
        pdf.set_font(family, "", 8)
        with pdf.table(text_align="LEFT", line_height=4) as table:
            table.row([_safe(c, family) for c in t.columns])
            for r in t.rows:
                table.row([_safe(v, family) for v in r])
    return bytes(pdf.output())


def _pdf_patients(content: Content) -> bytes:
    pdf, family = _pdf()
    pdf.set_title(_("Driftstopp: patienter, %(u)s") % {"u": content.unit.name})
    pdf.add_page()

    def line(text: str, size: int = 9, style: str = "", h: float = 4.5) -> None:
        # Wrapped here at Helvetica's average width: fpdf2's own line breaking measured every
        # character and took most of a bundle's time (a line may end a little short).
        pdf.set_font(family, style, size)
        width = int(pdf.epw / (size * 0.3528 * 0.56))
        for part in textwrap.wrap(_safe(text, family), width, subsequent_indent="  ") or [""]:
            pdf.cell(0, h, part, new_x="LMARGIN", new_y="NEXT")

    line(_("DRIFTSTOPP – patienter"), 14, "B", 7)
    line(f"{content.unit.name}. " + _("Läget %(t)s.") % {"t": _stamp(content)}, 10)
    if not content.patients:
        line(_("(inga patienter)"))
    for p in content.patients:
        pdf.ln(3)
        line(f"{p.name}, {p.identifier}", 11, "B", 6)
        if not p.sections:
            line(_("Inga uppgifter i paketet."))
        for title, lines in p.sections:
            line(title, 9, "B")
            for text in lines:
                line(f"• {text}")
    return bytes(pdf.output())


def pack(content: Content) -> bytes:
    """The ZIP (before encryption), files with their SHA-256 in the manifest."""
    files: dict[str, bytes] = {
        "index.html": render_html(content).encode(),
        "oversikt.pdf": _pdf_lists(content),
        "patienter.pdf": _pdf_patients(content),
        "sammanfattning.txt": render_text(content).encode(),
    }
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "unit": {"hsa_id": content.unit.hsa_id, "name": content.unit.name},
        "describes": content.describes.isoformat(),
        "written_at": timezone.now().isoformat(),
        "patients": len(content.patients),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def file_name(unit: CareUnit, now: dt.datetime) -> str:
    return f"{unit.hsa_id}-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}{SUFFIX}"
