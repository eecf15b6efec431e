"""Läkemedel's part of a downtime bundle: each listed patient's current medication list."""

from __future__ import annotations

import datetime as dt

from lakemedel.queries import downtime_medication_lists
from vardmiljo.models import CareUnit
from vardmiljo.registry import downtime_patient_section


@downtime_patient_section("lakemedel.list", title="Aktuella läkemedel", order=20)
def medication_lists(unit: CareUnit, patient_ids: list[int], now: dt.datetime) -> dict[int, list[str]]:
    return downtime_medication_lists(unit, patient_ids)
