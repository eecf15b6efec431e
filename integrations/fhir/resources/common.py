"""Small pieces every resource mapping uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

HSA_SYSTEM = "urn:oid:1.2.752.29.4.19"
ICD10SE_SYSTEM = "urn:oid:1.2.752.116.1.1.1.1.3"
KVA_SYSTEM = "urn:oid:1.2.752.116.1.3.2.1.4"
ATC_SYSTEM = "http://www.whocc.no/atc"
LOINC = "http://loinc.org"


def instant(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral() else float(value)


def patient_ref(patient_id: int) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id}"}


def unit_ref(unit: Any) -> dict[str, Any]:
    return {"reference": f"Organization/unit-{unit.pk}", "display": unit.name}


def drop_empty(resource: dict[str, Any]) -> dict[str, Any]:
    """FHIR JSON has no nulls and no empty arrays."""
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}
