"""Code systems (ICD-10-SE, KVÅ): loading files, normalising codes, searching,
and the defaults every installation starts with (curated codes, templates).

Accepted file format (both `load_codes icd10` and `load_codes kva`):
one code per line, `code<separator>text`, where the separator is a TAB or a
semicolon; UTF-8 (with or without BOM), or Windows-1252 as fallback; lines
starting with `#` and a first line whose first column is not a code (a
header such as `Kod;Text`) are skipped. ICD-10-SE codes may be written with or
without the dot (`J069` = `J06.9`). Existing codes are updated, new ones
added; codes missing from the file are kept but marked inactive only with
`--deactivate-missing`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When

from journal.models import DiagnosisCode, NoteTemplate, ProcedureCode, TemplateHeading

DATA_DIR = Path(__file__).resolve().parent / "data"
CURATED = {"icd10": DATA_DIR / "icd10_se_common.tsv", "kva": DATA_DIR / "kva_common.tsv"}
MODELS: dict[str, type[DiagnosisCode] | type[ProcedureCode]] = {"icd10": DiagnosisCode, "kva": ProcedureCode}

_ICD = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
_KVA = re.compile(r"^[A-Z]{2,3}[0-9]{2,3}[A-Z0-9]?$")


def normalize(system: str, raw: str) -> str:
    code = (raw or "").strip().upper().replace(" ", "")
    if system == "icd10":
        code = code.replace(",", ".")
        if "." not in code and len(code) > 3:
            code = f"{code[:3]}.{code[3:]}"
        code = code.rstrip(".")
    return code


def looks_like_code(system: str, code: str) -> bool:
    return bool((_ICD if system == "icd10" else _KVA).match(code))


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    deactivated: int = 0


def _read_lines(path: Path) -> list[str]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return text.splitlines()


def parse_file(system: str, path: Path) -> tuple[dict[str, str], int]:
    """{code: text} from a file in the documented format, and the number of lines skipped."""
    rows: dict[str, str] = {}
    skipped = 0
    for i, line in enumerate(_read_lines(path)):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t") if "\t" in line else line.split(";")
        if len(parts) < 2:
            skipped += 1
            continue
        code = normalize(system, parts[0].strip().strip('"'))
        text = parts[1].strip().strip('"')
        if not looks_like_code(system, code) or not text:
            skipped += 1 if i else 0  # a header line is not an error
            continue
        rows[code] = text[:300]
    return rows, skipped


@transaction.atomic
def load_codes(system: str, path: Path, *, common: bool = False, deactivate_missing: bool = False) -> LoadResult:
    model = MODELS[system]
    rows, skipped = parse_file(system, path)
    result = LoadResult(skipped=skipped)
    existing = {c.code: c for c in model.objects.all()}
    new, changed = [], []
    for code, text in rows.items():
        obj = existing.get(code)
        if obj is None:
            new.append(model(code=code, text=text, active=True, common=common))
        elif obj.text != text or not obj.active or (common and not obj.common):
            obj.text, obj.active = text, True
            obj.common = obj.common or common
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=5000)  # type: ignore[arg-type]
    model.objects.bulk_update(changed, ["text", "active", "common"], batch_size=5000)  # type: ignore[arg-type]
    result.created, result.updated = len(new), len(changed)
    if deactivate_missing:
        result.deactivated = model.objects.filter(active=True).exclude(code__in=list(rows)).update(active=False)
    return result


def search(system: str, query: str, limit: int = 10) -> list[DiagnosisCode] | list[ProcedureCode]:
    """Codes whose code starts with, or whose text contains, the query; the curated ones first."""
    model = MODELS[system]
    q = (query or "").strip()
    if not q:
        return []
    code_q = normalize(system, q.split()[0]) if q.split() else ""
    cond = Q(text__icontains=q)
    if code_q:
        cond |= Q(code__startswith=code_q)
    qs = (
        model.objects.filter(cond, active=True)
        .annotate(_exact=Case(When(code=code_q, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("_exact", "-common", "code")
    )
    return list(qs[:limit])  # type: ignore[return-value]


def lookup(system: str, code: str) -> DiagnosisCode | ProcedureCode | None:
    return MODELS[system].objects.filter(code=normalize(system, code), active=True).first()


DEFAULT_TEMPLATES = [
    ("Läkaranteckning", "Läkaranteckning", "physician", ["Aktuellt", "Anamnes", "Status", "Bedömning", "Åtgärd"]),
    (
        "Omvårdnadsanteckning (VIPS)",
        "Omvårdnadsanteckning",
        "nurse",
        ["Omvårdnadsanamnes", "Omvårdnadsstatus", "Omvårdnadsdiagnos", "Omvårdnadsmål", "Omvårdnadsåtgärd", "Omvårdnadsresultat"],
    ),
    ("Telefonanteckning", "Telefonanteckning", "", ["Kontaktorsak", "Aktuellt", "Bedömning", "Åtgärd"]),
    (
        "Fysioterapeutanteckning",
        "Fysioterapeutanteckning",
        "physiotherapist",
        ["Anamnes", "Status", "Bedömning", "Mål", "Åtgärd"],
    ),
]


# The ward's nursing templates (VIPS), added by migration 0004 to installations that
# already have the defaults above.
VIPS_KEYWORDS = [
    "Kommunikation",
    "Kunskap/Utveckling",
    "Andning/Cirkulation",
    "Nutrition",
    "Elimination",
    "Hud/vävnad",
    "Aktivitet",
    "Sömn",
    "Smärta/Sensorisk",
    "Sexualitet/Reproduktion",
    "Psykosocialt",
    "Andligt/Kulturellt",
    "Välbefinnande",
]
NURSING_TEMPLATES = [
    (
        "Inskrivningsbedömning omvårdnad (VIPS)",
        "Inskrivningsbedömning omvårdnad",
        "nurse",
        ["Omvårdnadsanamnes", *VIPS_KEYWORDS, "Riskbedömning", "Omvårdnadsdiagnos", "Omvårdnadsmål", "Planerade åtgärder"],
    ),
    (
        "Daglig omvårdnadsanteckning (VIPS)",
        "Omvårdnadsanteckning",
        "nurse",
        [*VIPS_KEYWORDS, "Omvårdnadsåtgärd", "Omvårdnadsresultat"],
    ),
    (
        "Omvårdnadsepikris",
        "Omvårdnadsepikris",
        "nurse",
        [
            "Inskrivningsorsak",
            "Omvårdnadsförlopp",
            "Omvårdnadsstatus vid utskrivning",
            "Riskbedömningar",
            "Kvarstående omvårdnadsbehov",
            "Hjälpmedel",
            "Information till patient och närstående",
            "Uppföljning",
        ],
    ),
]


def ensure_nursing_templates(template_model: Any = None, heading_model: Any = None) -> None:
    """Add the nursing templates missing by name (the migration passes its historical models)."""
    tpl = template_model or NoteTemplate
    head = heading_model or TemplateHeading
    for order, (name, note_type, profession, headings) in enumerate(NURSING_TEMPLATES):
        if tpl.objects.filter(name=name).exists():
            continue
        t = tpl.objects.create(name=name, note_type=note_type, profession=profession, order=15 + order, active=True)
        head.objects.bulk_create([head(template=t, title=h, order=i) for i, h in enumerate(headings)])


def ensure_defaults() -> None:
    """The curated code lists and the default templates, when the tables are empty."""
    for system, path in CURATED.items():
        if not MODELS[system].objects.exists():
            load_codes(system, path, common=True)
    if not NoteTemplate.objects.exists():
        for order, (name, note_type, profession, headings) in enumerate(DEFAULT_TEMPLATES):
            t = NoteTemplate.objects.create(name=name, note_type=note_type, profession=profession, order=order * 10)
            TemplateHeading.objects.bulk_create([TemplateHeading(template=t, title=h, order=i) for i, h in enumerate(headings)])
    ensure_nursing_templates()
