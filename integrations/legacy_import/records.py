"""The journal export of an old record system, one JSON object per line
(UTF-8). Shaped the way old Swedish systems export: personnummer, date, unit
HSA-id, author, keyword (sökord), text, and the record type. Full description
with examples in integrations/README.md; sample: integrations/samples/journal.jsonl.

    {"id": "MEL-1", "typ": "anteckning", "pnr": "19500101-2389", "datum": "2019-03-04 10:15",
     "enhet": "SE2321000131-E000000000011", "forfattare": "Anna Läkare", "sokord": "Bedömning", "text": "…"}

Each batch: parse and validate every line (bad ones go to the error report),
resolve units and patients in bulk, claim the records' natural keys in the
ledger with one INSERT … ON CONFLICT DO NOTHING RETURNING, write only the
records whose keys were new, and make sure each patient has a care
relationship at the record's unit.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from integrations.legacy_import import sinks
from integrations.legacy_import.runner import BatchResult, Item, JobContext
from vardmiljo.identifiers import parse_patient_id
from vardmiljo.models import CareRelationship, Patient

STOCKHOLM = ZoneInfo("Europe/Stockholm")

KINDS = {
    "anteckning": "note",
    "journalanteckning": "note",
    "diagnos": "diagnosis",
    "matvarde": "observation",
    "mätvärde": "observation",
    "ordination": "medication_order",
    "lakemedel": "medication_order",
}


@dataclass
class Record:
    line: int
    kind: str
    key: str
    identifier: str
    unit_id: int
    when: dt.datetime
    author: str
    keyword: str
    text: str
    data: dict[str, Any]
    given_name: str = ""
    family_name: str = ""
    patient_id: int = 0
    object_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, *names: str) -> str:
        for n in names:
            v = self.data.get(n)
            if v not in (None, ""):
                return str(v).strip()
        return ""

    def decimal(self, *names: str) -> Decimal | None:
        raw = self.get(*names).replace(",", ".")
        if not raw:
            return None
        try:
            return Decimal(raw)
        except InvalidOperation:
            return None


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class Reject(Exception):
    pass


@dataclass
class Prepared:
    items: list[Item]
    result: BatchResult
    records: list[Record]


def parse_date(raw: Any, latest: dt.datetime | None = None) -> dt.datetime:
    text = str(raw or "").strip()
    if not text:
        raise Reject("Datum saknas.")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Reject(f"Ogiltigt datum {text!r} (väntat ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DD TT:MM).") from None
    if value.tzinfo is None:
        if len(text) == 10:
            value = value.replace(hour=12)  # a date without time: midday, so the day never shifts with time zones
        value = value.replace(tzinfo=STOCKHOLM)
    if value > (latest or timezone.now() + dt.timedelta(days=1)):
        raise Reject(f"Datumet {text} ligger i framtiden.")
    return value


def natural_key(kind: str, data: dict[str, Any]) -> str:
    """The export's own record id when it has one, else a hash of the record's content."""
    rid = str(data.get("id") or "").strip()
    if rid:
        return f"{kind}:{rid}"[:120]
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{kind}:sha:{hashlib.sha256(canonical.encode()).hexdigest()}"


class JsonLinesFormat:
    def items(self, path: Path) -> Iterator[Item]:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, start=1):
                if line.strip():
                    yield Item(line=n, text=line.rstrip("\n"))

    def _parse(self, ctx: JobContext, item: Item, pid_cache: dict[str, str], latest: dt.datetime) -> Record:
        try:
            data = json.loads(item.text)
        except json.JSONDecodeError as exc:
            raise Reject(f"Raden är inte giltig JSON ({exc.msg}, tecken {exc.pos}).") from None
        if not isinstance(data, dict):
            raise Reject("Raden är inte ett JSON-objekt.")
        if _has_nul(data):
            raise Reject("Raden innehåller ett NUL-tecken (\\u0000), som inte kan lagras.")
        typ = str(data.get("typ") or "").strip().lower()
        kind = KINDS.get(typ)
        if kind is None:
            raise Reject(f"Okänd posttyp {typ!r} (anteckning, diagnos, matvarde, ordination).")
        raw_pnr = str(data.get("pnr") or data.get("personnummer") or "").strip()
        if not raw_pnr:
            raise Reject("Personnummer saknas.")
        identifier = pid_cache.get(raw_pnr)
        if identifier is None:
            try:
                identifier = parse_patient_id(raw_pnr).value
            except ValidationError as exc:
                raise Reject(f"Ogiltigt personnummer {raw_pnr}: {exc.messages[0]}") from None
            pid_cache[raw_pnr] = identifier
        when = parse_date(data.get("datum"), latest)
        hsa = str(data.get("enhet") or data.get("enhet_hsa") or "").strip()
        if not hsa:
            raise Reject("Vårdenhetens HSA-id saknas.")
        unit_id = ctx.units.get(hsa.upper())
        if unit_id is None:
            raise Reject(f"Okänd vårdenhet {hsa}.")
        rec = Record(
            line=item.line,
            kind=kind,
            key=natural_key(kind, data),
            identifier=identifier,
            unit_id=unit_id,
            when=when,
            author=str(data.get("forfattare") or "").strip()[:200],
            keyword=str(data.get("sokord") or "").strip()[:100],
            text=str(data.get("text") or "").strip(),
            data=data,
            given_name=str(data.get("fornamn") or "").strip()[:100],
            family_name=str(data.get("efternamn") or "").strip()[:100],
        )
        sinks.validate(rec)
        return rec

    def prepare(self, ctx: JobContext, items: list[Item]) -> Prepared:
        """Parse and validate a batch without the database (runs in a helper
        thread while the previous batch is being written)."""
        result = BatchResult()
        records: list[Record] = []
        seen: set[str] = set()
        pid_cache: dict[str, str] = ctx.scratch.setdefault("pid_cache", {})
        if len(pid_cache) > 200_000:
            pid_cache.clear()
        latest = timezone.now() + dt.timedelta(days=1)
        for item in items:
            try:
                rec = self._parse(ctx, item, pid_cache, latest)
            except (Reject, sinks.Reject) as exc:
                result.error(item, str(exc))
                continue
            if rec.key in seen:  # the same record twice in one file
                result.skipped += 1
                continue
            seen.add(rec.key)
            records.append(rec)
        return Prepared(items=items, result=result, records=records)

    def process(self, ctx: JobContext, prepared: Prepared) -> BatchResult:
        items, result, records = prepared.items, prepared.result, prepared.records
        by_line = {i.line: i for i in items}
        records = self._resolve_patients(ctx, records, result, by_line)
        records = sinks.resolve(records, result, by_line)
        if not records:
            return result
        if ctx.dry_run:
            existing = _existing_keys(ctx.source, [r.key for r in records])
            for r in records:
                if r.key in existing:
                    result.skipped += 1
                else:
                    result.created += 1
                    result.counts[r.kind] += 1
            return result
        # One statement claims the keys and draws each new record's id from its
        # target table's sequence, so the ledger row names its target at once.
        new_ids = _claim_keys(ctx, records)
        fresh = []
        for r in records:
            if r.key in new_ids:
                r.object_id = new_ids[r.key]
                fresh.append(r)
        result.skipped += len(records) - len(fresh)
        if not fresh:
            return result
        by_kind: dict[str, list[Record]] = {}
        for r in fresh:
            by_kind.setdefault(r.kind, []).append(r)
        for kind, recs in by_kind.items():
            sinks.write(kind, ctx, recs)
            result.counts[kind] += len(recs)
            result.created += len(recs)
        _ensure_relationships(ctx, {(r.patient_id, r.unit_id) for r in fresh}, result)
        return result

    def _resolve_patients(
        self, ctx: JobContext, records: list[Record], result: BatchResult, by_line: dict[int, Item]
    ) -> list[Record]:
        # Raw "= ANY(array)": Django's __in would prepare thousands of values one by one.
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT identifier, id, merged_into_id FROM {Patient._meta.db_table} WHERE identifier = ANY(%s)",
                [list({r.identifier for r in records})],
            )
            found = {ident: (merged or pk) for ident, pk, merged in cur.fetchall()}
        missing: dict[str, Record] = {}
        for r in records:
            if r.identifier not in found and r.identifier not in missing and r.given_name and r.family_name:
                missing[r.identifier] = r
        if missing and not ctx.dry_run:
            new = []
            for ident, r in missing.items():
                pid = parse_patient_id(ident)
                new.append(
                    Patient(
                        identifier=pid.value,
                        id_kind=pid.kind,
                        given_name=r.given_name,
                        family_name=r.family_name,
                        birth_date=pid.birth_date,
                        sex=pid.sex,
                    )
                )
            Patient.objects.bulk_create(new, ignore_conflicts=True)
            with connection.cursor() as cur:
                cur.execute(f"SELECT identifier, id FROM {Patient._meta.db_table} WHERE identifier = ANY(%s)", [list(missing)])
                created = dict(cur.fetchall())
            found.update(created)
            result.detail["patients_registered"] = sorted(created.values())
        elif missing:
            found.update({ident: 0 for ident in missing})
        kept = []
        for r in records:
            pk = found.get(r.identifier)
            if pk is None:
                result.error(
                    by_line[r.line],
                    f"Patienten {r.identifier[:8]}-{r.identifier[8:]} finns inte i vårdmiljön "
                    "(importera ADT först eller ange fornamn och efternamn).",
                )
                continue
            r.patient_id = pk
            kept.append(r)
        return kept


def _existing_keys(source: str, keys: list[str]) -> set[str]:
    from integrations.models import ImportedRecord

    return set(ImportedRecord.objects.filter(source=source, key__in=keys).values_list("key", flat=True))


def _claim_keys(ctx: JobContext, records: list[Record]) -> dict[str, int]:
    """Insert the batch's keys into the ledger (ON CONFLICT DO NOTHING); returns
    the new keys with the id drawn for each. A key that an earlier run or an
    earlier, committed batch holds is skipped."""
    now = timezone.now()
    keys_by_kind: dict[str, list[str]] = {}
    for r in records:
        keys_by_kind.setdefault(r.kind, []).append(r.key)
    claimed: dict[str, int] = {}
    with connection.cursor() as cur:
        for kind, keys in keys_by_kind.items():
            # One statement per kind, so the sequence is a constant the planner resolves once.
            cur.execute(
                "INSERT INTO integrations_importedrecord (source, key, kind, job_id, object_type, object_id, imported_at) "
                "SELECT %s, k, %s, %s, %s, nextval(%s::regclass), %s FROM unnest(%s::text[]) AS u(k) "
                "ON CONFLICT (source, key) DO NOTHING RETURNING key, object_id",
                [ctx.source, kind, ctx.job.pk, sinks.object_label(kind), sinks.sequence(kind), now, keys],
            )
            claimed.update(cur.fetchall())
    return claimed


def _ensure_relationships(ctx: JobContext, pairs: set[tuple[int, int]], result: BatchResult) -> None:
    """Each imported patient gets a care relationship at the record's unit (ground
    "import"). Pairs that already have an active relationship there are found in
    one query; the rest are bulk-created here rather than one by one through
    `care_relationship_ensure` (about 13 ms a call with its own audit row: a
    migration of 5,000 new patients per batch would spend a minute on it).
    The batch's one access-log row lists them instead (detail "care_relationships")."""
    if not pairs:
        return
    now = timezone.now()
    patient_ids = {p for p, _ in pairs}
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT patient_id, unit_id FROM {CareRelationship._meta.db_table} WHERE patient_id = ANY(%s) "
            "AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)",
            [list(patient_ids), now, now],
        )
        have = set(cur.fetchall())
    missing = sorted(pairs - have)
    CareRelationship.objects.bulk_create(
        [
            CareRelationship(
                patient_id=p,
                unit_id=u,
                ground=CareRelationship.Ground.IMPORT,
                valid_from=now,
                created_by=ctx.actor.staff,
                reason=f"Migrerad från {ctx.source}"[:200],
            )
            for p, u in missing
        ],
        batch_size=5000,
    )
    if missing:
        result.detail["care_relationships"] = [[p, u] for p, u in missing]


_BAD_ROW = "#fel-antal-fält#"


class CsvFormat(JsonLinesFormat):
    """The same export as CSV with a header row of the same keys (`typ;pnr;datum;enhet;…`),
    separated by semicolon (Swedish Excel) or comma, UTF-8 with or without BOM. A record's
    line is the file line where it starts (a quoted text may span lines)."""

    def items(self, path: Path) -> Iterator[Item]:
        with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
            header = fh.readline()
            delimiter = ";" if header.count(";") >= header.count(",") else ","
            names = next(csv.reader([header], delimiter=delimiter))
            names = [n.strip().lower() for n in names]
            reader = csv.reader(fh, delimiter=delimiter)
            start = 2
            for row in reader:
                line, start = start, reader.line_num + 2  # + the header line read before the reader
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(names):
                    yield Item(line=line, text=f"{_BAD_ROW}{len(row)} fält, rubrikraden har {len(names)}")
                    continue
                yield Item(
                    line=line, text=json.dumps({k: v for k, v in zip(names, row, strict=True) if v.strip()}, ensure_ascii=False)
                )

    def _parse(self, ctx: JobContext, item: Item, pid_cache: dict[str, str], latest: dt.datetime) -> Record:
        if item.text.startswith(_BAD_ROW):
            raise Reject(f"Fel antal fält på raden: {item.text[len(_BAD_ROW) :]}.")
        return super()._parse(ctx, item, pid_cache, latest)


FORMAT = JsonLinesFormat()
CSV_FORMAT = CsvFormat()
