"""Writes of the trust core: care relationships, consent, blocks, emergency access."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vardmiljo import audit
from vardmiljo.access import Ground, may_manage_block, may_manage_blocks_of, patient_access, require_assignment, resident_access
from vardmiljo.actor import Actor, ResidentActor
from vardmiljo.errors import DomainError, NotFound, PermissionDenied
from vardmiljo.identifiers import parse_patient_id
from vardmiljo.models import Block, CareProvider, CareRelationship, CareUnit, Consent, EmergencyAccess, Patient


@transaction.atomic
def care_relationship_ensure(
    *,
    actor: Actor,
    patient: Patient | int,
    unit: CareUnit | int | None,
    ground: str,
    reason: str = "",
    valid_to: dt.datetime | None = None,
) -> CareRelationship:
    """The one way clinical modules create a care relationship (booking, visit,
    referral received, admission). Reuses an open relationship on the same
    ground instead of stacking duplicates."""
    patient_id: int = patient.pk if isinstance(patient, Patient) else patient
    unit_id: int | None = unit.pk if isinstance(unit, CareUnit) else unit
    if unit_id is None:
        raise DomainError(_("Ingen vårdenhet angiven."))
    if ground == CareRelationship.Ground.MANUAL and not reason.strip():
        raise DomainError(_("En manuell vårdrelation kräver ett skäl."), field="reason")
    now = timezone.now()
    existing = (
        CareRelationship.objects.select_for_update()
        .filter(patient_id=patient_id, unit_id=unit_id, ground=ground, valid_from__lte=now)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
        .first()
    )
    if existing:
        if valid_to is None or (existing.valid_to and existing.valid_to < valid_to):
            existing.valid_to = valid_to
            existing.save(update_fields=["valid_to"])
        return existing
    rel = CareRelationship.objects.create(
        patient_id=patient_id,
        unit_id=unit_id,
        ground=ground,
        reason=reason.strip(),
        valid_to=valid_to,
        created_by=actor.staff if actor.staff.pk else None,
    )
    audit.record(
        actor,
        "care_relationship.create",
        patient=patient_id,
        obj=rel,
        ground=Ground.ADMINISTRATION,
        reason=reason,
        detail={"ground": ground, "unit_id": unit_id},
    )
    return rel


def care_relationship_manual(*, actor: Actor, patient_id: int, reason: str) -> CareRelationship:
    """A clinician starts caring for a patient at their unit with a stated reason."""
    require_assignment(actor)
    if not Patient.objects.filter(pk=patient_id).exists():
        raise NotFound()
    return care_relationship_ensure(
        actor=actor, patient=patient_id, unit=actor.unit_id, ground=CareRelationship.Ground.MANUAL, reason=reason
    )


@transaction.atomic
def emergency_access_open(*, actor: Actor, patient_id: int, reason: str) -> EmergencyAccess:
    """Nödåtkomst: a stated reason is required; the access is time-limited and flagged."""
    assignment = require_assignment(actor)
    if not reason or not reason.strip():
        raise DomainError(_("Nödåtkomst kräver att du anger ett skäl."), field="reason")
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    em = EmergencyAccess.objects.create(
        patient=patient,
        staff=actor.staff,
        assignment=assignment,
        reason=reason.strip(),
        expires_at=timezone.now() + dt.timedelta(minutes=settings.EMERGENCY_ACCESS_MINUTES),
    )
    audit.record(actor, "emergency_access.open", patient=patient, obj=em, ground=Ground.EMERGENCY, reason=em.reason, flagged=True)
    return em


@transaction.atomic
def consent_record(*, actor: Actor, patient_id: int, valid_until: dt.datetime, provider_id: int | None = None) -> Consent:
    """Record the patient's consent to sammanhållen journalföring for the actor's provider."""
    pa = patient_access(actor, patient_id, action="consent.record", write=True)
    if pa.patient.id_kind == Patient.IdKind.RESERVNUMMER:
        raise DomainError(_("Samtycke kan inte registreras för en patient som inte är identifierad (reservnummer)."))
    if valid_until <= timezone.now():
        raise DomainError(_("Samtycket måste gälla till ett datum i framtiden."), field="valid_until")
    provider = CareProvider.objects.get(pk=provider_id or actor.provider_id or 0)
    consent = Consent.objects.create(patient=pa.patient, provider=provider, recorded_by=actor.staff, valid_until=valid_until)
    audit.record(actor, "consent.recorded", patient=pa, obj=consent)
    return consent


@transaction.atomic
def consent_revoke(*, actor: Actor, consent_id: int) -> Consent:
    consent = Consent.objects.select_for_update().filter(pk=consent_id).first()
    if consent is None:
        raise NotFound()
    pa = patient_access(actor, consent.patient_id, action="consent.revoke", write=True)
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor.staff
    consent.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor, "consent.revoked", patient=pa, obj=consent)
    return consent


@transaction.atomic
def block_set(
    *, actor: Actor, patient_id: int, unit_id: int | None = None, provider_id: int | None = None, patient_request: str
) -> Block:
    """Set a block (spärr) at the patient's request: a unit's data, or a whole provider's.
    Only the provider whose data it protects sets it (access.may_manage_block)."""
    pa = patient_access(actor, patient_id, action="block.set", write=True)
    if not patient_request.strip():
        raise DomainError(_("Ange patientens begäran; en spärr sätts bara på patientens begäran."), field="patient_request")
    unit = CareUnit.objects.filter(pk=unit_id).first() if unit_id else None
    if unit_id and unit is None:
        raise DomainError(_("Okänd vårdenhet."), field="unit")
    provider_pk: int = unit.provider_id if unit else (provider_id or actor.provider_id or 0)
    if not may_manage_blocks_of(actor, provider_pk):
        audit.record_refusal(actor, "block.set.denied", patient=pa.patient, ground=Ground.DENIED)
        raise PermissionDenied(_("En spärr sätts av den vårdgivare vars uppgifter den skyddar."))
    block = Block.objects.create(
        patient=pa.patient,
        unit=unit,
        provider_id=provider_pk,
        set_by=actor.staff,
        requested_by_patient_note=patient_request.strip(),
    )
    audit.record(actor, "block.set", patient=pa, obj=block)
    return block


@transaction.atomic
def block_lift(*, actor: Actor, block_id: int, patient_request: str) -> Block:
    """Lift a block at the patient's request; only the provider whose data it protects may."""
    block = Block.objects.select_for_update().filter(pk=block_id, lifted_at__isnull=True).first()
    if block is None:
        raise NotFound()
    pa = patient_access(actor, block.patient_id, action="block.lift", write=True)
    if not may_manage_block(actor, block):
        audit.record_refusal(actor, "block.lift.denied", patient=pa.patient, obj=block, ground=Ground.DENIED)
        raise PermissionDenied(_("En spärr hävs av den vårdgivare vars uppgifter den skyddar."))
    if not patient_request.strip():
        raise DomainError(_("En spärr hävs bara på patientens begäran; ange den."), field="patient_request")
    block.lifted_at = timezone.now()
    block.lifted_by = actor.staff
    block.save(update_fields=["lifted_at", "lifted_by"])
    audit.record(actor, "block.lifted", patient=pa, obj=block, reason=patient_request.strip())
    return block


@transaction.atomic
def patient_register(
    *,
    actor: Actor,
    identifier: str,
    given_name: str,
    family_name: str,
    protection: str = Patient.Protection.NONE,
    address: str = "",
) -> Patient:
    """Register a new patient (reception) and start the unit's care relationship (visit)."""
    require_assignment(actor)
    from django.core.exceptions import ValidationError

    try:
        pid = parse_patient_id(identifier)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="identifier") from None
    if not given_name.strip() or not family_name.strip():
        raise DomainError(_("Ange för- och efternamn."), field="given_name")
    if Patient.objects.filter(identifier=pid.value).exists():
        raise DomainError(_("Patienten finns redan."), field="identifier")
    patient = Patient.objects.create(
        identifier=pid.value,
        id_kind=pid.kind,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        birth_date=pid.birth_date,
        sex=pid.sex,
        protection=protection,
        address=address,
    )
    care_relationship_ensure(actor=actor, patient=patient, unit=actor.unit_id, ground=CareRelationship.Ground.VISIT)
    audit.record(actor, "patient.register", patient=patient, obj=patient, ground=Ground.ADMINISTRATION)
    return patient


# --- The resident's own choices (e-services) -------------------------------------
# The same tables the access decision reads, so a choice is in force at once in every
# channel. The resident acts for themselves (never as guardian: consent and blocks are
# the patient's own), and the row says so (by_resident, no member of staff).


def _own(actor: ResidentActor, action: str) -> Patient:
    if actor.patient is None:
        raise NotFound()
    pa = resident_access(actor, actor.patient.pk, action=action, write=True)
    if pa.ground != Ground.PATIENT_SELF:
        raise NotFound()
    return pa.patient


@transaction.atomic
def consent_give_by_resident(*, actor: ResidentActor, provider_id: int, valid_until: dt.datetime) -> Consent:
    patient = _own(actor, "consent.record")
    provider = CareProvider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise DomainError(_("Välj en vårdgivare."), field="provider")
    if valid_until <= timezone.now():
        raise DomainError(_("Samtycket måste gälla till ett datum i framtiden."), field="valid_until")
    if Consent.objects.filter(
        patient=patient, provider=provider, revoked_at__isnull=True, valid_until__gt=timezone.now()
    ).exists():
        raise DomainError(_("Du har redan gett samtycke till den vårdgivaren."), field="provider")
    consent = Consent.objects.create(patient=patient, provider=provider, by_resident=True, valid_until=valid_until)
    audit.record(actor, "consent.recorded", patient=patient, obj=consent, ground=Ground.PATIENT_SELF)
    return consent


@transaction.atomic
def consent_withdraw_by_resident(*, actor: ResidentActor, consent_id: int) -> Consent:
    patient = _own(actor, "consent.revoke")
    consent = Consent.objects.select_for_update().filter(pk=consent_id, patient=patient, revoked_at__isnull=True).first()
    if consent is None:
        raise NotFound()
    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
    audit.record(actor, "consent.revoked", patient=patient, obj=consent, ground=Ground.PATIENT_SELF)
    return consent


@transaction.atomic
def block_set_by_resident(*, actor: ResidentActor, unit_id: int | None = None, provider_id: int | None = None) -> Block:
    patient = _own(actor, "block.set")
    unit = CareUnit.objects.filter(pk=unit_id).first() if unit_id else None
    if unit_id and unit is None:
        raise DomainError(_("Okänd vårdenhet."), field="unit")
    provider_pk = unit.provider_id if unit else provider_id
    if not provider_pk or not CareProvider.objects.filter(pk=provider_pk).exists():
        raise DomainError(_("Välj en vårdenhet eller en vårdgivare att spärra."), field="unit")
    if Block.objects.filter(patient=patient, provider_id=provider_pk, unit=unit, lifted_at__isnull=True).exists():
        raise DomainError(_("Den spärren finns redan."), field="unit")
    block = Block.objects.create(
        patient=patient, unit=unit, provider_id=provider_pk, by_resident=True, requested_by_patient_note=str(_("Via e-tjänsten"))
    )
    audit.record(actor, "block.set", patient=patient, obj=block, ground=Ground.PATIENT_SELF)
    return block


@transaction.atomic
def block_lift_by_resident(*, actor: ResidentActor, block_id: int) -> Block:
    patient = _own(actor, "block.lift")
    block = Block.objects.select_for_update().filter(pk=block_id, patient=patient, lifted_at__isnull=True).first()
    if block is None:
        raise NotFound()
    block.lifted_at = timezone.now()
    block.save(update_fields=["lifted_at"])
    audit.record(actor, "block.lifted", patient=patient, obj=block, ground=Ground.PATIENT_SELF)
    return block
