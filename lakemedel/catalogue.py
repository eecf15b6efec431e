"""Loading the drug catalogue (NPL export, simplified) and the interaction table.

XML is parsed only with defusedxml (no entities, no external DTDs). Each bad
record is reported with its line number and reason; good records are upserted
on the NPL-id. See lakemedel/README.md for the accepted formats.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import Locator

import defusedxml.sax
from django.db import transaction

from lakemedel.dosage import ROUTES, UNITS
from lakemedel.models import Interaction, Product

DATA_DIR = Path(__file__).resolve().parent / "data"
SAMPLE_PRODUCTS = DATA_DIR / "produkter.xml"
SAMPLE_INTERACTIONS = DATA_DIR / "interaktioner.csv"

NPL_RE = re.compile(r"^\d{14}$")
ATC_RE = re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$")
FIELDS = ("namn", "substans", "styrka", "form", "atc", "dosenhet", "vag")


@dataclass
class Record:
    line: int
    attrs: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)
    packs: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return self.created + self.updated


class _ProductHandler(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[Record] = []
        self._current: Record | None = None
        self._text: list[str] = []
        self._locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 - SAX API
        self._locator = locator

    def _line(self) -> int:
        return int(self._locator.getLineNumber() or 0) if self._locator else 0

    def startElement(self, name: str, attrs: Any) -> None:  # noqa: N802
        self._text = []
        if name == "produkt":
            self._current = Record(line=self._line(), attrs={k: attrs.getValue(k) for k in attrs.getNames()})
        elif name == "forpackning" and self._current is not None:
            self._current.packs.append(attrs.get("antal", ""))

    def characters(self, content: str) -> None:
        self._text.append(content)

    def endElement(self, name: str) -> None:  # noqa: N802
        if self._current is None:
            return
        if name in FIELDS:
            self._current.fields[name] = "".join(self._text).strip()
        elif name == "produkt":
            self.records.append(self._current)
            self._current = None
        self._text = []


def parse_products(path: str | Path) -> list[Record]:
    """All <produkt> records of the file, with their line numbers (defusedxml SAX)."""
    handler = _ProductHandler()
    defusedxml.sax.parse(str(path), handler, forbid_dtd=True)
    return handler.records


def validate(rec: Record) -> dict[str, Any]:
    """The Product fields of one record, or ValueError with a Swedish reason."""
    npl = rec.attrs.get("npl-id", "").strip()
    if not NPL_RE.match(npl):
        raise ValueError(f"ogiltigt NPL-id {npl!r} (ska vara 14 siffror)")
    f = rec.fields
    for required in ("namn", "substans", "form", "atc"):
        if not f.get(required):
            raise ValueError(f"<{required}> saknas")
    atc = f["atc"].upper()
    if not ATC_RE.match(atc):
        raise ValueError(f"ogiltig ATC-kod {f['atc']!r}")
    unit = f.get("dosenhet") or "tablett"
    if unit not in UNITS:
        raise ValueError(f"okänd dosenhet {unit!r}")
    route = f.get("vag") or "oral"
    if route not in ROUTES:
        raise ValueError(f"okänd administrationsväg {route!r}")
    packs: list[int] = []
    for p in rec.packs:
        if not p.isdigit() or int(p) < 1:
            raise ValueError(f"ogiltig förpackningsstorlek {p!r}")
        packs.append(int(p))
    if not packs:
        raise ValueError('minst en <forpackning antal="…"/> krävs')
    return {
        "npl_id": npl,
        "name": f["namn"][:200],
        "substance": f["substans"][:200],
        "strength": f.get("styrka", "")[:60],
        "form": f["form"][:80],
        "atc_code": atc,
        "dose_unit": unit,
        "route": route,
        "package_sizes": sorted(set(packs)),
        "requires_indication": rec.attrs.get("indikation-kravs", "nej").lower() in ("ja", "true", "1"),
        "active": rec.attrs.get("aktiv", "ja").lower() not in ("nej", "false", "0"),
    }


def import_products(
    records: Iterable[Record],
    progress: Callable[[Iterable[Record]], Iterator[Record]] | None = None,
) -> LoadReport:
    """Upsert valid records on NPL-id; collect (line, reason) for the rest."""
    report = LoadReport()
    rows: dict[str, dict[str, Any]] = {}
    it = progress(records) if progress else iter(records)
    for rec in it:
        try:
            data = validate(rec)
        except ValueError as exc:
            report.errors.append((rec.line, str(exc)))
            continue
        if data["npl_id"] in rows:
            report.errors.append((rec.line, f"NPL-id {data['npl_id']} förekommer flera gånger; den senare används"))
        rows[data["npl_id"]] = data
    with transaction.atomic():
        existing = set(Product.objects.filter(npl_id__in=list(rows)).values_list("npl_id", flat=True))
        objs = [Product(**d) for d in rows.values()]
        Product.objects.bulk_create(
            objs,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["npl_id"],
            update_fields=[
                "name",
                "substance",
                "strength",
                "form",
                "atc_code",
                "dose_unit",
                "route",
                "package_sizes",
                "requires_indication",
                "active",
            ],
        )
    report.updated = len(existing)
    report.created = len(rows) - len(existing)
    return report


def load_interactions(path: str | Path) -> LoadReport:
    """Semicolon-separated UTF-8 CSV: atc_a;atc_b;allvarlighetsgrad;beskrivning (header row required)."""
    report = LoadReport()
    rows: dict[tuple[str, str], dict[str, str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader, None)
        if not header or [h.strip().lower() for h in header[:4]] != ["atc_a", "atc_b", "allvarlighetsgrad", "beskrivning"]:
            report.errors.append((1, "rubrikraden ska vara atc_a;atc_b;allvarlighetsgrad;beskrivning"))
            return report
        for lineno, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 4:
                report.errors.append((lineno, "för få kolumner"))
                continue
            a, b, sev, text = (c.strip() for c in row[:4])
            a, b, sev = a.upper(), b.upper(), sev.upper()
            if not ATC_RE.match(a) or not ATC_RE.match(b):
                report.errors.append((lineno, f"ogiltig ATC-kod ({a!r}, {b!r})"))
                continue
            if sev not in Interaction.Severity.values:
                report.errors.append((lineno, f"allvarlighetsgrad ska vara A, B, C eller D, inte {sev!r}"))
                continue
            if not text:
                report.errors.append((lineno, "beskrivning saknas"))
                continue
            a, b = sorted((a, b))
            rows[(a, b)] = {"severity": sev, "description": text}
    with transaction.atomic():
        existing = {(x, y) for x, y in Interaction.objects.values_list("atc_a", "atc_b")}
        Interaction.objects.bulk_create(
            [Interaction(atc_a=a, atc_b=b, **v) for (a, b), v in rows.items()],
            update_conflicts=True,
            unique_fields=["atc_a", "atc_b"],
            update_fields=["severity", "description"],
        )
    report.updated = len(existing & set(rows))
    report.created = len(rows) - report.updated
    return report


def ensure_sample() -> None:
    """Load the shipped sample when the catalogue is empty (demo, bench)."""
    if not Product.objects.exists():
        import_products(parse_products(SAMPLE_PRODUCTS))
    if not Interaction.objects.exists():
        load_interactions(SAMPLE_INTERACTIONS)
