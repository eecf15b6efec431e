"""Nationella diabetesregistret (NDR) style: patients with type 1 or type 2
diabetes (E10, E11); latest HbA1c, blood pressure, BMI (or weight and height),
smoking status and current diabetes medication (ATC A10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from integrations.registries import Registry, record, register
from vardmiljo.models import Patient


@register
class Ndr(Registry):
    name = "ndr"
    title = "Nationella diabetesregistret"
    diagnosis_prefixes = ("E10", "E11")
    format = "ndr-json/1"

    def variables(self, patient: Patient, since: dt.date | None = None) -> dict[str, Any]:
        diagnoses = record.diagnoses(patient, self.diagnosis_prefixes)
        bp = record.latest_blood_pressure(patient, since=since)
        bmi = record.latest_bmi(patient, since=since)
        return {
            "diabetestyp": "typ1" if any(d["kod"].startswith("E10") for d in diagnoses) else "typ2",
            "diagnoser": diagnoses,
            "hba1c": record.latest_observation(patient, "hba1c", since=since),
            "blodtryck": bp,
            "bmi": bmi,
            "rokning": record.smoking_status(patient, since=since),
            "diabeteslakemedel": record.medications(patient, atc_prefix="A10"),
        }
