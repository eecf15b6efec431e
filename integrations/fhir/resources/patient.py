"""Patient, after HL7 Sweden's base profile: personnummer and samordningsnummer with
the profile's identifier systems, reservnummer in the region's own system; protected
identity as a security label, the address only for whoever may see it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from integrations.fhir.outcome import FhirError, not_found
from integrations.fhir.registry import FhirRequest, Found, Handler, Page, register
from integrations.fhir.resources.common import drop_empty
from integrations.fhir.search import Query, date_range
from vardmiljo.errors import NotFound
from vardmiljo.identifiers import parse_patient_id
from vardmiljo.models import Patient
from vardmiljo.queries import patient_read, patients_find

PNR_SYSTEM = "http://electronichealth.se/identifier/personnummer"
SAMORDNING_SYSTEM = "http://electronichealth.se/identifier/samordningsnummer"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"


def identifier_system(kind: str) -> str:
    systems: dict[str, str] = {
        Patient.IdKind.PERSONNUMMER: PNR_SYSTEM,
        Patient.IdKind.SAMORDNINGSNUMMER: SAMORDNING_SYSTEM,
    }
    return systems.get(kind, settings.FHIR_RESERVNUMMER_SYSTEM)


def patient_resource(p: Patient, address: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"lastUpdated": p.updated_at.isoformat()} if p.updated_at else {}
    if p.is_protected:
        meta["security"] = [{"system": CONFIDENTIALITY, "code": "R", "display": "restricted"}]
    return drop_empty(
        {
            "resourceType": "Patient",
            "id": str(p.pk),
            "meta": meta,
            "identifier": [{"use": "official", "system": identifier_system(p.id_kind), "value": p.identifier}],
            "active": p.merged_into_id is None,
            "name": [{"use": "official", "family": p.family_name, "given": [p.given_name]}],
            "gender": {"F": "female", "M": "male"}.get(p.sex, "unknown"),
            "birthDate": p.birth_date.isoformat() if p.birth_date else None,
            "address": [{"text": address}] if address else None,
        }
    )


@register
class PatientHandler(Handler):
    type = "Patient"
    model_path = "fhir.resources.R4B.patient.Patient"
    documentation = "Personnummer, samordningsnummer och reservnummer. Skyddad identitet som säkerhetsmärkning (R); adressen bara för roller som får se den."
    search_params = {
        "_id": ("token", "Patientens id"),
        "identifier": ("token", f"{PNR_SYSTEM}|ÅÅÅÅMMDDNNNN, {SAMORDNING_SYSTEM}|… eller reservnummer"),
        "name": ("string", "Början av för- eller efternamn"),
        "birthdate": ("date", "Födelsedatum"),
    }
    patient_search = False

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        try:
            pa, address = patient_read(req.actor, resource_id, action="fhir.patient.read")
        except NotFound:
            raise not_found("Patient", resource_id) from None
        return Found(patient_resource(pa.patient, address), pa.patient.pk)

    def search(self, req: FhirRequest, query: Query) -> Page:
        identifiers = []
        for system, value in query.tokens("identifier"):
            if system not in (None, PNR_SYSTEM, SAMORDNING_SYSTEM, settings.FHIR_RESERVNUMMER_SYSTEM):
                continue
            try:
                identifiers.append(parse_patient_id(value).value)
            except ValidationError:
                continue
        if query.params.get("identifier") and not identifiers:
            return Page([], 0)  # no identifier of ours: nobody
        ids = tuple(query.ids)
        if req.patient_only:
            ids = tuple(i for i in ids if i == str(req.patient_id)) if ids else (str(req.patient_id),)
            if not ids:
                return Page([], 0)
        birth_from = birth_until = None
        if "birthdate" in query.params:
            since, until = date_range(query.params["birthdate"], "birthdate")
            birth_from = since.date() if since else None
            birth_until = until.date() if until else None
        name = query.first("name") or ""
        if len(name) > 100:
            raise FhirError(400, "invalid", "name är för långt.")
        rows, total = patients_find(
            req.actor,
            action="fhir.patient.search",
            identifiers=tuple(identifiers),
            ids=ids,
            name=name,
            birth_from=birth_from,
            birth_until=birth_until,
            offset=query.offset,
            limit=query.count,
        )
        # A list never shows a protected patient's address; nor, here, anyone's (one read per patient).
        return Page([patient_resource(p, None) for p in rows], total)
