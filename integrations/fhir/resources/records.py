"""Signed notes as DocumentReference (versions through _history), the patient's
consents and blocks as Consent, and the access log as AuditEvent (read-only, for
log-review assignments)."""

from __future__ import annotations

import base64
from typing import Any

from integrations.fhir.outcome import FhirError, not_found
from integrations.fhir.registry import FhirRequest, Found, Handler, Page, register
from integrations.fhir.resources.clinical import PATIENT_PARAMS, RecordHandler
from integrations.fhir.resources.common import HSA_SYSTEM, drop_empty, instant, patient_ref, unit_ref
from integrations.fhir.search import Query
from journal import queries as journal
from vardmiljo.access import patient_access
from vardmiljo.errors import NotFound
from vardmiljo.followup import access_log_rows
from vardmiljo.queries import consent_patient, consents_and_blocks


def _text(headings: list[dict[str, str]]) -> str:
    return "\n\n".join(f"{h.get('heading', '')}\n{h.get('text', '')}".strip() for h in headings or [])


@register
class DocumentReferenceHandler(RecordHandler):
    type = "DocumentReference"
    kind = "note"
    model_path = "fhir.resources.R4B.documentreference.DocumentReference"
    documentation = "Signerade journalanteckningar; rättelser som versioner (vread via _history)."
    search_params = {**PATIENT_PARAMS}

    def codes(self, query: Query) -> tuple[str, ...] | None:
        return ()

    def to_fhir(self, note: Any, version: Any = None) -> dict[str, Any]:
        headings = version.headings if version else note.headings
        text = _text(headings)
        status = "entered-in-error" if note.entered_in_error and version is None else ("superseded" if version else "current")
        return drop_empty(
            {
                "resourceType": "DocumentReference",
                "id": str(note.pk),
                "meta": {"versionId": str(version.version_no if version else note.version_no)},
                "status": status,
                "docStatus": "final" if note.status == "signed" else "preliminary",
                "type": {"text": version.note_type if version else note.note_type},
                "subject": patient_ref(note.patient_id),
                "date": instant(version.signed_at if version else (note.signed_at or note.event_at)),
                "author": [{"display": (version.signed_by_name if version else note.author_name) or "okänd"}],
                "custodian": unit_ref(note.unit),
                "description": version.correction_reason if version and version.correction_reason else None,
                "content": [
                    {
                        "attachment": {
                            "contentType": "text/plain; charset=utf-8",
                            "language": "sv",
                            "data": base64.b64encode(text.encode()).decode(),
                            "title": version.note_type if version else note.note_type,
                        }
                    }
                ],
                "context": {"encounter": [{"reference": f"Encounter/{note.encounter_id}"}]} if note.encounter_id else None,
            }
        )

    def vread(self, req: FhirRequest, resource_id: str, version_id: str) -> Found:
        if not version_id.isdigit():
            raise not_found(self.type, f"{resource_id}/_history/{version_id}")
        try:
            note, version = journal.note_version_for(
                req.actor, resource_id, int(version_id), action="fhir.documentreference.vread"
            )
        except NotFound:
            raise not_found(self.type, f"{resource_id}/_history/{version_id}") from None
        return Found(self.to_fhir(note, version), note.patient_id)


# --- Consent ---------------------------------------------------------------------


def _consent_resource(c: Any) -> dict[str, Any]:
    active = c.revoked_at is None
    return {
        "resourceType": "Consent",
        "id": f"consent-{c.pk}",
        "status": "active" if active else "inactive",
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
        "category": [{"text": "Samtycke till sammanhållen journalföring"}],
        "patient": patient_ref(c.patient_id),
        "dateTime": instant(c.recorded_at),
        "policyRule": {"text": "Patientdatalagen (2008:355) 6 kap. 11 §"},
        "provision": {
            "type": "permit",
            "period": {"end": instant(c.revoked_at or c.valid_until)},
            "actor": [
                {
                    "role": {"text": "Läsande vårdgivare"},
                    "reference": {"reference": f"Organization/provider-{c.provider_id}", "display": c.provider.name},
                }
            ],
        },
    }


def _block_resource(b: Any) -> dict[str, Any]:
    whose = f"Organization/unit-{b.unit_id}" if b.unit_id else f"Organization/provider-{b.provider_id}"
    return drop_empty(
        {
            "resourceType": "Consent",
            "id": f"block-{b.pk}",
            "status": "active" if b.lifted_at is None else "inactive",
            "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
            "category": [{"text": "Spärr"}],
            "patient": patient_ref(b.patient_id),
            "dateTime": instant(b.set_at),
            "policyRule": {"text": "Patientdatalagen (2008:355) 4 kap. 4 § och 6 kap. 2 §"},
            "provision": {
                "type": "deny",
                "period": drop_empty({"start": instant(b.set_at), "end": instant(b.lifted_at)}),
                "data": [{"meaning": "authoredby", "reference": {"reference": whose}}],
            },
        }
    )


@register
class ConsentHandler(Handler):
    type = "Consent"
    model_path = "fhir.resources.R4B.consent.Consent"
    documentation = "Patientens samtycken till sammanhållen journalföring (consent-N) och spärrar (block-N)."
    search_params = {
        "_id": ("token", "consent-N eller block-N"),
        "patient": ("reference", "Patient/<id> (krävs)"),
        "status": ("token", "active eller inactive"),
    }

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        kind, _, pk = resource_id.partition("-")
        if kind not in ("consent", "block") or not pk.isdigit():
            raise not_found(self.type, resource_id)
        patient_id = consent_patient(kind, int(pk))
        if patient_id is None:
            raise not_found(self.type, resource_id)
        try:
            pa = patient_access(req.actor, patient_id, action="fhir.consent.read")
        except NotFound:
            raise not_found(self.type, resource_id) from None
        consents, blocks = consents_and_blocks(pa)
        rows = consents if kind == "consent" else blocks
        row = next((r for r in rows if r.pk == int(pk)), None)
        if row is None:
            raise not_found(self.type, resource_id)
        return Found(_consent_resource(row) if kind == "consent" else _block_resource(row), patient_id)

    def search(self, req: FhirRequest, query: Query) -> Page:
        if "patient" not in query.params:
            found = []
            for rid in query.ids[:50]:
                try:
                    found.append(self.read(req, rid).resource)
                except FhirError:
                    continue
            return Page(found, len(found))
        try:
            pa = patient_access(req.actor, query.params["patient"][0], action="fhir.consent.search")
        except NotFound:
            return Page([], 0)
        consents, blocks = consents_and_blocks(pa)
        out = [_consent_resource(c) for c in consents] + [_block_resource(b) for b in blocks]
        wanted = {c for _s, c in query.tokens("status")}
        out = [r for r in out if (not wanted or r["status"] in wanted) and (not query.ids or r["id"] in query.ids)]
        return Page(out[query.offset : query.offset + query.count], len(out))


# --- AuditEvent --------------------------------------------------------------------

_GROUND_TEXT = {
    "care_relationship": "Vårdrelation",
    "consent": "Samtycke",
    "emergency": "Nödåtkomst",
    "system": "Systemåtgärd",
    "administration": "Administration",
    "denied": "Nekad",
}


def audit_event(row: Any) -> dict[str, Any]:
    who: dict[str, Any] = {"display": row.staff_name or "system"}
    if row.staff_hsa_id:
        who["identifier"] = {"system": HSA_SYSTEM, "value": row.staff_hsa_id}
    agent: dict[str, Any] = {"who": who, "requestor": True}
    if row.client_ip:
        agent["network"] = {"address": row.client_ip, "type": "2"}
    if row.detail.get("client"):
        agent["altId"] = row.detail["client"]
    return drop_empty(
        {
            "resourceType": "AuditEvent",
            "id": str(row.pk),
            "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110", "display": "Patient Record"},
            "subtype": [{"system": "urn:vardmiljo:audit-action", "code": row.action}],
            "action": "U" if row.detail.get("write") else "R",
            "recorded": instant(row.logged_at),
            "outcome": "4" if row.ground == "denied" else "0",
            "purposeOfEvent": [{"text": _GROUND_TEXT.get(row.ground, row.ground) + (f": {row.reason}" if row.reason else "")}],
            "agent": [agent],
            "source": {"observer": {"display": " / ".join(x for x in (row.provider_name, row.unit_name) if x) or "Vårdmiljö"}},
            "entity": [{"what": patient_ref(row.patient_id)}] if row.patient_id else None,
        }
    )


@register
class AuditEventHandler(Handler):
    type = "AuditEvent"
    model_path = "fhir.resources.R4B.auditevent.AuditEvent"
    documentation = "Åtkomstloggen, bara läsning och bara för uppdrag för uppföljning (loggkontroll)."
    search_params = {
        "_id": ("token", "Id"),
        "patient": ("reference", "Patient/<id> (krävs, utom med _id)"),
        "date": ("date", "Tidpunkt: ge, gt, le, lt"),
    }
    sort_params = ("date",)

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        if not resource_id.isdigit():
            raise not_found(self.type, resource_id)
        rows, _n = access_log_rows(req.actor, action="fhir.auditevent.read", ids=(int(resource_id),), limit=1)
        if not rows:
            raise not_found(self.type, resource_id)
        return Found(audit_event(rows[0]), rows[0].patient_id)

    def search(self, req: FhirRequest, query: Query) -> Page:
        patient = query.params.get("patient", [None])[0]
        if patient is not None and not patient.isdigit():
            return Page([], 0)
        rows, total = access_log_rows(
            req.actor,
            action="fhir.auditevent.search",
            patient_id=int(patient) if patient else None,
            ids=tuple(int(i) for i in query.ids if i.isdigit()),
            since=query.since,
            until=query.until,
            offset=query.offset,
            limit=query.count,
        )
        return Page([audit_event(r) for r in rows], total)
