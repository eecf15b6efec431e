"""Reads of the core: patient search and the overview header."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Upper

from vardmiljo import audit
from vardmiljo.access import Ground, PatientAccess, patient_access, patients_visible_to
from vardmiljo.access import identify_patient as _identify
from vardmiljo.actor import Actor
from vardmiljo.identifiers import search_identifier
from vardmiljo.models import Patient

SEARCH_LIMIT = 25


@dataclass
class SearchResult:
    query: str
    error: str = ""
    # (patient, may_open): an identity lookup may find a patient the actor cannot open yet.
    hits: list[tuple[Patient, bool]] = field(default_factory=list)


def patient_search(actor: Actor, query: str) -> SearchResult:
    """Personnummer (with or without century and dash) finds the person's identity;
    a name searches only the patients visible to the actor (care relationship)."""
    q = (query or "").strip()
    result = SearchResult(query=q)
    if not q:
        return result
    try:
        pid = search_identifier(q)
    except ValidationError as exc:
        result.error = exc.messages[0]
        return result
    if pid is not None:
        patient = _identify(actor, pid.value)
        if patient is not None:
            result.hits = [(patient, patient.may_open)]  # type: ignore[attr-defined]
        return result
    visible = patients_visible_to(actor)
    terms = [t for t in q.replace(",", " ").split() if t]
    qs = visible.alias(_fn=Upper("family_name"), _gn=Upper("given_name"))
    for t in terms[:3]:
        t_up = t.upper()
        qs = qs.filter(Q(_fn__startswith=t_up) | Q(_gn__startswith=t_up))
    hits = list(qs.order_by("family_name", "given_name")[:SEARCH_LIMIT])
    if hits:
        audit.record(
            actor, "patient.search", ground=Ground.CARE_RELATIONSHIP, detail={"hits": len(hits), "ids": [p.pk for p in hits]}
        )
    result.hits = [(p, True) for p in hits]
    return result


def overview_access(actor: Actor, patient_id: int | str) -> PatientAccess:
    return patient_access(actor, patient_id, action="patient.overview")


def consent_and_blocks(actor: Actor, patient_id: int | str) -> tuple[PatientAccess, list[Any], list[Any], list[Any]]:
    """The patient's consents and blocks, and the units a block may name."""
    from vardmiljo.models import Block, CareUnit, Consent

    pa = patient_access(actor, patient_id, action="consent.list")
    consents = list(
        Consent.objects.filter(patient=pa.patient).select_related("provider", "recorded_by").order_by("-recorded_at")[:50]
    )
    blocks = list(Block.objects.filter(patient=pa.patient).select_related("provider", "unit", "set_by").order_by("-set_at")[:50])
    units = list(
        CareUnit.objects.filter(care_relationships__patient=pa.patient).select_related("provider").distinct().order_by("name")
    )
    return pa, consents, blocks, units
