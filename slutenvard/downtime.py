"""Slutenvård's part of a ward's downtime bundle: the patients in bed, first."""

from __future__ import annotations

import datetime as dt

from slutenvard.queries import downtime_ward_patients
from vardmiljo.models import CareUnit
from vardmiljo.registry import DowntimeTable, downtime_unit_section


@downtime_unit_section("slutenvard.patients", order=10)
def ward_patients(unit: CareUnit, now: dt.datetime) -> list[DowntimeTable]:
    return downtime_ward_patients(unit)
