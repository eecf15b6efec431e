"""Scheduling (tidbok): Schedule (a bookable resource of the caller's unit), Slot (its
times) and Appointment (a booking, part of the patient's record; created through
tidbok.services like a booking made at the desk)."""

from __future__ import annotations

from typing import Any

from integrations.fhir.outcome import FhirError, not_found
from integrations.fhir.registry import FhirRequest, Found, Handler, Page, register
from integrations.fhir.resources.clinical import PATIENT_PARAMS, RecordHandler
from integrations.fhir.resources.common import drop_empty, instant, patient_ref, unit_ref
from integrations.fhir.search import Query
from tidbok import queries as tidbok
from tidbok import services as tidbok_services
from vardmiljo.errors import NotFound
from vardmiljo.queries import RowFilter

_BOOKING_STATUS = {
    "booked": "booked",
    "checked_in": "arrived",
    "cancelled_unit": "cancelled",
    "cancelled_patient": "cancelled",
    "rebooked": "cancelled",
}
_SLOT_STATUS = {"free": "free", "booked": "busy", "blocked": "busy-unavailable"}


def _ids(values: list[str], prefix: str = "") -> tuple[int, ...]:
    out = []
    for v in values:
        v = v.rsplit("/", 1)[-1].removeprefix(prefix)
        if v.isdigit():
            out.append(int(v))
    return tuple(out)


def schedule_resource(r: Any) -> dict[str, Any]:
    actor: dict[str, Any] = {"reference": f"Practitioner/{r.staff_id}"} if r.staff_id else {"display": r.name}
    return drop_empty(
        {
            "resourceType": "Schedule",
            "id": str(r.pk),
            "active": r.active,
            "serviceType": [{"text": r.get_kind_display()}],
            "actor": [actor, unit_ref(r.unit)],
            "comment": r.name,
        }
    )


def slot_resource(s: Any) -> dict[str, Any]:
    return {
        "resourceType": "Slot",
        "id": str(s.pk),
        "schedule": {"reference": f"Schedule/{s.resource_id}"},
        "status": _SLOT_STATUS.get(s.status, "busy"),
        "start": s.starts_at.isoformat(),
        "end": s.ends_at.isoformat(),
        "serviceType": [{"text": s.get_slot_type_display()}],
    }


@register
class ScheduleHandler(Handler):
    type = "Schedule"
    model_path = "fhir.resources.R4B.schedule.Schedule"
    documentation = "Den egna enhetens bokningsbara resurser (personal, rum, utrustning)."
    search_params = {"_id": ("token", "Id")}
    patient_search = False

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        if not resource_id.isdigit():
            raise not_found("Schedule", resource_id)
        try:
            return Found(schedule_resource(tidbok.resource_for(req.actor, int(resource_id))), None)
        except NotFound:
            raise not_found("Schedule", resource_id) from None

    def search(self, req: FhirRequest, query: Query) -> Page:
        rows = tidbok.resources_for(req.actor, include_inactive=True)
        if query.ids:
            rows = [r for r in rows if str(r.pk) in query.ids]
        return Page([schedule_resource(r) for r in rows[query.offset : query.offset + query.count]], len(rows))


@register
class SlotHandler(Handler):
    type = "Slot"
    model_path = "fhir.resources.R4B.slot.Slot"
    documentation = "Den egna enhetens tider. Sök lediga tider med status=free och start."
    search_params = {
        "_id": ("token", "Id"),
        "schedule": ("reference", "Schedule/<id>"),
        "status": ("token", "free, busy eller busy-unavailable"),
        "start": ("date", "Starttid: ge, gt, le, lt"),
    }
    patient_search = False

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        rows, _n = tidbok.slots_page(req.actor, ids=_ids([resource_id]), limit=1) if resource_id.isdigit() else ([], 0)
        if not rows:
            raise not_found("Slot", resource_id)
        return Found(slot_resource(rows[0]), None)

    def search(self, req: FhirRequest, query: Query) -> Page:
        from integrations.fhir.search import date_range

        since, until = date_range(query.params["start"], "start") if "start" in query.params else (None, None)
        wanted = {c for _s, c in query.tokens("status")}
        statuses = tuple(k for k, v in _SLOT_STATUS.items() if v in wanted)
        if wanted and not statuses:
            return Page([], 0)
        rows, total = tidbok.slots_page(
            req.actor,
            ids=_ids(query.ids),
            resource_ids=_ids(query.params.get("schedule", [])),
            statuses=statuses,
            since=since,
            until=until,
            offset=query.offset,
            limit=query.count,
        )
        return Page([slot_resource(s) for s in rows], total)


@register
class AppointmentHandler(RecordHandler):
    type = "Appointment"
    kind = "booking"
    model_path = "fhir.resources.R4B.appointment.Appointment"
    documentation = "Bokningar. Boka (POST) med slot=Slot/<id> och patienten som deltagare."
    search_params = {**PATIENT_PARAMS, "status": ("token", "booked, arrived eller cancelled")}

    def fetch(self, req: FhirRequest, resource_id: str, action: str) -> Any:
        booking, _pa = tidbok.booking_by_id(req.actor, resource_id, action=action)
        return booking

    def rows(self, pa: Any, f: RowFilter, status: dict[str, Any]) -> tuple[list[Any], int]:
        return tidbok.bookings_page(pa, RowFilter(**{**f.__dict__, "statuses": tuple(status.get("statuses", ()))}))

    def codes(self, query: Query) -> tuple[str, ...] | None:
        return ()

    def status_filter(self, query: Query) -> dict[str, Any] | None:
        wanted = {c for _s, c in query.tokens("status")}
        if not wanted:
            return {}
        ours = tuple(k for k, v in _BOOKING_STATUS.items() if v in wanted)
        return {"statuses": ours} if ours else None

    def to_fhir(self, b: Any) -> dict[str, Any]:
        slot = b.slot
        return drop_empty(
            {
                "resourceType": "Appointment",
                "id": str(b.pk),
                "status": _BOOKING_STATUS.get(b.status, "booked"),
                "cancelationReason": {"text": b.cancel_reason} if b.cancel_reason else None,
                "serviceType": [{"text": slot.get_slot_type_display()}],
                "start": instant(b.starts_at),
                "end": instant(slot.ends_at),
                "created": instant(b.booked_at),
                "comment": b.note or None,
                "basedOn": [{"reference": f"ServiceRequest/{b.referral_id}"}] if b.referral_id else None,
                "slot": [{"reference": f"Slot/{b.slot_id}"}],
                "participant": [
                    {"actor": patient_ref(b.patient_id), "status": "accepted"},
                    {"actor": {"reference": f"Schedule/{slot.resource_id}", "display": slot.resource.name}, "status": "accepted"},
                    {"actor": unit_ref(b.unit), "status": "accepted"},
                ],
            }
        )

    def create(self, req: FhirRequest, body: dict[str, Any]) -> Found:
        """A booking made by another system, through tidbok.services (no double booking)."""
        slots = _ids([s.get("reference", "") for s in body.get("slot") or [] if s.get("reference", "").startswith("Slot/")])
        patients = _ids(
            [
                (p.get("actor") or {}).get("reference", "")
                for p in body.get("participant") or []
                if (p.get("actor") or {}).get("reference", "").startswith("Patient/")
            ]
        )
        if len(slots) != 1:
            raise FhirError(422, "required", "Appointment.slot ska peka på exakt en Slot.", expression="Appointment.slot")
        if len(patients) != 1:
            raise FhirError(
                422, "required", "Appointment.participant ska ha exakt en Patient.", expression="Appointment.participant"
            )
        if req.patient_only and patients[0] != req.patient_id:
            raise not_found("Patient", str(patients[0]))
        try:
            booking = tidbok_services.booking_create(
                actor=req.actor, patient_id=patients[0], slot_id=slots[0], note=(body.get("comment") or "")[:500]
            )
        except NotFound:
            raise not_found("Slot", str(slots[0])) from None
        return self.read(req, str(booking.pk))
