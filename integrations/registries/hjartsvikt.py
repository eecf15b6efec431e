"""A second registry is only a new module: a small heart-failure registry
(RiksSvikt style) with two variables for patients with I50."""

from __future__ import annotations

import datetime as dt
from typing import Any

from integrations.registries import Registry, record, register
from vardmiljo.models import Patient


@register
class Hjartsvikt(Registry):
    name = "hjartsvikt"
    title = "Hjärtsviktsregistret"
    diagnosis_prefixes = ("I50",)

    def variables(self, patient: Patient, since: dt.date | None = None) -> dict[str, Any]:
        return {
            "blodtryck": record.latest_blood_pressure(patient, since=since),
            # Beta blockers (C07) and RAS blockers (C09): the core of heart-failure treatment.
            "betablockerare": bool(record.medications(patient, atc_prefix="C07")),
            "ras_blockad": bool(record.medications(patient, atc_prefix="C09")),
        }
