"""The resource handlers: one per served FHIR type. The same registry routes
requests, checks scopes and writes the CapabilityStatement, so the statement
says exactly what is served."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from integrations.fhir.outcome import FhirError
from vardmiljo.actor import Actor

FHIR_VERSION = "4.0.1"


@dataclass
class FhirRequest:
    """Who asks, through which token, with which scopes."""

    actor: Actor
    context: str  # "user" or "system"
    scopes: list[Any]  # scopes.Scope
    base: str  # the FHIR base URL, for fullUrl and links
    patient_id: int | None = None  # a patient-context launch
    patient_only: bool = False  # only a patient scope allows this request: the context patient only
    lenient: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class Found:
    """One resource and the patient it belongs to (None for organisation and staff)."""

    resource: dict[str, Any]
    patient_id: int | None


@dataclass
class Page:
    resources: list[dict[str, Any]]
    total: int
    # Resources to add to the Bundle with search.mode "include".
    included: list[dict[str, Any]] = field(default_factory=list)


class Handler:
    """A served type. Subclasses set the class attributes and implement what they serve."""

    type: ClassVar[str]
    # The R4B model used to validate what is written and to know the summary elements.
    model_path: ClassVar[str] = ""
    profile: ClassVar[str] = ""
    documentation: ClassVar[str] = ""
    # name -> (FHIR search parameter type, Swedish documentation)
    search_params: ClassVar[dict[str, tuple[str, str]]] = {}
    # _sort values accepted (the newest-first order's name, e.g. "date")
    sort_params: ClassVar[tuple[str, ...]] = ()
    # Searching needs `patient` (or `subject`) naming one patient: lists are per patient.
    patient_search: ClassVar[bool] = True
    include_params: ClassVar[tuple[str, ...]] = ()

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        raise NotImplementedError

    def vread(self, req: FhirRequest, resource_id: str, version_id: str) -> Found:
        raise NotImplementedError

    def search(self, req: FhirRequest, query: Any) -> Page:
        raise NotImplementedError

    def create(self, req: FhirRequest, body: dict[str, Any]) -> Found:
        raise NotImplementedError

    def update(self, req: FhirRequest, resource_id: str, body: dict[str, Any]) -> Found:
        raise NotImplementedError

    @classmethod
    def interactions(cls) -> list[str]:
        served = []
        for method, code in (
            ("read", "read"),
            ("vread", "vread"),
            ("update", "update"),
            ("create", "create"),
            ("search", "search-type"),
        ):
            if getattr(cls, method) is not getattr(Handler, method):
                served.append(code)
        return served

    @classmethod
    def model(cls) -> Any:
        module, _, name = cls.model_path.rpartition(".")
        return getattr(importlib.import_module(module), name)

    @classmethod
    @cache
    def summary_elements(cls) -> frozenset[str]:
        fields = cls.model().model_fields
        return frozenset(
            name
            for name, f in fields.items()
            if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("summary_element_property")
        ) | {"resourceType", "id", "meta"}


REGISTRY: dict[str, Handler] = {}


def register(cls: type[Handler]) -> type[Handler]:
    REGISTRY[cls.type] = cls()
    return cls


def handler_for(resource_type: str) -> Handler:
    handler = REGISTRY.get(resource_type)
    if handler is None:
        raise FhirError(404, "not-supported", f"Resurstypen {resource_type!r} finns inte i detta API.")
    return handler


def load() -> None:
    """Import the handler modules (each registers its types)."""
    from integrations.fhir.resources import clinical, orders, organisation, patient, scheduling  # noqa: F401


def capability_statement(base: str, token_url: str, authorize_url: str) -> dict[str, Any]:
    from integrations.fhir.search import COMMON

    resources = []
    for name in sorted(REGISTRY):
        h = REGISTRY[name]
        entry: dict[str, Any] = {
            "type": name,
            "interaction": [{"code": code} for code in h.interactions()],
        }
        if h.profile:
            entry["supportedProfile"] = [h.profile]
        if h.documentation:
            entry["documentation"] = h.documentation
        if "vread" in h.interactions():
            entry["versioning"] = "versioned"
            entry["readHistory"] = True
        if "search-type" in h.interactions():
            entry["searchParam"] = [
                {"name": p, "type": t, "documentation": doc} for p, (t, doc) in sorted(h.search_params.items())
            ]
            if h.include_params:
                entry["searchInclude"] = list(h.include_params)
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "id": "vardmiljo",
        "status": "active",
        "date": "2026-11-29",
        "publisher": "Vårdmiljö",
        "kind": "instance",
        "software": {"name": "Vårdmiljö"},
        "implementation": {"description": "Regional vårdinformationsmiljö, FHIR R4", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Alla sökningar förstår även " + ", ".join(sorted(COMMON)) + ". Kliniska resurser söks per patient (patient)."
                ),
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            "extension": [
                                {"url": "token", "valueUri": token_url},
                                {"url": "authorize", "valueUri": authorize_url},
                            ],
                        }
                    ],
                },
                "resource": resources,
            }
        ],
    }
