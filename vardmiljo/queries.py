"""Reads of the core: patient search and the overview header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
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
    if f.limit == 0:
        return [], qs.count()
    order = [f"-{date_field}", "-pk"] if f.newest_first else [date_field, "pk"]
    rows = list(qs.order_by(*order)[f.offset : f.offset + f.limit])
    # A first page that is not full is the whole result: no count query needed.
    if f.offset == 0 and len(rows) < f.limit:
        return rows, len(rows)
    return rows, qs.count()


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
    rows = list(qs.defer("address").order_by("family_name", "given_name", "pk")[offset : offset + limit]) if limit else []
    # A first page that is not full is the whole result (a personnummer finds one): no count query.
    total = len(rows) if limit and offset == 0 and len(rows) < limit else qs.count()
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


def consents_and_blocks(pa: PatientAccess) -> tuple[list[Any], list[Any]]:
    """The patient's consents (to shared record access) and blocks, for a reader of the patient."""
    from vardmiljo.models import Block, Consent

    consents = list(Consent.objects.filter(patient=pa.patient).select_related("provider").order_by("-recorded_at")[:100])
    blocks = list(Block.objects.filter(patient=pa.patient).select_related("provider", "unit").order_by("-set_at")[:100])
    return consents, blocks


def consent_patient(kind: str, row_id: int) -> int | None:
    """The patient a consent or block belongs to (so that the access module can decide first)."""
    from vardmiljo.models import Block, Consent

    model = Consent if kind == "consent" else Block
    return model.objects.filter(pk=row_id).values_list("patient_id", flat=True).first()


def visible_patient_ids(actor: Actor) -> list[int]:
    """Ids of every patient the actor may open (for a bulk export: each is then decided and
    logged one by one with patient_access)."""
    return list(patients_visible_to(actor).order_by("pk").values_list("pk", flat=True))
