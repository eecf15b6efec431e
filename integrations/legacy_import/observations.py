"""Measurements of the legacy export (typ "matvarde"): the code names the
measurement, the value is checked against the journal's plausible ranges."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from integrations.legacy_import.sinks import Reject

if TYPE_CHECKING:
    from integrations.legacy_import.records import Record

# Legacy code (Swedish or English) → journal Observation.Kind value.
CODES = {
    "hba1c": "hba1c",
    "blodtryck": "bp",
    "bt": "bp",
    "bp": "bp",
    "vikt": "weight",
    "weight": "weight",
    "langd": "height",
    "längd": "height",
    "height": "height",
    "bmi": "bmi",
    "puls": "pulse",
    "pulse": "pulse",
    "temp": "temp",
    "temperatur": "temp",
    "spo2": "spo2",
    "saturation": "spo2",
    "rokning": "smoking",
    "rökning": "smoking",
    "smoking": "smoking",
}
SMOKING = {
    "never": "never",
    "aldrig": "never",
    "aldrig rökt": "never",
    "icke-rökare": "never",
    "former": "former",
    "fore_detta": "former",
    "före detta": "former",
    "före detta rökare": "former",
    "slutat": "former",
    "current": "current",
    "roker": "current",
    "röker": "current",
    "rökare": "current",
    "ja": "current",
}
BP = re.compile(r"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*$")


def _num(raw: str, label: str) -> Decimal:
    try:
        value = Decimal(raw.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise Reject(f"{label}: {raw!r} är inget tal.") from None
    if not value.is_finite():
        raise Reject(f"{label}: {raw!r} är inget tal.")
    return value.quantize(Decimal("0.01"))


def _range(value: Decimal, low: Decimal, high: Decimal, label: str, unit: str) -> None:
    if not low <= value <= high:
        shown = format(value.normalize(), "f").replace(".", ",")
        raise Reject(f"{label} {shown} {unit} är inte rimligt (tillåtet {low}–{high} {unit}).")


def validate(rec: Record) -> None:
    from journal.services import BP_DIASTOLIC, BP_SYSTOLIC, RANGES, UNITS

    code = rec.get("kod", "matvarde").lower()
    kind = CODES.get(code)
    if kind is None:
        raise Reject(f"Okänt mätvärde {code!r} (t.ex. hba1c, blodtryck, vikt, langd, bmi, rokning).")
    raw = rec.get("varde", "value")
    if not raw:
        raise Reject("Mätvärdet saknar värde.")
    v1: Decimal | None = None
    v2: Decimal | None = None
    text = ""
    if kind == "bp":
        m = BP.match(raw)
        if not m:
            raise Reject(f"Blodtryck {raw!r}: ange systoliskt/diastoliskt, t.ex. 130/80.")
        v1, v2 = _num(m.group(1), "Systoliskt"), _num(m.group(2), "Diastoliskt")
        _range(v1, *BP_SYSTOLIC, "Systoliskt blodtryck", "mmHg")
        _range(v2, *BP_DIASTOLIC, "Diastoliskt blodtryck", "mmHg")
        if v2 >= v1:
            raise Reject("Diastoliskt blodtryck måste vara lägre än systoliskt.")
    elif kind == "smoking":
        text = SMOKING.get(raw.lower(), "")
        if not text:
            raise Reject(f"Rökning {raw!r}: ange aldrig, före detta eller röker.")
    else:
        v1 = _num(raw, code)
        low, high, unit = RANGES[kind]
        _range(v1, low, high, code, unit)
    rec.extra.update(kind=kind, value=v1, value2=v2, value_text=text, unit_text=UNITS[kind])
