"""Journal's part of a downtime bundle: attention signals and the latest signed notes of each
listed patient (a summary: type, time, author and the start of the text)."""

from __future__ import annotations

import datetime as dt

from journal.queries import downtime_alerts, downtime_latest_notes
from vardmiljo.models import CareUnit
from vardmiljo.registry import downtime_patient_section


@downtime_patient_section("journal.alerts", title="Uppmärksamhetssignaler", order=10)
def alerts(unit: CareUnit, patient_ids: list[int], now: dt.datetime) -> dict[int, list[str]]:
    return downtime_alerts(unit, patient_ids)


@downtime_patient_section("journal.notes", title="Senaste signerade anteckningar", order=30)
def latest_notes(unit: CareUnit, patient_ids: list[int], now: dt.datetime) -> dict[int, list[str]]:
    return downtime_latest_notes(unit, patient_ids)
