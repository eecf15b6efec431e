"""The access module: the only code that answers "may this member of staff,
acting in this assignment, read or write this patient's data, and on which
ground" (patientdatalagen 4 and 6 kap., HSLF-FS 2016:40).

Rules, in order:
1. The actor needs an active assignment for care (vård och behandling).
2. The actor's unit needs an active care relationship with the patient, or the
   actor has an active emergency access (nödåtkomst) with a stated reason.
3. Data of the actor's own unit is readable. Data of other units of the same
   provider is readable unless the patient has blocked that unit (inre sekretess).
4. Data of other providers (sammanhållen journalföring) is readable only with
   the patient's consent to the actor's provider, or under emergency access,
   and never where the patient has blocked that provider or unit.
5. The address of a patient with protected identity is shown only to roles in
   PROTECTED_ADDRESS_ROLES, and never in lists.

Absent and not allowed answer the same (NotFound). A missing check denies:
clinical queries filter rows with `PatientAccess.filter()`, which only ever
narrows a queryset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vardmiljo import audit, db
from vardmiljo.actor import Actor, ResidentActor
from vardmiljo.errors import DomainError, NotFound, PermissionDenied
from vardmiljo.models import (
    AccessLog,
    Assignment,
    Block,
    CareRelationship,
    CareUnit,
    Consent,
    EmergencyAccess,
    Guardianship,
    Patient,
)

Ground = AccessLog.Ground
# A resident reads the whole of their own record (blocks and consent bind staff, not the patient).
RESIDENT_GROUNDS = frozenset({Ground.PATIENT_SELF, Ground.GUARDIAN})
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class PatientAccess:
    """The answer for one actor and one patient: the ground and what is readable."""

    actor: Actor | ResidentActor
    patient: Patient
    ground: str
    reason: str = ""
    flagged: bool = False
    consent: bool = False
    blocked_unit_ids: frozenset[int] = field(default_factory=frozenset)
    blocked_provider_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def patient_id(self) -> int:
        return self.patient.pk

    @property
    def staff_actor(self) -> Actor:
        """The member of staff of a staff access (clinicians' panels); a resident's access has none."""
        if not isinstance(self.actor, Actor):
            raise PermissionDenied(_("Endast för personal."))
        return self.actor

    def units_q(self, unit_field: str = "unit") -> Q:
        """A Q over rows owned by a unit (`<unit_field>_id`) that this access may read."""
        if self.ground in RESIDENT_GROUNDS:
            return Q()
        own_provider = self.actor.provider_id
        opened = self.consent or self.ground == Ground.EMERGENCY
        # The usual cases, in their simplest form (each page runs several of these):
        if not self.blocked_unit_ids and not self.blocked_provider_ids:
            if opened:
                return Q()  # consent or emergency and nothing blocked: all of the patient's record
            return Q(**{f"{unit_field}__provider_id": own_provider})  # the own unit is the own provider's
        q = Q(**{f"{unit_field}__provider_id": own_provider})
        if opened:
            q |= ~Q(**{f"{unit_field}__provider_id__in": list(self.blocked_provider_ids)})
        if self.blocked_unit_ids:
            q &= ~Q(**{f"{unit_field}_id__in": list(self.blocked_unit_ids)})
        # The own unit always reads its own notes, whatever is blocked elsewhere.
        return q | Q(**{f"{unit_field}_id": self.actor.unit_id})

    def filter(self, qs: QuerySet[M], unit_field: str = "unit", patient_field: str = "patient") -> QuerySet[M]:
        """Narrow a queryset of patient-linked rows to this patient and readable units."""
        return qs.filter(self.units_q(unit_field), **{f"{patient_field}_id": self.patient.pk})

    def sql(
        self, model: type[Model], alias: str, unit_field: str = "unit", patient_field: str = "patient"
    ) -> tuple[str, list[Any]]:
        """The same rows as filter(), as an SQL condition over `model`'s table under
        `alias`, for the hot reads written in SQL (patient panels). The usual cases are
        spelled out; with blocks, the condition is filter()'s own query, as a subquery."""
        a, unit_col, params = alias, f"{alias}.{unit_field}_id", [self.patient.pk]
        if self.ground in RESIDENT_GROUNDS:
            return f"{a}.{patient_field}_id = %s", params
        if not self.blocked_unit_ids and not self.blocked_provider_ids:
            if self.consent or self.ground == Ground.EMERGENCY:
                return f"{a}.{patient_field}_id = %s", params
            return (
                f"{a}.{patient_field}_id = %s AND {unit_col} IN (SELECT id FROM {CareUnit._meta.db_table} WHERE provider_id = %s)",
                [*params, self.actor.provider_id],
            )
        sub, sub_params = (
            self.filter(model._default_manager.all(), unit_field, patient_field).values("pk").query.sql_with_params()
        )
        return f"{a}.{patient_field}_id = %s AND {a}.{model._meta.pk.column} IN ({sub})", [*params, *sub_params]

    def may_read_unit(self, unit: CareUnit) -> bool:
        if self.ground in RESIDENT_GROUNDS:
            return True
        if unit.pk == self.actor.unit_id:
            return True
        if unit.pk in self.blocked_unit_ids:
            return False
        if unit.provider_id == self.actor.provider_id:
            return True
        return (self.consent or self.ground == Ground.EMERGENCY) and unit.provider_id not in self.blocked_provider_ids


def require_assignment(actor: Actor, purpose: str = Assignment.Purpose.CARE) -> Assignment:
    """The actor's assignment, active and for `purpose`; else PermissionDenied."""
    a = actor.assignment
    if a is None or not a.is_active():
        raise PermissionDenied(_("Ditt medarbetaruppdrag är inte giltigt. Välj uppdrag på nytt."))
    if a.purpose != purpose:
        raise PermissionDenied(_("Ditt medarbetaruppdrag ger inte rätt till detta."))
    return a


def _relationship_q(unit_id: int | None, now: object) -> Exists:
    return Exists(
        CareRelationship.objects.filter(patient=OuterRef("pk"), unit_id=unit_id, valid_from__lte=now).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=now)
        )
    )


def _emergency_q(actor: Actor, now: object) -> Exists:
    return Exists(
        EmergencyAccess.objects.filter(
            patient=OuterRef("pk"), assignment_id=actor.assignment.pk if actor.assignment else 0, expires_at__gt=now
        )
    )


def patients_visible_to(actor: Actor) -> QuerySet[Patient]:
    """Every list of patients starts here: patients with a care relationship at
    the actor's unit, or under the actor's own emergency access."""
    if actor.assignment is None or not actor.assignment.is_active() or actor.assignment.purpose != Assignment.Purpose.CARE:
        return Patient.objects.none()
    now = timezone.now()
    return Patient.objects.filter(_relationship_q(actor.unit_id, now) | _emergency_q(actor, now), merged_into__isnull=True)


def patients_of_unit(unit_id: int, now: object = None) -> QuerySet[Patient]:
    """Patients with an active care relationship at the unit: the only patients a system
    disclosure to that unit (a downtime bundle) may name."""
    return Patient.objects.filter(_relationship_q(unit_id, now or timezone.now()), merged_into__isnull=True)


def unit_disclosure_filter(
    qs: QuerySet[M], unit: CareUnit, *, unit_field: str = "unit", patient_field: str = "patient"
) -> QuerySet[M]:
    """Rows of many patients that `unit` may read on its care relationships alone (no consent,
    no emergency access): its own provider's data, less the units each patient has blocked
    (a unit always reads its own). The rule of `PatientAccess.units_q` without consent, for
    disclosures by the system to a unit; the caller limits the patients to patients_of_unit()."""
    blocked = Block.objects.filter(
        patient_id=OuterRef(f"{patient_field}_id"), unit_id=OuterRef(f"{unit_field}_id"), lifted_at__isnull=True
    )
    return qs.filter(
        Q(**{f"{unit_field}_id": unit.pk}) | (Q(**{f"{unit_field}__provider_id": unit.provider_id}) & ~Exists(blocked))
    )


# The decision for one patient in one statement (the same rules as _relationship_q and
# _emergency_q, which serve lists): ground, consent and blocks. Written out in SQL because
# every patient page asks it, and building it with the ORM cost more than running it.
_DECISION_SQL = f"""
SELECT {db.columns(Patient, "p")},
  EXISTS (SELECT 1 FROM {CareRelationship._meta.db_table} r
           WHERE r.patient_id = p.id AND r.unit_id = %(unit)s AND r.valid_from <= %(now)s
             AND (r.valid_to IS NULL OR r.valid_to > %(now)s)) AS _rel,
  (SELECT e.reason FROM {EmergencyAccess._meta.db_table} e
    WHERE e.patient_id = p.id AND e.assignment_id = %(assignment)s AND e.expires_at > %(now)s
    ORDER BY e.started_at DESC LIMIT 1) AS _emerg_reason,
  EXISTS (SELECT 1 FROM {Consent._meta.db_table} c
           WHERE c.patient_id = p.id AND c.provider_id = %(provider)s AND c.revoked_at IS NULL
             AND c.valid_until > %(now)s) AS _consent,
  ARRAY(SELECT b.unit_id FROM {Block._meta.db_table} b
         WHERE b.patient_id = p.id AND b.lifted_at IS NULL AND b.unit_id IS NOT NULL) AS _blocked_units,
  ARRAY(SELECT b.provider_id FROM {Block._meta.db_table} b
         WHERE b.patient_id = p.id AND b.lifted_at IS NULL AND b.unit_id IS NULL) AS _blocked_providers
FROM {Patient._meta.db_table} p
"""


def _decide(actor: Actor, now: object, *, pk: int | None = None, identifier: str | None = None) -> Any:
    """The patient (by id, or by identifier among unmerged patients) with _rel,
    _emerg_reason, _consent, _blocked_units and _blocked_providers; or None."""
    params = {
        "pk": pk,
        "identifier": identifier,
        "now": now,
        "unit": actor.unit_id,
        "provider": actor.provider_id,
        "assignment": actor.assignment.pk if actor.assignment else 0,
    }
    where = "WHERE p.id = %(pk)s" if pk is not None else "WHERE p.identifier = %(identifier)s AND p.merged_into_id IS NULL"
    with db.cursor() as cur:
        cur.execute(_DECISION_SQL + where, params)
        found = cur.fetchone()
    if found is None:
        return None
    n = len(Patient._meta.concrete_fields)
    patient: Any = db.instance(Patient, found[:n])
    patient._rel, patient._emerg_reason, patient._consent, patient._blocked_units, patient._blocked_providers = found[n:]
    return patient


def patient_access(
    actor: Actor,
    patient_id: int | str,
    *,
    action: str,
    obj: object = None,
    write: bool = False,
    log: bool = True,
) -> PatientAccess:
    """Decide, and record in the access log, one read or write of a patient's data.

    Raises NotFound both when the patient does not exist and when the actor
    has no ground; the refusal is itself logged.
    """
    try:
        require_assignment(actor)
    except PermissionDenied:
        raise NotFound() from None
    now = timezone.now()
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63:
        raise NotFound()
    row = _decide(actor, now, pk=pk)
    if row is None:
        raise NotFound()
    if row._rel:
        ground, reason, flagged = Ground.CARE_RELATIONSHIP, "", False
    elif row._emerg_reason is not None:
        ground, reason, flagged = Ground.EMERGENCY, row._emerg_reason, True
    else:
        if log:
            audit.record_refusal(actor, f"{action}.denied", patient=row, obj=obj, ground=Ground.DENIED)
        raise NotFound()
    # A unit's block never hides the unit's data from itself, nor a provider's from itself.
    blocked_units = {u for u in row._blocked_units or () if u != actor.unit_id}
    blocked_providers = {p for p in row._blocked_providers or () if p != actor.provider_id}
    pa = PatientAccess(
        actor=actor,
        patient=row,
        ground=ground,
        reason=reason,
        # Protected identities are always part of the review sample.
        flagged=flagged or row.is_protected,
        consent=bool(row._consent),
        blocked_unit_ids=frozenset(blocked_units),
        blocked_provider_ids=frozenset(blocked_providers),
    )
    if log:
        record_access(pa, action, obj=obj, write=write)
    return pa


def record_access(pa: PatientAccess, action: str, *, obj: object = None, write: bool = False) -> int:
    """The access-log row of a decided access: what patient_access(log=True) writes. For a
    service that decides first (log=False) and records inside its write's own transaction."""
    return audit.record(pa.actor, action, patient=pa, obj=obj, detail={"write": True} if write else None)


def _list_ground(actor: Actor) -> str:
    if actor.is_system:
        return Ground.SYSTEM
    a = actor.assignment
    if a is not None and a.purpose == Assignment.Purpose.CARE:
        return Ground.CARE_RELATIONSHIP
    return Ground.ADMINISTRATION


def record_list(
    actor: Actor,
    action: str,
    patient_ids: Iterable[int],
    *,
    obj: object = None,
    detail: dict[str, Any] | None = None,
) -> int | None:
    """Record one list read (a search result, an inbox, a day list, a worklist, an
    export): one access-log row naming every listed patient in its indexed
    `patient_ids` column, so that each of them finds it in their log extract.
    Returns the row's id, or None when the list named nobody (nothing is written)."""
    ids = list(dict.fromkeys(int(p) for p in patient_ids if p is not None))
    if not ids:
        return None
    return audit.record(actor, action, obj=obj, ground=_list_ground(actor), detail=detail, patient_ids=ids)


def list_patients(
    actor: Actor,
    action: str,
    rows: Iterable[M],
    *,
    patient_of: str | Callable[[M], int | None] | None = None,
    obj: object = None,
    detail: dict[str, Any] | Callable[[list[M]], dict[str, Any]] | None = None,
) -> list[M]:
    """Evaluate a list (a queryset that starts from patients_visible_to(actor), or rows
    already narrowed by the access module) and record it with record_list in one call.
    `patient_of` names each row's patient: an attribute ("pk" for patients, else
    "patient_id" by default) or a function. `detail` may be a function of the rows."""
    out = list(rows)
    if callable(patient_of):
        ids = [patient_of(r) for r in out]
    else:
        attr = patient_of or ("pk" if out and isinstance(out[0], Patient) else "patient_id")
        ids = [getattr(r, attr) for r in out]
    record_list(actor, action, [i for i in ids if i is not None], obj=obj, detail=detail(out) if callable(detail) else detail)
    return out


def identify_patient(actor: Actor, identifier: str) -> Patient | None:
    """Identity lookup by a complete, valid identifier (as at the reception desk):
    returns the patient's identity only, whether or not the actor may read the
    record, and logs the lookup. The record itself still needs patient_access().
    The patient's `may_open` says whether patients_visible_to(actor) holds it."""
    if actor.assignment is None or not actor.assignment.is_active():
        return None
    patient = _decide(actor, timezone.now(), identifier=identifier)
    if patient is not None:
        patient.may_open = actor.assignment.purpose == Assignment.Purpose.CARE and bool(
            patient._rel or patient._emerg_reason is not None
        )
        audit.record(actor, "patient.identify", patient=patient, ground=Ground.ADMINISTRATION, flagged=patient.is_protected)
    return patient


def block_owner_provider_id(block: Block) -> int:
    """The provider whose data a block protects: for a unit block, that unit's provider."""
    if block.unit_id is not None:
        if "unit" in block._state.fields_cache:
            return int(block.unit.provider_id)  # type: ignore[union-attr]
        return int(CareUnit.objects.filter(pk=block.unit_id).values_list("provider_id", flat=True).get())
    return int(block.provider_id)


def may_manage_blocks_of(actor: Actor, provider_id: int) -> bool:
    """A block (spärr) is placed and lifted, at the patient's request, only by the care
    provider whose data it protects (HSLF-FS 2016:40; PDL 4 kap. 4 §, 6 kap. 2 §): staff
    of another provider could otherwise open data hidden from them. The care relationship
    is checked by patient_access in the services."""
    a = actor.assignment
    if a is None or not a.is_active() or a.purpose != Assignment.Purpose.CARE:
        return False
    return provider_id == actor.provider_id


def may_manage_block(actor: Actor, block: Block) -> bool:
    return may_manage_blocks_of(actor, block_owner_provider_id(block))


PAYLOAD_PERMISSION = "vardmiljo.view_payload"


def support_access(actor: Actor, *, patient_id: int | None, action: str, obj: object, reason: str) -> int:
    """An administrator, who has no care relationship, reads a message's payload to fix its
    delivery: only with the view_payload permission and a stated reason; recorded on its own
    ground (support), flagged for review, in the patient's log extract."""
    if not actor.staff.is_active or not actor.staff.has_perm(PAYLOAD_PERMISSION):
        raise PermissionDenied(_("Du har inte behörighet att se meddelandens innehåll."))
    if not reason.strip():
        raise DomainError(_("Ange varför du behöver se innehållet."), field="reason")
    return audit.record(actor, action, patient=patient_id, obj=obj, ground=Ground.SUPPORT, reason=reason.strip(), flagged=True)


def may_see_address(actor: Actor | ResidentActor, patient: Patient) -> bool:
    return not patient.is_protected or actor.role in settings.PROTECTED_ADDRESS_ROLES


def patient_address(pa: PatientAccess) -> str | None:
    """The address, or None when the actor's role may not see it (protected identity)."""
    if not may_see_address(pa.actor, pa.patient):
        return None
    if pa.patient.is_protected:
        audit.record(pa.actor, "patient.address.read", patient=pa, flagged=True)
    return pa.patient.address


def may_manage_unit(actor: Actor, unit: CareUnit | int) -> bool:
    """Per-unit administrative rights (schedules, inbox, templates): django-guardian."""
    if actor.assignment is None or not actor.assignment.is_active():
        return False
    unit_obj = unit if isinstance(unit, CareUnit) else CareUnit.objects.filter(pk=unit).first()
    if unit_obj is None:
        return False
    return actor.staff.has_perm("vardmiljo.manage_unit", unit_obj)


def require_unit_manager(actor: Actor, unit: CareUnit | int) -> None:
    if not may_manage_unit(actor, unit):
        raise PermissionDenied(_("Du har inte behörighet att administrera enheten."))


def require_follow_up(actor: Actor) -> None:
    """Log review and log extracts need an assignment for follow-up (or a log-reviewer role)."""
    if actor.is_system:
        return  # an operator's management command: recorded as a system action
    a = actor.assignment
    if a is None or not a.is_active():
        raise PermissionDenied(_("Ditt medarbetaruppdrag är inte giltigt."))
    if a.purpose != Assignment.Purpose.FOLLOW_UP and a.role != Assignment.Role.LOG_REVIEWER and not actor.staff.is_superuser:
        raise PermissionDenied(_("Loggkontroll kräver ett uppdrag för uppföljning."))


# --- Residents (invånartjänster) ---------------------------------------------
# A resident reaches data only here, never through the staff paths above (which all
# require an assignment). Rules (ages from settings, the region decides):
# - the resident's own record from INVANARE_OWN_RECORD_AGE (16);
# - a guardian's child's record while the child is at most INVANARE_GUARDIAN_MAX_AGE (12);
# - nobody's record in between (13–15 by default).


def _age_at_least(patient: Patient, years: int) -> bool:
    age = patient.age
    return age is None or age >= years  # no birth date known (reservnummer never logs in)


def resident_may_read_own(patient: Patient) -> bool:
    return _age_at_least(patient, settings.INVANARE_OWN_RECORD_AGE)


def resident_children(actor: ResidentActor) -> list[Patient]:
    """The children whose records the resident may read as guardian now."""
    if actor.patient is None:
        return []
    now = timezone.now()
    links = (
        Guardianship.objects.filter(guardian_id=actor.patient.pk, valid_from__lte=now, child__merged_into__isnull=True)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
        .select_related("child")
        .order_by("child__birth_date", "child_id")
    )
    limit = settings.INVANARE_GUARDIAN_MAX_AGE
    return [g.child for g in links if g.child.age is not None and g.child.age <= limit]


def resident_access(
    actor: ResidentActor, patient_id: int | str, *, action: str, obj: object = None, write: bool = False, log: bool = True
) -> PatientAccess:
    """Decide, and record in the access log, a resident's read or write of a record:
    their own (ground patient_self) or their child's (ground guardian). Everything
    else is NotFound, and the refusal is logged."""
    if actor.patient is None:
        raise NotFound()
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    me = actor.patient
    if pk == me.pk:
        if resident_may_read_own(me) and me.merged_into_id is None:
            pa = PatientAccess(actor=actor, patient=me, ground=Ground.PATIENT_SELF)
            if log:
                audit.record(actor, action, patient=pa, obj=obj, detail={"write": True} if write else None)
            return pa
    else:
        child = next((c for c in resident_children(actor) if c.pk == pk), None)
        if child is not None:
            pa = PatientAccess(actor=actor, patient=child, ground=Ground.GUARDIAN, flagged=child.is_protected)
            if log:
                audit.record(actor, action, patient=pa, obj=obj, detail={"write": True} if write else None)
            return pa
    if log:
        target = pk if 0 < pk < 2**63 and Patient.objects.filter(pk=pk).exists() else None
        audit.record_refusal(actor, f"{action}.denied", patient=target, ground=Ground.DENIED)
    raise NotFound()
