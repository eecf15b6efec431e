"""Bulk writers into the clinical apps' tables.

Imported rows carry `source_system` and the legacy author's name as text;
notes get status IMPORTED (journal.Note.Status.IMPORTED): they are not signed
by anyone here, and a later correction keeps their original text as version 1.
Medication orders need a prescriber: the import's system account, with the
legacy author kept in the version's reason.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from integrations.legacy_import.sinks import Reject

if TYPE_CHECKING:
    from integrations.legacy_import.records import Record
    from integrations.legacy_import.runner import JobContext

DEFAULT_NOTE_TYPE = "Journalanteckning (migrerad)"
DOSAGE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*[xX×*]\s*(\d{1,2})\s*$")


def copy_insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert with COPY; each row starts with its id (drawn from the table's sequence)."""
    if not rows:
        return
    with connection.cursor() as cur:
        raw = cur.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} (id, {', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


NOTE_COLUMNS = [
    "patient_id",
    "unit_id",
    "note_type",
    "headings",
    "text",
    "status",
    "author_name",
    "author_profession",
    "event_at",
    "created_at",
    "updated_at",
    "version_no",
    "revision",
    "edit_session",
    "entered_in_error",
    "error_reason",
    "source_system",
    "source_id",
]


def write_notes(ctx: JobContext, recs: list[Record]) -> None:
    """Notes go in with COPY: the bulk of every migration, and the import's speed goal."""
    from journal.models import Note, headings_text

    now = timezone.now()
    status = Note.Status.IMPORTED.value
    rows = []
    for r in recs:
        headings = [{"heading": r.keyword or "Anteckning", "text": r.text}]
        rows.append(
            (
                r.object_id,
                r.patient_id,
                r.unit_id,
                (r.get("anteckningstyp") or DEFAULT_NOTE_TYPE)[:60],
                json.dumps(headings, ensure_ascii=False),
                headings_text(headings),
                status,
                r.author,
                r.get("yrke")[:30],
                r.when,
                now,
                now,
                1,
                1,
                "",
                False,
                "",
                ctx.source,
                str(r.data.get("id") or "")[:100],
            )
        )
    copy_insert(Note._meta.db_table, NOTE_COLUMNS, rows)


def write_diagnoses(ctx: JobContext, recs: list[Record]) -> None:
    from journal import codes
    from journal.models import Diagnosis

    rows = []
    for r in recs:
        code = r.extra["code"]
        known = codes.lookup("icd10", code)
        status = Diagnosis.Status.RESOLVED if r.get("status").lower() in ("inaktuell", "resolved") else Diagnosis.Status.ACTIVE
        rows.append(
            Diagnosis(
                pk=r.object_id,
                patient_id=r.patient_id,
                unit_id=r.unit_id,
                code=code,
                code_text=(r.text or (known.text if known else ""))[:300],
                recorded_at=r.when,
                author_name=r.author,
                source_system=ctx.source,
                status=status,
                kind=Diagnosis.Kind.SECONDARY
                if r.get("diagnostyp").lower() in ("bidiagnos", "secondary")
                else Diagnosis.Kind.MAIN,
                onset_date=r.when.date(),
            )
        )
    Diagnosis.objects.bulk_create(rows, batch_size=2000)


def write_observations(ctx: JobContext, recs: list[Record]) -> None:
    from journal.models import Observation

    rows = [
        Observation(
            pk=r.object_id,
            patient_id=r.patient_id,
            unit_id=r.unit_id,
            observed_at=r.when,
            author_name=r.author,
            source_system=ctx.source,
            **r.extra,
        )
        for r in recs
    ]
    Observation.objects.bulk_create(rows, batch_size=2000)


def _dosage(r: Record) -> dict[str, Any]:
    # lakemedel.models.Frequency values; kept as text so parsing needs no model import in the helper thread.
    text = r.get("dosering").lower()
    if r.get("vid_behov").lower() in ("1", "true", "ja") or "vid behov" in text:
        dose = r.get("dos") or (text.split()[0] if text[:1].isdigit() else "1")
        return {"dose": dose, "frequency": "prn", "times": None}
    if r.get("dos") and r.get("ganger"):
        return {"dose": r.get("dos"), "frequency": "regular", "times": r.get("ganger")}
    m = DOSAGE.match(text)
    if m:
        return {"dose": m.group(1), "frequency": "regular", "times": m.group(2)}
    raise Reject(f"Doseringen {r.get('dosering')!r} kan inte tolkas (t.ex. 1x2, eller dos och ganger).")


def parse_dosage(r: Record) -> None:
    """The dosage, checked without the database."""
    d = _dosage(r)
    try:
        dose = Decimal(str(d["dose"]).replace(",", "."))
        times = int(d["times"]) if d["times"] is not None else None
    except (InvalidOperation, ValueError):
        raise Reject(f"Doseringen {r.get('dosering') or r.get('dos')!r} kan inte tolkas.") from None
    if not dose.is_finite() or dose <= 0 or (times is not None and not 1 <= times <= 24):
        raise Reject("Dos och antal gånger per dygn måste vara rimliga (1–24 gånger).")
    r.extra.update(dose=dose, times=times, frequency=d["frequency"])


def resolve_products(recs: list[Record]) -> dict[int, str]:
    """Find each order's product in the catalogue (by NPL-id, else the first
    active product with the ATC code), two queries per batch. Returns the
    lines of the records that fail, with the reason."""
    from lakemedel.models import Product

    npls = {r.get("npl_id") for r in recs if r.get("npl_id")}
    atcs = {r.extra.get("atc", "") for r in recs if r.extra.get("atc")}
    by_npl = {p.npl_id: p for p in Product.objects.filter(active=True, npl_id__in=npls)}
    by_atc: dict[str, Any] = {}
    for p in Product.objects.filter(active=True, atc_code__in=atcs).order_by("name", "strength", "pk"):
        by_atc.setdefault(p.atc_code, p)
    bad: dict[int, str] = {}
    for r in recs:
        npl, atc = r.get("npl_id"), r.extra.get("atc", "")
        product = by_npl.get(npl) or by_atc.get(atc)
        if product is None:
            bad[r.line] = f"Läkemedlet finns inte i produktregistret (NPL-id {npl or '–'}, ATC {atc or '–'})."
        else:
            r.extra["product"] = product
    return bad


def write_medication_orders(ctx: JobContext, recs: list[Record]) -> None:
    from lakemedel.models import MedicationOrder, MedicationOrderVersion

    prescriber = ctx.actor.staff
    now = timezone.now()
    orders = []
    for r in recs:
        p = r.extra["product"]
        ended = r.get("utsatt")
        orders.append(
            MedicationOrder(
                pk=r.object_id,
                patient_id=r.patient_id,
                unit_id=r.unit_id,
                product=p,
                substance=p.substance,
                atc_code=p.atc_code,
                dose=r.extra["dose"],
                dose_unit=(r.get("dosenhet") or p.dose_unit)[:30],
                route=p.route,
                frequency=r.extra["frequency"],
                times=r.extra["times"],
                period="day",
                indication=r.get("indikation")[:200],
                start_date=r.when.date(),
                prescriber=prescriber,
                status=MedicationOrder.Status.DISCONTINUED if ended else MedicationOrder.Status.ACTIVE,
                discontinued_reason=f"Utsatt i {ctx.source} {ended}" if ended else "",
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
    MedicationOrder.objects.bulk_create(orders, batch_size=2000)
    fields = (
        "product",
        "substance",
        "atc_code",
        "dose",
        "dose_unit",
        "route",
        "frequency",
        "times",
        "period",
        "prn_max_per_day",
        "indication",
        "start_date",
        "planned_end_date",
        "prescriber",
    )
    MedicationOrderVersion.objects.bulk_create(
        [
            MedicationOrderVersion(
                order=o,
                patient_id=o.patient_id,
                unit_id=o.unit_id,
                version=1,
                kind=MedicationOrderVersion.Kind.CREATED,
                status=o.status,
                changed_by=prescriber,
                changed_at=now,
                reason=f"Migrerad från {ctx.source}; ordinatör där: {r.author or 'okänd'}"[:500],
                **{f: getattr(o, f) for f in fields},
            )
            for o, r in zip(orders, recs, strict=True)
        ],
        batch_size=2000,
    )


WRITERS = {
    "note": ("journal.note", write_notes),
    "diagnosis": ("journal.diagnosis", write_diagnoses),
    "observation": ("journal.observation", write_observations),
    "medication_order": ("lakemedel.medicationorder", write_medication_orders),
}
