"""The record's resources: Observation, Condition (ICD-10-SE), Procedure (KVÅ),
Encounter, AllergyIntolerance and Flag (the attention signal), read through
journal.queries: the access module decides each patient and logs each read."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.dateparse import parse_datetime

from integrations.fhir.outcome import FhirError, not_found
from integrations.fhir.registry import FhirRequest, Found, Handler, Page, register
from integrations.fhir.resources.common import (
    ATC_SYSTEM,
    ICD10SE_SYSTEM,
    KVA_SYSTEM,
    LOINC,
    drop_empty,
    instant,
    number,
    patient_ref,
    unit_ref,
)
from integrations.fhir.search import Query
from journal import queries as journal
from journal import services as journal_services
from vardmiljo.access import patient_access
from vardmiljo.errors import NotFound
from vardmiljo.queries import RowFilter

PATIENT_PARAMS = {
    "_id": ("token", "Id"),
    "patient": ("reference", "Patient/<id> (krävs, utom med _id)"),
    "subject": ("reference", "Patient/<id>, som patient"),
    "date": ("date", "Tidpunkt: eq, ge, gt, le, lt, t.ex. ge2024-01-01"),
}


class RecordHandler(Handler):
    """A type backed by one kind of journal row (journal.queries.RECORD_ROWS)."""

    kind: ClassVar[str]
    sort_params = ("date",)
    # Module field values that the type serves (e.g. Flag: every kind of alert).
    exact: ClassVar[dict[str, Any]] = {}

    def to_fhir(self, row: Any) -> dict[str, Any]:
        raise NotImplementedError

    def codes(self, query: Query) -> tuple[str, ...] | None:
        """The module's codes for the `code` parameter; None: the parameter names none of ours."""
        return tuple(code for _s, code in query.tokens("code"))

    def status_filter(self, query: Query) -> dict[str, Any] | None:
        return {}

    def _action(self, verb: str) -> str:
        return f"fhir.{self.type.lower()}.{verb}"

    def fetch(self, req: FhirRequest, resource_id: str, action: str) -> Any:
        """One row by id through the module's query (access decided and logged there)."""
        row, _pa = journal.record_row_for(req.actor, self.kind, resource_id, action=action)
        return row

    def rows(self, pa: Any, f: RowFilter, status: dict[str, Any]) -> tuple[list[Any], int]:
        """A page of one patient's rows through the module's query."""
        return journal.record_rows(pa, self.kind, f, **self.exact, **status)

    def patient_of(self, row: Any) -> int:
        return int(row.patient_id)

    def read(self, req: FhirRequest, resource_id: str) -> Found:
        try:
            row = self.fetch(req, resource_id, self._action("read"))
        except NotFound:
            raise not_found(self.type, resource_id) from None
        if any(getattr(row, k) != v for k, v in self.exact.items()):
            raise not_found(self.type, resource_id)
        return Found(self.to_fhir(row), self.patient_of(row))

    def search(self, req: FhirRequest, query: Query) -> Page:
        if "patient" not in query.params:
            return self._by_ids(req, query)
        codes = self.codes(query)
        status = self.status_filter(query)
        if codes is None or status is None:
            return Page([], 0)
        try:
            pa = patient_access(req.actor, query.params["patient"][0], action=self._action("search"))
        except NotFound:
            return Page([], 0)  # absent and not readable: the same empty result
        f = RowFilter(
            ids=tuple(int(i) for i in query.ids if i.isdigit()),
            since=query.since,
            until=query.until,
            codes=codes,
            newest_first=query.newest_first if query.first("_sort") else True,
            offset=query.offset,
            limit=query.count,
        )
        if query.ids and not f.ids:
            return Page([], 0)
        rows, total = self.rows(pa, f, status)
        return Page([self.to_fhir(r) for r in rows], total)

    def _by_ids(self, req: FhirRequest, query: Query) -> Page:
        others = set(query.params) - {"_id", "_count", "_offset", "_summary", "_format", "_pretty"}
        if others:
            raise FhirError(400, "not-supported", f"_id utan patient kan inte kombineras med {', '.join(sorted(others))}.")
        found = []
        for rid in query.ids[:50]:
            try:
                one = self.read(req, rid)
            except FhirError:
                continue
            if not req.patient_only or one.patient_id == req.patient_id:
                found.append(one.resource)
        return Page(found[query.offset : query.offset + query.count], len(found))


# --- Observation -------------------------------------------------------------

# The journal's measurement kinds as LOINC codes and UCUM units.
OBSERVATION_CODES: dict[str, tuple[str, str, str | None]] = {
    "bp": ("85354-9", "Blodtryck", None),
    "pulse": ("8867-4", "Puls", "/min"),
    "temp": ("8310-5", "Kroppstemperatur", "Cel"),
    "weight": ("29463-7", "Kroppsvikt", "kg"),
    "height": ("8302-2", "Kroppslängd", "cm"),
    "bmi": ("39156-5", "BMI", "kg/m2"),
    "spo2": ("59408-5", "Syremättnad", "%"),
    "hba1c": ("4548-4", "HbA1c", "mmol/mol"),
    "smoking": ("72166-2", "Rökning", None),
}
_LOINC_TO_KIND = {code: kind for kind, (code, _t, _u) in OBSERVATION_CODES.items()}
_VITAL = {"bp", "pulse", "temp", "weight", "height", "bmi", "spo2"}


def _quantity(value: Any, unit_text: str, ucum: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    q: dict[str, Any] = {"value": number(value), "unit": unit_text or ucum}
    if ucum:
        q.update(system="http://unitsofmeasure.org", code=ucum)
    return drop_empty(q)


@register
class ObservationHandler(RecordHandler):
    type = "Observation"
    kind = "observation"
    model_path = "fhir.resources.R4B.observation.Observation"
    documentation = "Mätvärden (vitalparametrar, HbA1c, rökning) med LOINC-koder."
    search_params = {
        **PATIENT_PARAMS,
        "code": ("token", f"{LOINC}|<kod>, t.ex. 8867-4 (puls)"),
        "status": ("token", "final eller entered-in-error"),
    }

    def codes(self, query: Query) -> tuple[str, ...] | None:
        tokens = query.tokens("code")
        kinds = tuple(_LOINC_TO_KIND[c] for s, c in tokens if s in (None, LOINC) and c in _LOINC_TO_KIND)
        return None if tokens and not kinds else kinds

    def status_filter(self, query: Query) -> dict[str, Any] | None:
        wanted = {c for _s, c in query.tokens("status")}
        if not wanted or wanted >= {"final", "entered-in-error"}:
            return {}
        if "final" in wanted:
            return {"entered_in_error": False}
        if "entered-in-error" in wanted:
            return {"entered_in_error": True}
        return None

    def create(self, req: FhirRequest, body: dict[str, Any]) -> Found:
        """A measurement from a device or a lab, recorded through journal.services like a typed one."""
        subject = (body.get("subject") or {}).get("reference", "")
        if not subject.startswith("Patient/"):
            raise FhirError(422, "required", "Observation.subject ska peka på en Patient.", expression="Observation.subject")
        patient_id = subject.removeprefix("Patient/")
        if req.patient_only and patient_id != str(req.patient_id):
            raise not_found("Patient", patient_id)
        codings = (body.get("code") or {}).get("coding") or []
        kind = next(
            (_LOINC_TO_KIND[c.get("code")] for c in codings if c.get("system") == LOINC and c.get("code") in _LOINC_TO_KIND), None
        )
        if kind is None or kind == "bmi":
            raise FhirError(
                422,
                "code-invalid",
                "Observation.code ska vara en av API:ts LOINC-koder (se CapabilityStatement).",
                expression="Observation.code",
            )
        values: dict[str, Any] = {}
        if kind == "bp":
            by_code = {
                (c.get("code") or {}).get("coding", [{}])[0].get("code"): (c.get("valueQuantity") or {}).get("value")
                for c in body.get("component") or []
            }
            values = {"value": by_code.get("8480-6"), "value2": by_code.get("8462-4")}
        elif kind == "smoking":
            values = {"value_text": body.get("valueString") or ""}
        else:
            values = {"value": (body.get("valueQuantity") or {}).get("value")}
        observed_at = None
        if body.get("effectiveDateTime"):
            observed_at = parse_datetime(body["effectiveDateTime"])
            if observed_at is None:
                raise FhirError(
                    422,
                    "invalid",
                    "Observation.effectiveDateTime ska vara datum och tid.",
                    expression="Observation.effectiveDateTime",
                )
        try:
            obs = journal_services.observation_record(
                actor=req.actor,
                patient_id=int(patient_id) if patient_id.isdigit() else 0,
                kind=kind,
                observed_at=observed_at,
                **values,
            )
        except NotFound:
            raise not_found("Patient", patient_id) from None
        row, _pa = journal.record_row_for(req.actor, self.kind, obs.pk, action="fhir.observation.created")
        return Found(self.to_fhir(row), row.patient_id)

    def to_fhir(self, o: Any) -> dict[str, Any]:
        code, text, ucum = OBSERVATION_CODES.get(o.kind, ("", o.kind, None))
        category = "vital-signs" if o.kind in _VITAL else ("social-history" if o.kind == "smoking" else "laboratory")
        res: dict[str, Any] = {
            "resourceType": "Observation",
            "id": str(o.pk),
            "status": "entered-in-error" if o.entered_in_error else "final",
            "category": [
                {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": category}]}
            ],
            "code": {"coding": [{"system": LOINC, "code": code, "display": text}], "text": text},
            "subject": patient_ref(o.patient_id),
            "effectiveDateTime": instant(o.observed_at),
            "performer": [unit_ref(o.unit)],
        }
        if o.kind == "bp":
            res["component"] = [
                c
                for c in (
                    _component("8480-6", "Systoliskt blodtryck", o.value),
                    _component("8462-4", "Diastoliskt blodtryck", o.value2),
                )
                if c
            ]
        elif o.kind == "smoking":
            res["valueString"] = o.value_text or None
        else:
            res["valueQuantity"] = _quantity(o.value, o.unit_text, ucum)
        return drop_empty(res)


def _component(code: str, text: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "code": {"coding": [{"system": LOINC, "code": code, "display": text}]},
        "valueQuantity": _quantity(value, "mmHg", "mm[Hg]"),
    }


# --- Condition and Procedure -------------------------------------------------


@register
class ConditionHandler(RecordHandler):
    type = "Condition"
    kind = "diagnosis"
    model_path = "fhir.resources.R4B.condition.Condition"
    documentation = "Diagnoser kodade i ICD-10-SE."
    search_params = {
        **PATIENT_PARAMS,
        "code": ("token", f"{ICD10SE_SYSTEM}|<kod>, t.ex. E11.9"),
        "clinical-status": ("token", "active eller resolved"),
    }

    def codes(self, query: Query) -> tuple[str, ...] | None:
        tokens = query.tokens("code")
        codes = tuple(c.upper() for s, c in tokens if s in (None, ICD10SE_SYSTEM))
        return None if tokens and not codes else codes

    def status_filter(self, query: Query) -> dict[str, Any] | None:
        wanted = {c for _s, c in query.tokens("clinical-status")}
        if not wanted or wanted >= {"active", "resolved"}:
            return {}
        if wanted & {"active", "resolved"}:
            return {"status": "active" if "active" in wanted else "resolved"}
        return None

    def to_fhir(self, d: Any) -> dict[str, Any]:
        verification = "entered-in-error" if d.entered_in_error else "confirmed"
        res: dict[str, Any] = {
            "resourceType": "Condition",
            "id": str(d.pk),
            "verificationStatus": {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": verification}]
            },
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                            "code": "encounter-diagnosis",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": ICD10SE_SYSTEM, "code": d.code, "display": d.code_text or None}]},
            "subject": patient_ref(d.patient_id),
            "encounter": {"reference": f"Encounter/{d.encounter_id}"} if d.encounter_id else None,
            "onsetDateTime": d.onset_date.isoformat() if d.onset_date else None,
            "recordedDate": instant(d.recorded_at),
            "recorder": {"display": d.author_name} if d.author_name else None,
        }
        if not d.entered_in_error:
            # An entered-in-error condition carries no clinical status (FHIR invariant con-5).
            res["clinicalStatus"] = {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": d.status}]
            }
        res["code"]["coding"][0] = drop_empty(res["code"]["coding"][0])
        return drop_empty(res)


@register
class ProcedureHandler(RecordHandler):
    type = "Procedure"
    kind = "procedure"
    model_path = "fhir.resources.R4B.procedure.Procedure"
    documentation = "Åtgärder kodade i KVÅ."
    search_params = {**PATIENT_PARAMS, "code": ("token", f"{KVA_SYSTEM}|<kod>")}

    def codes(self, query: Query) -> tuple[str, ...] | None:
        tokens = query.tokens("code")
        codes = tuple(c.upper() for s, c in tokens if s in (None, KVA_SYSTEM))
        return None if tokens and not codes else codes

    def to_fhir(self, p: Any) -> dict[str, Any]:
        return drop_empty(
            {
                "resourceType": "Procedure",
                "id": str(p.pk),
                "status": "entered-in-error" if p.entered_in_error else "completed",
                "code": {"coding": [drop_empty({"system": KVA_SYSTEM, "code": p.code, "display": p.code_text})]},
                "subject": patient_ref(p.patient_id),
                "encounter": {"reference": f"Encounter/{p.encounter_id}"} if p.encounter_id else None,
                "performedDateTime": instant(p.performed_at),
                "performer": [{"actor": unit_ref(p.unit)}],
            }
        )


# --- Encounter ---------------------------------------------------------------

_ENCOUNTER_CLASS = {
    "visit": ("AMB", "ambulatory"),
    "phone": ("VR", "virtual"),
    "video": ("VR", "virtual"),
    "admission": ("IMP", "inpatient encounter"),
}


@register
class EncounterHandler(RecordHandler):
    type = "Encounter"
    kind = "encounter"
    model_path = "fhir.resources.R4B.encounter.Encounter"
    documentation = "Vårdkontakter: besök, telefon, video och inskrivningar."
    search_params = {**PATIENT_PARAMS, "status": ("token", "in-progress eller finished")}

    def status_filter(self, query: Query) -> dict[str, Any] | None:
        wanted = {c for _s, c in query.tokens("status")}
        if not wanted or wanted >= {"in-progress", "finished"}:
            return {}
        if "finished" in wanted:
            return {"ended_at__isnull": False}
        if "in-progress" in wanted:
            return {"ended_at__isnull": True}
        return None

    def to_fhir(self, e: Any) -> dict[str, Any]:
        code, display = _ENCOUNTER_CLASS.get(e.kind, ("AMB", "ambulatory"))
        return drop_empty(
            {
                "resourceType": "Encounter",
                "id": str(e.pk),
                "status": "finished" if e.ended_at else "in-progress",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": code, "display": display},
                "type": [{"text": e.get_kind_display()}],
                "subject": patient_ref(e.patient_id),
                "period": drop_empty({"start": instant(e.started_at), "end": instant(e.ended_at)}),
                "serviceProvider": unit_ref(e.unit),
                "participant": [{"individual": {"reference": f"Practitioner/{e.responsible_id}"}}] if e.responsible_id else None,
            }
        )


# --- The attention signal: AllergyIntolerance and Flag ---------------------------

_CRITICALITY = {"mild": "low", "moderate": "low", "severe": "high", "life_threatening": "high"}


def _active_filter(query: Query, name: str, active: str, inactive: str) -> dict[str, Any] | None:
    wanted = {c for _s, c in query.tokens(name)}
    if not wanted or wanted >= {active, inactive}:
        return {}
    if wanted & {active, inactive}:
        return {"active": active in wanted}
    return None


@register
class AllergyIntoleranceHandler(RecordHandler):
    type = "AllergyIntolerance"
    kind = "allergy"
    exact = {"kind": "allergy"}
    model_path = "fhir.resources.R4B.allergyintolerance.AllergyIntolerance"
    documentation = "Överkänslighet (uppmärksamhetssignalens allergier), ämnet med ATC-kod."
    search_params = {
        **PATIENT_PARAMS,
        "code": ("token", f"{ATC_SYSTEM}|<ATC-kod>"),
        "clinical-status": ("token", "active eller inactive"),
    }

    def codes(self, query: Query) -> tuple[str, ...] | None:
        tokens = query.tokens("code")
        codes = tuple(c.upper() for s, c in tokens if s in (None, ATC_SYSTEM))
        return None if tokens and not codes else codes

    def status_filter(self, query: Query) -> dict[str, Any] | None:
        return _active_filter(query, "clinical-status", "active", "inactive")

    def to_fhir(self, a: Any) -> dict[str, Any]:
        coding = [{"system": ATC_SYSTEM, "code": a.atc_code}] if a.atc_code else []
        return drop_empty(
            {
                "resourceType": "AllergyIntolerance",
                "id": str(a.pk),
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                            "code": "active" if a.active else "inactive",
                        }
                    ]
                },
                "criticality": _CRITICALITY.get(a.severity),
                "code": drop_empty({"coding": coding, "text": a.substance}),
                "patient": patient_ref(a.patient_id),
                "recordedDate": instant(a.recorded_at),
                "recorder": {"display": a.author_name} if a.author_name else None,
                "note": [{"text": a.reaction}] if a.reaction else None,
            }
        )


@register
class FlagHandler(RecordHandler):
    type = "Flag"
    kind = "allergy"
    model_path = "fhir.resources.R4B.flag.Flag"
    documentation = "Uppmärksamhetssignalen: överkänslighet, allvarlig sjukdom, smitta, behandling."
    search_params = {**PATIENT_PARAMS, "status": ("token", "active eller inactive")}

    def codes(self, query: Query) -> tuple[str, ...] | None:
        return ()

    def status_filter(self, query: Query) -> dict[str, Any] | None:
        return _active_filter(query, "status", "active", "inactive")

    def to_fhir(self, a: Any) -> dict[str, Any]:
        return drop_empty(
            {
                "resourceType": "Flag",
                "id": str(a.pk),
                "status": "active" if a.active else "inactive",
                "category": [{"text": a.get_kind_display()}],
                "code": {"text": f"{a.get_kind_display()}: {a.substance}"},
                "subject": patient_ref(a.patient_id),
                "period": drop_empty({"start": instant(a.recorded_at), "end": instant(a.inactivated_at)}),
            }
        )
