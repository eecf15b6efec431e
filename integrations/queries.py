"""Reads of integrations that concern one patient: start with patient_access()."""

from __future__ import annotations

from dataclasses import dataclass

from integrations import registries
from integrations.models import RegistryTransfer
from integrations.registries import record
from vardmiljo.access import PatientAccess, patient_access
from vardmiljo.actor import Actor

RECENT_TRANSFERS = 20


@dataclass(frozen=True)
class RegistryRow:
    name: str
    title: str
    has_diagnosis: bool


def registry_overview(actor: Actor, patient_id: int) -> tuple[PatientAccess, list[RegistryRow], list[RegistryTransfer]]:
    """The patient's objection flag, the registries their diagnoses concern and
    the latest transfers (bounded: one query per registry plus one)."""
    pa = patient_access(actor, patient_id, action="registry.overview")
    rows = []
    for name in registries.names():
        reg = registries.get(name)
        rows.append(
            RegistryRow(name=name, title=reg.title, has_diagnosis=record.has_diagnosis(pa.patient_id, reg.diagnosis_prefixes))
        )
    transfers = list(
        RegistryTransfer.objects.filter(patient_id=pa.patient_id)
        .select_related("outbox")
        .order_by("-created_at")[:RECENT_TRANSFERS]
    )
    return pa, rows, transfers
