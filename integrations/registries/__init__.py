"""Quality registries (kvalitetsregister): one module per registry.

A registry module subclasses `Registry`, says which patients qualify
(`diagnosis_prefixes`, or its own `patients()`), which variables it takes
from the record (`variables()`), and may change the payload format
(`payload()`) or the delivery adapter (`adapter()`); `@register` makes it
known by name. Every module in this package is imported by `load()`, so a
new registry is only a new file. Patients who object to registration
(Patient.registry_objection, PDL 7 kap. 2 §) never qualify, and the delivery
handler checks the flag again just before sending.
"""

from __future__ import annotations

import datetime as dt
import pkgutil
from importlib import import_module
from typing import Any, ClassVar

from django.db.models import QuerySet

from integrations.registries.adapters import Adapter, HttpJsonAdapter
from vardmiljo.models import Patient

_REGISTRIES: dict[str, type[Registry]] = {}
_INFRA = {"adapters", "record", "simulator", "transfer"}


class Registry:
    """Base class of a registry module."""

    name: ClassVar[str]
    title: ClassVar[str]
    # ICD-10-SE code prefixes of the diagnoses that make a patient qualify.
    diagnosis_prefixes: ClassVar[tuple[str, ...]] = ()
    # The payload format's name and version, sent along so the receiver can check it.
    format: ClassVar[str] = "vardmiljo-registry-json/1"

    def patients(self, since: dt.date | None = None) -> QuerySet[Patient]:
        """Patients who qualify: a diagnosis with one of the prefixes, no objection, not merged away."""
        from integrations.registries import record

        return record.patients_with_diagnosis(self.diagnosis_prefixes, since=since)

    def variables(self, patient: Patient, since: dt.date | None = None) -> dict[str, Any]:
        """The variables taken from the record. Each registry defines its own."""
        raise NotImplementedError

    def payload(self, patient: Patient, variables: dict[str, Any], unit_hsa_id: str = "") -> dict[str, Any]:
        """The message sent: default is a plain JSON document per patient."""
        return {
            "format": self.format,
            "register": self.name,
            "personnummer": patient.identifier,
            "kon": patient.sex,
            "fodelsedatum": patient.birth_date.isoformat() if patient.birth_date else None,
            "rapporterande_enhet": unit_hsa_id,
            "variabler": variables,
        }

    def adapter(self) -> Adapter:
        """How the payload is delivered; default HTTP POST of JSON to REGISTRY_<NAME>_URL."""
        return HttpJsonAdapter(self.name)


def register(cls: type[Registry]) -> type[Registry]:
    _REGISTRIES[cls.name] = cls
    return cls


def load() -> dict[str, type[Registry]]:
    """Import every registry module of this package (idempotent)."""
    for mod in pkgutil.iter_modules(__path__):
        if mod.name not in _INFRA and not mod.name.startswith("_"):
            import_module(f"{__name__}.{mod.name}")
    return dict(_REGISTRIES)


def get(name: str) -> Registry:
    load()
    try:
        return _REGISTRIES[name]()
    except KeyError:
        from vardmiljo.errors import DomainError

        raise DomainError(f"Okänt kvalitetsregister {name!r} (finns: {', '.join(sorted(_REGISTRIES))}).") from None


def names() -> list[str]:
    return sorted(load())
