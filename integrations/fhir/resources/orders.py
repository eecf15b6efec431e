"""Medication (MedicationRequest, MedicationStatement: lakemedel's orders with the
product's NPL-id and ATC code) and referrals (ServiceRequest: remisser, with their
status; created by another system and moved through remisser.services)."""

from __future__ import annotations

from typing import Any

from integrations.fhir.outcome import FhirError, not_found
from integrations.fhir.registry import FhirRequest, Found, register
from integrations.fhir.resources.clinical import PATIENT_PARAMS, RecordHandler
from integrations.fhir.resources.common import ATC_SYSTEM, HSA_SYSTEM, drop_empty, instant, patient_ref, unit_ref
from integrations.fhir.search import Query
from lakemedel import queries as lakemedel
from lakemedel.dosage import render_dosage
from remisser import queries as remisser
from remisser import services as remisser_services
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.queries import RowFilter, organisations

NPL_SYSTEM = "urn:oid:1.2.752.129.2.1.5.1"  # NPL-id, Läkemedelsverket
REFERRAL_STATUS_EXTENSION = "urn:vardmiljo:fhir:referral-status"


def _medication(order: Any) -> dict[str, Any]:
    coding = [{"system": NPL_SYSTEM, "code": order.product.npl_id, "display": order.product.name}]
    if order.atc_code:
        coding.append({"system": ATC_SYSTEM, "code": order.atc_code, "display": order.substance})
    return {"coding": coding, "text": f"{order.product.name} {order.product.strength}".strip()}


def _dosage(order: Any) -> list[dict[str, Any]]:
    try:
        text = render_dosage(order.dose, order.dose_unit, order.frequency, order.times, order.period, order.prn_max_per_day)
    except DomainError:
        text = ""
    return [drop_empty({"text": text, "route": {"text": order.route} if order.route else None})]


class _OrderHandler(RecordHandler):
    kind = "medicationorder"
    search_params = {
        **PATIENT_PARAMS,
        "code": ("token", f"{ATC_SYSTEM}|<ATC-kod>"),
        "status": ("token", "active, on-hold eller stopped"),
    }
    STATUS: dict[str, str] = {}

    def fetch(self, req: FhirRequest, resource_id: str, action: str) -> Any:
        _pa, order = lakemedel.order_by_id(req.actor, resource_id, action=action)
        return order

    def rows(self, pa: Any, f: RowFilter, status: dict[str, Any]) -> tuple[list[Any], int]:
        return lakemedel.orders_page(pa, RowFilter(**{**f.__dict__, "statuses": tuple(status.get("statuses", ()))}))

    def codes(self, query: Query) -> tuple[str, ...] | None:
        tokens = query.tokens("code")
        codes = tuple(c.upper() for s, c in tokens if s in (None, ATC_SYSTEM))
        return None if tokens and not codes else codes

    def status_filter(self, query: Query) -> dict[str, Any] | None:
        wanted = {c for _s, c in query.tokens("status")}
        if not wanted:
            return {}
        ours = tuple(k for k, v in self.STATUS.items() if v in wanted)
        return {"statuses": ours} if ours else None


@register
class MedicationRequestHandler(_OrderHandler):
    type = "MedicationRequest"
    model_path = "fhir.resources.R4B.medicationrequest.MedicationRequest"
    documentation = "Läkemedelsordinationer med produktens NPL-id och ATC-kod."
    STATUS = {"active": "active", "paused": "on-hold", "discontinued": "stopped"}

    def to_fhir(self, o: Any) -> dict[str, Any]:
        return drop_empty(
            {
                "resourceType": "MedicationRequest",
                "id": str(o.pk),
                "meta": {"versionId": str(o.version)},
                "status": self.STATUS.get(o.status, "unknown"),
                "intent": "order",
                "medicationCodeableConcept": _medication(o),
                "subject": patient_ref(o.patient_id),
                "authoredOn": instant(o.created_at),
                "requester": {"reference": f"Practitioner/{o.prescriber_id}"},
                "reasonCode": [{"text": o.indication}] if o.indication else None,
                "dosageInstruction": _dosage(o),
                "dispenseRequest": {
                    "validityPeriod": drop_empty(
                        {
                            "start": o.start_date.isoformat(),
                            "end": o.planned_end_date.isoformat() if o.planned_end_date else None,
                        }
                    )
                },
                "statusReason": {"text": o.discontinued_reason} if o.discontinued_reason else None,
            }
        )


@register
class MedicationStatementHandler(_OrderHandler):
    type = "MedicationStatement"
    model_path = "fhir.resources.R4B.medicationstatement.MedicationStatement"
    documentation = "Läkemedelslistan: aktuella, pausade och utsatta läkemedel."
    STATUS = {"active": "active", "paused": "on-hold", "discontinued": "stopped"}

    def to_fhir(self, o: Any) -> dict[str, Any]:
        return drop_empty(
            {
                "resourceType": "MedicationStatement",
                "id": str(o.pk),
                "status": self.STATUS.get(o.status, "unknown"),
                "basedOn": [{"reference": f"MedicationRequest/{o.pk}"}],
                "medicationCodeableConcept": _medication(o),
                "subject": patient_ref(o.patient_id),
                "effectivePeriod": drop_empty(
                    {
                        "start": o.start_date.isoformat(),
                        "end": instant(o.discontinued_at) or (o.planned_end_date.isoformat() if o.planned_end_date else None),
                    }
                ),
                "dateAsserted": instant(o.updated_at),
                "informationSource": unit_ref(o.unit),
                "dosage": _dosage(o),
            }
        )


# --- ServiceRequest: referrals -------------------------------------------------

_REFERRAL_STATUS = {
    "draft": "draft",
    "sent": "active",
    "received": "active",
    "accepted": "active",
    "forwarded": "active",
    "completion_requested": "on-hold",
    "answered": "active",
    "acknowledged": "completed",
    "closed": "completed",
    "rejected": "revoked",
    "cancelled": "revoked",
}
_PRIORITY = {"akut": "stat", "inom_2_veckor": "urgent", "inom_3_manader": "routine"}
_PRIORITY_BACK = {v: k for k, v in _PRIORITY.items()}


@register
class ServiceRequestHandler(RecordHandler):
    type = "ServiceRequest"
    kind = "referral"
    model_path = "fhir.resources.R4B.servicerequest.ServiceRequest"
    documentation = (
        "Remisser med status (remissens egen status i tillägget "
        f"{REFERRAL_STATUS_EXTENSION}). Skapas av ett annat system (POST) och flyttas med PUT av status: "
        "revoked = makulera (skäl i note), completed = avsluta, eller remissens status i tillägget."
    )
    search_params = {
        **PATIENT_PARAMS,
        "status": ("token", "active, on-hold, completed eller revoked"),
    }

    def fetch(self, req: FhirRequest, resource_id: str, action: str) -> Any:
        if not resource_id.isdigit():
            raise NotFound()
        referral, _pa = remisser.referral_for(req.actor, int(resource_id), action=action)
        return referral

    def rows(self, pa: Any, f: RowFilter, status: dict[str, Any]) -> tuple[list[Any], int]:
        return remisser.referrals_page(pa, RowFilter(**{**f.__dict__, "statuses": tuple(status.get("statuses", ()))}))

    def codes(self, query: Query) -> tuple[str, ...] | None:
        return ()

    def status_filter(self, query: Query) -> dict[str, Any] | None:
        wanted = {c for _s, c in query.tokens("status")}
        if not wanted:
            return {}
        ours = tuple(k for k, v in _REFERRAL_STATUS.items() if v in wanted)
        return {"statuses": ours} if ours else None

    def to_fhir(self, r: Any) -> dict[str, Any]:
        return drop_empty(
            {
                "resourceType": "ServiceRequest",
                "id": str(r.pk),
                "meta": {"versionId": str(r.version)},
                "extension": [{"url": REFERRAL_STATUS_EXTENSION, "valueCode": r.status}],
                "status": _REFERRAL_STATUS.get(r.status, "unknown"),
                "intent": "order",
                "category": [{"text": "Remiss"}],
                "priority": _PRIORITY.get(r.priority),
                "code": {"text": "Remiss"},
                "subject": patient_ref(r.patient_id),
                "authoredOn": instant(r.sent_at or r.created_at),
                "requester": {"reference": f"Practitioner/{r.sender_staff_id}"},
                "performer": [unit_ref(r.owner_unit or r.receiver_unit)],
                "reasonCode": [{"text": r.question}],
                "occurrencePeriod": {"end": r.due_date.isoformat()} if r.due_date else None,
            }
        )

    def create(self, req: FhirRequest, body: dict[str, Any]) -> Found:
        """A referral from another system: sent through remisser.services like one written here,
        by the client acting in its assignment. The identifier makes a resent request send once."""
        subject = (body.get("subject") or {}).get("reference", "")
        if not subject.startswith("Patient/") or not subject[8:].isdigit():
            raise FhirError(
                422, "required", "ServiceRequest.subject ska peka på en Patient.", expression="ServiceRequest.subject"
            )
        patient_id = int(subject[8:])
        if req.patient_only and patient_id != req.patient_id:
            raise not_found("Patient", str(patient_id))
        performer: dict[str, Any] = next(iter(body.get("performer") or []), {})
        hsa = (performer.get("identifier") or {}).get("value") or ""
        ref = performer.get("reference", "")
        ids = (ref.removeprefix("Organization/unit-"),) if ref.startswith("Organization/unit-") else ()
        units, _n = organisations(kind="unit", ids=ids, hsa_ids=(hsa,) if hsa else (), limit=1) if (ids or hsa) else ([], 0)
        if not units:
            raise FhirError(
                422,
                "required",
                f"ServiceRequest.performer ska vara en vårdenhet (Organization/unit-<id> eller {HSA_SYSTEM}-identifierare).",
                expression="ServiceRequest.performer",
            )
        priority = _PRIORITY_BACK.get(body.get("priority") or "routine")
        if priority is None:
            raise FhirError(422, "code-invalid", "ServiceRequest.priority ska vara stat, urgent eller routine.")
        question = " ".join(r.get("text", "") for r in body.get("reasonCode") or []).strip()
        key = next((i.get("value", "") for i in body.get("identifier") or [] if i.get("value")), "")
        try:
            referral = remisser_services.referral_send(
                actor=req.actor,
                patient_id=patient_id,
                receiver_unit_id=units[0].pk,
                priority=priority,
                question=question,
                idempotency_key=f"fhir:{req.actor.client}:{key}"[:100] if key else "",
            )
        except NotFound:
            raise not_found("Patient", str(patient_id)) from None
        return self.read(req, str(referral.pk))

    def update(self, req: FhirRequest, resource_id: str, body: dict[str, Any]) -> Found:
        """Moves the referral's status (the only change another system makes to a referral)."""
        current = self.read(req, resource_id).resource
        ours = next((e.get("valueCode") for e in body.get("extension") or [] if e.get("url") == REFERRAL_STATUS_EXTENSION), None)
        note = " ".join(n.get("text", "") for n in body.get("note") or []).strip()
        version = (body.get("meta") or {}).get("versionId")
        expected = int(version) if version and str(version).isdigit() else None
        if ours and ours != current["extension"][0]["valueCode"]:
            to = ours
        elif body.get("status") != current["status"]:
            to = {"revoked": "cancelled", "completed": "closed"}.get(body.get("status") or "", "")
            if not to:
                raise FhirError(422, "business-rule", f"Status {body.get('status')} kan inte sättas genom detta API.")
        else:
            raise FhirError(422, "business-rule", "Ändringen gäller inte remissens status; inget ändrades.")
        try:
            remisser_services.referral_transition(
                actor=req.actor, referral_id=int(resource_id), to=to, note=note, expected_version=expected
            )
        except NotFound:
            raise not_found(self.type, resource_id) from None
        return self.read(req, resource_id)
