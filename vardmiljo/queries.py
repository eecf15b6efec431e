"""Reads of the core: patient search and the overview header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper

from vardmiljo import audit
from vardmiljo.access import Ground, PatientAccess, patient_access, patients_visible_to
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


# --- Reads for other channels (the FHIR API) --------------------------------


@dataclass(frozen=True)
class RowFilter:
    """A bounded, filtered page of one patient's rows (or of organisation rows)."""

    ids: tuple[int, ...] = ()
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    newest_first: bool = True
    offset: int = 0
    limit: int = 50


def page_rows(
    qs: QuerySet[Any], f: RowFilter, *, date_field: str, code_field: str | None = None, status_field: str | None = None
) -> tuple[list[Any], int]:
    """Rows of `qs` (already narrowed by the access module) filtered by `f`, newest first
    unless asked otherwise, with the total count of the filter."""
    if f.ids:
        qs = qs.filter(pk__in=f.ids)
    if f.since is not None:
        qs = qs.filter(**{f"{date_field}__gte": f.since})
    if f.until is not None:
        qs = qs.filter(**{f"{date_field}__lt": f.until})
    if f.codes and code_field:
        qs = qs.filter(**{f"{code_field}__in": f.codes})
    if f.statuses and status_field:
        qs = qs.filter(**{f"{status_field}__in": f.statuses})
    total = qs.count()
    if f.limit == 0 or total <= f.offset:
        return [], total
    order = [f"-{date_field}", "-pk"] if f.newest_first else [date_field, "pk"]
    return list(qs.order_by(*order)[f.offset : f.offset + f.limit]), total


def _id_list(ids: tuple[str, ...] | list[str]) -> list[int]:
    out = []
    for raw in ids:
        try:
            n = int(raw)
        except (TypeError, ValueError):
            continue
        if 0 < n < 2**63:
            out.append(n)
    return out


def patient_read(actor: Actor, patient_id: int | str, *, action: str) -> tuple[PatientAccess, str | None]:
    """One patient's identity for another system, with the address only for whoever may see it."""
    from vardmiljo.access import patient_address

    pa = patient_access(actor, patient_id, action=action)
    return pa, patient_address(pa)


def patients_find(
    actor: Actor,
    *,
    action: str,
    identifiers: tuple[str, ...] = (),
    ids: tuple[str, ...] = (),
    name: str = "",
    birth_from: dt.date | None = None,
    birth_until: dt.date | None = None,
    offset: int = 0,
    limit: int = SEARCH_LIMIT,
) -> tuple[list[Patient], int]:
    """Patients the actor may read (care relationship or own emergency access), by
    identifier, id, name prefix or birth date. The listed patients are recorded in one
    access-log row. Addresses are never part of a list."""
    from vardmiljo.access import record_list

    qs = patients_visible_to(actor)
    if identifiers:
        qs = qs.filter(identifier__in=identifiers)
    if ids:
        qs = qs.filter(pk__in=_id_list(ids))
    if name:
        qs = qs.alias(_fn=Upper("family_name"), _gn=Upper("given_name"))
        for t in name.replace(",", " ").split()[:3]:
            qs = qs.filter(Q(_fn__startswith=t.upper()) | Q(_gn__startswith=t.upper()))
    if birth_from:
        qs = qs.filter(birth_date__gte=birth_from)
    if birth_until:
        qs = qs.filter(birth_date__lt=birth_until)
    total = qs.count()
    rows = list(qs.defer("address").order_by("family_name", "given_name", "pk")[offset : offset + limit]) if limit else []
    if rows:
        record_list(actor, action, [p.pk for p in rows], detail={"hits": total})
    return rows, total


def organisations(
    *, kind: str, ids: tuple[str, ...] = (), hsa_ids: tuple[str, ...] = (), name: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[Any], int]:
    """Care providers ("provider") or units ("unit"): the catalogue, no patient data."""
    from vardmiljo.models import CareProvider, CareUnit

    qs: QuerySet[Any] = CareProvider.objects.all() if kind == "provider" else CareUnit.objects.select_related("provider")
    if ids:
        qs = qs.filter(pk__in=_id_list(ids))
    if hsa_ids:
        qs = qs.filter(hsa_id__in=hsa_ids)
    if name:
        qs = qs.filter(name__icontains=name)
    total = qs.count()
    return list(qs.order_by("name", "pk")[offset : offset + limit]), total


def staff_members(
    *, ids: tuple[str, ...] = (), hsa_ids: tuple[str, ...] = (), name: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[Any], int]:
    """Staff (not system accounts) as the catalogue knows them: name, HSA-id, profession."""
    from vardmiljo.models import Staff

    qs = Staff.objects.exclude(profession=Staff.Profession.SYSTEM)
    if ids:
        qs = qs.filter(pk__in=_id_list(ids))
    if hsa_ids:
        qs = qs.filter(hsa_id__in=hsa_ids)
    if name:
        for t in name.split()[:3]:
            qs = qs.filter(Q(first_name__istartswith=t) | Q(last_name__istartswith=t))
    total = qs.count()
    return list(qs.order_by("last_name", "first_name", "pk")[offset : offset + limit]), total


def assignments_of(
    *,
    ids: tuple[str, ...] = (),
    staff_ids: tuple[str, ...] = (),
    unit_ids: tuple[str, ...] = (),
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Any], int]:
    """Assignments of staff (not of system accounts), with staff, unit and provider."""
    from vardmiljo.models import Assignment, Staff

    qs = Assignment.objects.exclude(staff__profession=Staff.Profession.SYSTEM).select_related("staff", "unit__provider")
    if ids:
        qs = qs.filter(pk__in=_id_list(ids))
    if staff_ids:
        qs = qs.filter(staff_id__in=_id_list(staff_ids))
    if unit_ids:
        qs = qs.filter(unit_id__in=_id_list(unit_ids))
    total = qs.count()
    return list(qs.order_by("pk")[offset : offset + limit]), total
