"""Organization (care providers and units), Practitioner (staff) and PractitionerRole
(assignments), with HSA-ids. The catalogue: no patient data."""

from __future__ import annotations

from typing import Any

from integrations.fhir.outcome import not_found
from integrations.fhir.registry import FhirRequest, Found, Handler, Page, register
from integrations.fhir.resources.common import HSA_SYSTEM, drop_empty
from integrations.fhir.search import Query
from vardmiljo.queries import assignments_of, organisations, staff_members

_PROFESSIONS = {
    "physician": "Läkare",
    "nurse": "Sjuksköterska",
    "assistant_nurse": "Undersköterska",
    "physiotherapist": "Fysioterapeut",
    "secretary": "Medicinsk sekreterare",
    "administrator": "Administratör",
}


def _hsa(hsa_id: str | None) -> list[dict[str, str]]:
    return [{"use": "official", "system": HSA_SYSTEM, "value": hsa_id}] if hsa_id else []


def organisation_resource(kind: str, row: Any) -> dict[str, Any]:
    return drop_empty(
        {
            "resourceType": "Organization",
            "id": f"{kind}-{row.pk}",
            "identifier": _hsa(row.hsa_id),
            "active": getattr(row, "active", True),
            "type": [{"text": "Vårdgivare" if kind == "provider" else "Vårdenhet"}],
            "name": row.name,
            "partOf": {"reference": f"Organization/provider-{row.provider_id}"} if kind == "unit" else None,
        }
    )


def _split_org_id(resource_id: str) -> tuple[str, str]:
    kind, _, pk = resource_id.partition("-")
    if kind not in ("provider", "unit") or not pk.isdigit():
        raise not_found("Organization", resource_id)
    return kind, pk


@register
class OrganizationHandler(Handler):
    type = "Organization"
    model_path = "fhir.resources.R4B.organization.Organization"
    documentation = "Vårdgivare (id provider-N) och vårdenheter (id unit-N) med HSA-id."
    search_params = {
        "_id": ("token", "provider-N eller unit-N"),
        "identifier": ("token", f"{HSA_SYSTEM}|<HSA-id>"),
        "name": ("string", "Del av namnet"),
    }
    patient_search = False

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        kind, pk = _split_org_id(resource_id)
        rows, _ = organisations(kind=kind, ids=(pk,), limit=1)
        if not rows:
            raise not_found("Organization", resource_id)
        return Found(organisation_resource(kind, rows[0]), None)

    def search(self, req: FhirRequest, query: Query) -> Page:
        hsa = tuple(v for s, v in query.tokens("identifier") if s in (None, HSA_SYSTEM))
        if query.params.get("identifier") and not hsa:
            return Page([], 0)
        name = query.first("name") or ""
        out: list[dict[str, Any]] = []
        total = 0
        for kind in ("provider", "unit"):
            ids = tuple(pk for k, pk in (i.partition("-")[::2] for i in query.ids) if k == kind)
            if query.ids and not ids:
                continue
            # Providers first, then units: the offset runs over both.
            offset = max(0, query.offset - total)
            rows, n = organisations(kind=kind, ids=ids, hsa_ids=hsa, name=name, offset=offset, limit=query.count - len(out))
            total += n
            out += [organisation_resource(kind, r) for r in rows]
        return Page(out, total)


def practitioner_resource(staff: Any) -> dict[str, Any]:
    return drop_empty(
        {
            "resourceType": "Practitioner",
            "id": str(staff.pk),
            "identifier": _hsa(staff.hsa_id),
            "active": staff.is_active,
            "name": [{"family": staff.last_name, "given": [staff.first_name] if staff.first_name else []}],
            "qualification": [{"code": {"text": _PROFESSIONS.get(staff.profession, staff.profession)}}],
        }
    )


@register
class PractitionerHandler(Handler):
    type = "Practitioner"
    model_path = "fhir.resources.R4B.practitioner.Practitioner"
    documentation = "Personal med HSA-id och yrke."
    search_params = {
        "_id": ("token", "Id"),
        "identifier": ("token", f"{HSA_SYSTEM}|<HSA-id>"),
        "name": ("string", "Början av för- eller efternamn"),
    }
    patient_search = False

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        rows, _ = staff_members(ids=(resource_id,), limit=1)
        if not rows:
            raise not_found("Practitioner", resource_id)
        return Found(practitioner_resource(rows[0]), None)

    def search(self, req: FhirRequest, query: Query) -> Page:
        hsa = tuple(v for s, v in query.tokens("identifier") if s in (None, HSA_SYSTEM))
        if query.params.get("identifier") and not hsa:
            return Page([], 0)
        rows, total = staff_members(
            ids=tuple(query.ids), hsa_ids=hsa, name=query.first("name") or "", offset=query.offset, limit=query.count
        )
        return Page([practitioner_resource(r) for r in rows], total)


def role_resource(a: Any) -> dict[str, Any]:
    return drop_empty(
        {
            "resourceType": "PractitionerRole",
            "id": str(a.pk),
            "active": a.is_active(),
            "period": drop_empty({"start": a.valid_from.isoformat(), "end": a.valid_to.isoformat() if a.valid_to else None}),
            "practitioner": {"reference": f"Practitioner/{a.staff_id}", "display": a.staff.get_full_name()},
            "organization": {"reference": f"Organization/unit-{a.unit_id}", "display": a.unit.name},
            "code": [{"text": a.get_role_display()}, {"text": a.get_purpose_display()}],
        }
    )


@register
class PractitionerRoleHandler(Handler):
    type = "PractitionerRole"
    model_path = "fhir.resources.R4B.practitionerrole.PractitionerRole"
    documentation = "Medarbetaruppdrag: personal, vårdenhet, roll och syfte."
    search_params = {
        "_id": ("token", "Id"),
        "practitioner": ("reference", "Practitioner/<id>"),
        "organization": ("reference", "Organization/unit-<id>"),
    }
    patient_search = False

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        rows, _ = assignments_of(ids=(resource_id,), limit=1)
        if not rows:
            raise not_found("PractitionerRole", resource_id)
        return Found(role_resource(rows[0]), None)

    def search(self, req: FhirRequest, query: Query) -> Page:
        staff_ids = tuple(v.rsplit("/", 1)[-1] for v in query.params.get("practitioner", []))
        unit_ids = tuple(v.rsplit("/", 1)[-1].removeprefix("unit-") for v in query.params.get("organization", []))
        rows, total = assignments_of(
            ids=tuple(query.ids), staff_ids=staff_ids, unit_ids=unit_ids, offset=query.offset, limit=query.count
        )
        return Page([role_resource(r) for r in rows], total)
