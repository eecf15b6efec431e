"""Where imported records go: the clinical apps' tables, written in bulk.

One writer per record kind: `validate(rec)` rejects what the target cannot
hold (with a Swedish reason for the error report), `write(kind, ctx, recs)`
bulk-inserts the batch and returns the new rows' ids in order.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from integrations.legacy_import.records import Record
    from integrations.legacy_import.runner import BatchResult, Item, JobContext

ICD10 = re.compile(r"^[A-Z]\d{2}(\.?[0-9A-Z]{1,4})?$")
ATC = re.compile(r"^[A-Z]\d{2}[A-Z]{0,2}\d{0,2}$")


class Reject(Exception):
    pass


def validate(rec: Record) -> None:
    if rec.kind == "note":
        if not rec.text:
            raise Reject("Anteckningen saknar text.")
    elif rec.kind == "diagnosis":
        code = rec.get("kod").upper()
        if not ICD10.match(code):
            raise Reject(f"Ogiltig diagnoskod {code!r} (ICD-10-SE, t.ex. E11.9).")
        rec.extra["code"] = code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"
    elif rec.kind == "observation":
        from integrations.legacy_import import observations

        observations.validate(rec)
    elif rec.kind == "medication_order":
        atc = rec.get("atc").upper()
        if atc and not ATC.match(atc):
            raise Reject(f"Ogiltig ATC-kod {atc!r}.")
        if not atc and not rec.get("lakemedel"):
            raise Reject("Ordinationen saknar läkemedel (lakemedel eller atc).")
        rec.extra["atc"] = atc
        from integrations.legacy_import import targets

        targets.parse_dosage(rec)


def resolve(recs: list[Record], result: BatchResult, by_line: dict[int, Item]) -> list[Record]:
    """Checks that need the database, for the whole batch at once (the medication
    catalogue); records that fail go to the error report."""
    meds = [r for r in recs if r.kind == "medication_order"]
    if not meds:
        return recs
    from integrations.legacy_import import targets

    bad = targets.resolve_products(meds)
    for line, reason in bad.items():
        result.error(by_line[line], reason)
    return [r for r in recs if r.line not in bad]


def object_label(kind: str) -> str:
    return _writers()[kind][0]


def write(kind: str, ctx: JobContext, recs: list[Record]) -> None:
    """Insert the records, each with the id already drawn for it (`rec.object_id`)."""
    _writers()[kind][1](ctx, recs)


def sequence(kind: str) -> str:
    """The id sequence of the kind's target table (cached: it never changes at run time)."""
    if kind not in _SEQUENCES:
        from django.apps import apps
        from django.db import connection

        table = apps.get_model(object_label(kind))._meta.db_table
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            _SEQUENCES[kind] = cur.fetchone()[0]
    return _SEQUENCES[kind]


_SEQUENCES: dict[str, str] = {}


def _writers():
    from integrations.legacy_import import targets

    return targets.WRITERS
