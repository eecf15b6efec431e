"""Läkemedel's part of a downtime bundle: each listed patient's current medication list."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from lakemedel.models import MedicationOrder
from vardmiljo.access import unit_disclosure_filter
from vardmiljo.models import CareUnit
from vardmiljo.registry import downtime_patient_section


@downtime_patient_section("lakemedel.list", title="Aktuella läkemedel", order=20)
def medication_lists(unit: CareUnit, patient_ids: list[int], now: dt.datetime) -> dict[int, list[str]]:
    qs = (
        unit_disclosure_filter(
            MedicationOrder.objects.filter(patient_id__in=patient_ids, status=MedicationOrder.Status.ACTIVE), unit
        )
        .select_related("product")
        .order_by("patient_id", "substance")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for o in qs:
        product = " ".join(x for x in (o.product.name, o.product.strength) if x)
        line = f"{product} ({o.substance}) – {o.dosage_text}"
        if o.indication:
            line += f" ({o.indication})"
        if o.planned_end_date:
            line += f", t.o.m. {o.planned_end_date:%Y-%m-%d}"
        out[o.patient_id].append(line)
    return out
