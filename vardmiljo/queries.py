"""Reads of the core: patient search and the overview header."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Upper

from vardmiljo.access import (
    PatientAccess,
    list_patients,
    may_manage_block,
    may_manage_blocks_of,
    patient_access,
    patients_visible_to,
)
from vardmiljo.access import identify_patient as _identify
from vardmiljo.actor import Actor
from vardmiljo.identifiers import looks_like_pnr, parse_patient_id
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
    if looks_like_pnr(q):
        try:
            pid = parse_patient_id(q)
        except ValidationError as exc:
            result.error = exc.messages[0]
            return result
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
    hits = list_patients(
        actor, "patient.search", qs.order_by("family_name", "given_name")[:SEARCH_LIMIT], detail=lambda r: {"hits": len(r)}
    )
    result.hits = [(p, True) for p in hits]
    return result


def overview_access(actor: Actor, patient_id: int | str) -> PatientAccess:
    return patient_access(actor, patient_id, action="patient.overview")


def consent_and_blocks(actor: Actor, patient_id: int | str) -> tuple[PatientAccess, list[Any], list[Any], list[Any]]:
    """The patient's consents and blocks (each with `may_lift`), and the units a block set
    by the actor may name: only the actor's own provider's (access.may_manage_blocks_of)."""
    from vardmiljo.models import Block, CareUnit, Consent

    pa = patient_access(actor, patient_id, action="consent.list")
    consents = list(
        Consent.objects.filter(patient=pa.patient).select_related("provider", "recorded_by").order_by("-recorded_at")[:50]
    )
    blocks = list(Block.objects.filter(patient=pa.patient).select_related("provider", "unit", "set_by").order_by("-set_at")[:50])
    for b in blocks:
        b.may_lift = b.lifted_at is None and may_manage_block(actor, b)  # type: ignore[attr-defined]
    units = (
        list(
            CareUnit.objects.filter(care_relationships__patient=pa.patient, provider_id=actor.provider_id)
            .select_related("provider")
            .distinct()
            .order_by("name")
        )
        if actor.provider_id is not None and may_manage_blocks_of(actor, actor.provider_id)
        else []
    )
    return pa, consents, blocks, units
