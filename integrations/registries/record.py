"""Reads of the record for registry transfers.

These are system reads with no member of staff behind them (PDL 7 kap.:
disclosure to a quality registry); what the access log records is each
disclosure, written when the registry receipts it (transfer.deliver).
Rows marked "entered in error" are never sent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from vardmiljo.models import Patient


def _prefix_q(prefixes: tuple[str, ...], field: str = "code") -> Q:
    q = Q()
    for p in prefixes:
        q |= Q(**{f"{field}__startswith": p})
    return q


def _since_dt(since: dt.date | None) -> dt.datetime | None:
    if since is None:
        return None
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(since, dt.time.min))


def patients_with_diagnosis(prefixes: tuple[str, ...], *, since: dt.date | None = None) -> QuerySet[Patient]:
    """Patients with a qualifying diagnosis, who do not object and are not merged
    away. With `since`: only those with something recorded from that date."""
    from journal.models import Diagnosis, Observation

    qs = Patient.objects.filter(registry_objection=False, merged_into__isnull=True).filter(
        Exists(Diagnosis.objects.filter(_prefix_q(prefixes), patient=OuterRef("pk"), entered_in_error=False))
    )
    start = _since_dt(since)
    if start is not None:
        qs = qs.filter(
            Exists(Observation.objects.filter(patient=OuterRef("pk"), entered_in_error=False, observed_at__gte=start))
            | Exists(Diagnosis.objects.filter(patient=OuterRef("pk"), entered_in_error=False, recorded_at__gte=start))
        )
    return qs


def has_diagnosis(patient_id: int, prefixes: tuple[str, ...]) -> bool:
    from journal.models import Diagnosis

    if not prefixes:
        return False
    return Diagnosis.objects.filter(_prefix_q(prefixes), patient_id=patient_id, entered_in_error=False).exists()


def reporting_units(prefixes: tuple[str, ...], patient_ids: list[int]) -> dict[int, str]:
    """The HSA-id of the unit that recorded each patient's latest qualifying diagnosis."""
    from journal.models import Diagnosis

    rows = (
        Diagnosis.objects.filter(_prefix_q(prefixes), patient_id__in=patient_ids, entered_in_error=False)
        .order_by("patient_id", "-recorded_at")
        .distinct("patient_id")
        .values_list("patient_id", "unit__hsa_id")
    )
    return dict(rows)


def diagnoses(patient: Patient, prefixes: tuple[str, ...]) -> list[dict[str, Any]]:
    from journal.models import Diagnosis

    rows = (
        Diagnosis.objects.filter(_prefix_q(prefixes), patient=patient, entered_in_error=False)
        .order_by("recorded_at")
        .values("code", "code_text", "recorded_at", "status")
    )
    return [
        {
            "kod": r["code"],
            "text": r["code_text"],
            "datum": r["recorded_at"].date().isoformat(),
            "aktuell": r["status"] == "active",
        }
        for r in rows
    ]


def _num(v: Decimal | None) -> float | None:
    return None if v is None else float(v)


def _latest(patient: Patient, kind: str, since: dt.date | None) -> Any:
    from journal.models import Observation

    qs = Observation.objects.filter(patient=patient, kind=kind, entered_in_error=False)
    start = _since_dt(since)
    if start is not None:
        qs = qs.filter(observed_at__gte=start)
    return qs.order_by("-observed_at", "-pk").first()


def latest_observation(patient: Patient, kind: str, *, since: dt.date | None = None) -> dict[str, Any] | None:
    o = _latest(patient, kind, since)
    if o is None:
        return None
    return {"varde": _num(o.value), "enhet": o.unit_text, "datum": o.observed_at.date().isoformat()}


def latest_blood_pressure(patient: Patient, *, since: dt.date | None = None) -> dict[str, Any] | None:
    o = _latest(patient, "bp", since)
    if o is None:
        return None
    return {
        "systoliskt": _num(o.value),
        "diastoliskt": _num(o.value2),
        "enhet": "mmHg",
        "datum": o.observed_at.date().isoformat(),
    }


def latest_bmi(patient: Patient, *, since: dt.date | None = None) -> dict[str, Any] | None:
    """The recorded BMI, or one derived from the latest weight and height."""
    bmi = latest_observation(patient, "bmi", since=since)
    if bmi is not None:
        return bmi
    weight, height = _latest(patient, "weight", since), _latest(patient, "height", None)
    if weight is None or height is None or not height.value:
        return None
    value = (weight.value / ((height.value / 100) ** 2)).quantize(Decimal("0.1"))
    return {"varde": float(value), "enhet": "kg/m²", "datum": weight.observed_at.date().isoformat(), "beraknat": True}


def smoking_status(patient: Patient, *, since: dt.date | None = None) -> dict[str, Any] | None:
    o = _latest(patient, "smoking", since)
    if o is None:
        return None
    return {"status": o.value_text, "datum": o.observed_at.date().isoformat()}


def medications(patient: Patient, *, atc_prefix: str) -> list[dict[str, Any]]:
    """Current (not discontinued) medication orders in an ATC class."""
    from lakemedel.models import MedicationOrder

    rows = (
        MedicationOrder.objects.filter(patient=patient, atc_code__startswith=atc_prefix)
        .exclude(status=MedicationOrder.Status.DISCONTINUED)
        .order_by("atc_code", "start_date")
        .values("atc_code", "substance", "product__name", "start_date")
    )
    return [
        {
            "atc": r["atc_code"],
            "substans": r["substance"],
            "produkt": r["product__name"],
            "startdatum": r["start_date"].isoformat(),
        }
        for r in rows
    ]
