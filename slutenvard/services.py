"""Every write of slutenvård: admission, placement, transfer, bed move,
utlokalisering, leave, discharge, their cancellations, bed states, the shift
handover and the discharge summary.

Each service is atomic, locks the stay (or bed) it changes first (two nurses may
click at once), refuses bad input with a Swedish DomainError before anything is
written, writes a StayEvent (the domain timeline) and an access-log row (the
compliance log), and queues the outbound HL7 ADT message in the outbox.

The system actor (HL7 ADT from the systems that stay) passes the ward checks:
the sending system is the master of those events; it is recorded as a system action.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from journal import services as journal_services
from journal.models import Acknowledgement, Encounter, Note
from slutenvard import adt
from slutenvard.models import ACTIVE_STAY, Bed, Stay, StayEvent, Ward
from tidbok import services as tidbok_services
from tidbok.models import WaitlistEntry
from vardmiljo import audit, outbox
from vardmiljo.access import PatientAccess, patient_access, require_assignment
from vardmiljo.actor import Actor, system_actor
from vardmiljo.errors import Conflict, DomainError, NotFound
from vardmiljo.models import CareRelationship, CareUnit, Patient, Staff
from vardmiljo.services import care_relationship_ensure

BED_CONSTRAINT = "slutenvard_stay_one_per_bed"
PATIENT_CONSTRAINT = "slutenvard_stay_one_active_per_patient"
CHANNEL_SUMMARY = "slutenvard.epikris"
# A time a little ahead of the server's clock is a clock difference, not a future event.
CLOCK_SLACK = dt.timedelta(minutes=5)
SUMMARY_HEADINGS = (
    "Orsak till inskrivning",
    "Diagnoser",
    "Åtgärder",
    "Förlopp",
    "Resultat",
    "Läkemedelsförändringar",
    "Uppföljning",
)
SBAR_HEADINGS = ("Situation", "Bakgrund", "Aktuellt tillstånd", "Rekommendation")


# --- helpers -------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _when(at: dt.datetime | None, *, field: str = "at") -> dt.datetime:
    now = _now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + CLOCK_SLACK:
        raise DomainError(_("Tidpunkten ligger i framtiden. Ange när det hände."), field=field)
    return at


def _actor_ward(actor: Actor) -> Ward | None:
    return Ward.objects.select_related("unit", "hospital").filter(unit_id=actor.unit_id).first() if actor.unit_id else None


def _ward(actor: Actor, ward_id: int | None) -> Ward:
    """A ward of the actor's own care provider (the system reaches every ward)."""
    qs = Ward.objects.select_related("unit", "hospital")
    if not actor.is_system:
        qs = qs.filter(unit__provider_id=actor.provider_id)
    ward = qs.filter(pk=ward_id, unit__active=True).first() if ward_id else None
    if ward is None:
        raise DomainError(_("Välj en vårdavdelning hos din vårdgivare."), field="ward")
    return ward


def _bed(ward: Ward, bed_id: int | None, *, allow_other_ward: bool = False, field: str = "bed") -> Bed | None:
    """The bed, locked, if it may take a patient now; else a clear error."""
    if bed_id is None:
        return None
    bed = Bed.objects.select_for_update().select_related("ward__unit").filter(pk=bed_id).first()
    if bed is None:
        raise DomainError(_("Sängen finns inte."), field=field)
    if bed.ward_id != ward.pk:
        if not allow_other_ward:
            raise DomainError(
                _("Sängen hör till %(w)s. Välj en säng på %(own)s, eller utlokalisera patienten.")
                % {"w": bed.ward.unit.name, "own": ward.unit.name},
                field=field,
            )
        if bed.ward.hospital_id != ward.hospital_id:
            raise DomainError(_("Patienten kan bara utlokaliseras till en avdelning på samma sjukhus."), field=field)
    if bed.state == Bed.State.OCCUPIED:
        raise Conflict(_("Säng %(b)s är upptagen. Välj en ledig säng.") % {"b": bed.label}, field=field, code="bed_occupied")
    if bed.state == Bed.State.CLOSED:
        raise DomainError(_("Säng %(b)s är stängd. Välj en ledig säng.") % {"b": bed.label}, field=field, code="bed_closed")
    if bed.state == Bed.State.CLEANING:
        raise DomainError(
            _("Säng %(b)s väntar på städning. Markera den som städad först, eller välj en annan säng.") % {"b": bed.label},
            field=field,
            code="bed_cleaning",
        )
    return bed


def _staff(staff_id: int | None, provider_id: int | None, what: str, field: str) -> Staff | None:
    if staff_id is None:
        return None
    qs = Staff.objects.filter(pk=staff_id, is_active=True)
    if provider_id is not None:
        qs = qs.filter(assignments__unit__provider_id=provider_id).distinct()
    staff = qs.first()
    if staff is None:
        raise DomainError(_("Okänd %(w)s.") % {"w": what}, field=field)
    return staff


def _occupy(bed: Bed | None) -> None:
    if bed is not None:
        Bed.objects.filter(pk=bed.pk).update(state=Bed.State.OCCUPIED)
        bed.state = Bed.State.OCCUPIED


def _vacate(bed_id: int | None, state: str = Bed.State.CLEANING) -> None:
    # A bed a patient leaves is to be cleaned; one a mistaken event put a patient in is free again.
    if bed_id is not None:
        Bed.objects.filter(pk=bed_id, state=Bed.State.OCCUPIED).update(state=state)


def _save_stay(stay: Stay, fields: list[str]) -> None:
    stay.updated_at = _now()
    try:
        with transaction.atomic():  # savepoint: the outer transaction stays usable for a clean error
            stay.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as exc:
        _integrity(exc)


def _integrity(exc: IntegrityError) -> None:
    if BED_CONSTRAINT in str(exc):
        raise Conflict(
            _("Sängen togs precis av en annan patient. Välj en annan säng."), field="bed", code="bed_occupied"
        ) from None
    if PATIENT_CONSTRAINT in str(exc):
        raise Conflict(_("Patienten är redan inskriven."), field="patient", code="already_admitted") from None
    raise exc


def _event(actor: Actor, stay: Stay, kind: str, at: dt.datetime, **kw: Any) -> StayEvent:
    ev = StayEvent.objects.create(stay=stay, kind=kind, at=at, actor=actor.staff, **kw)
    code = adt.EVENT_CODES.get(kind)
    if code:
        outbox.enqueue(
            channel=adt.CHANNEL,
            key=f"adt:{ev.pk}",
            obj=ev,
            patient=stay.patient_id,
            payload={"event": code, "snapshot": adt.snapshot(stay, ev, code)},
        )
    return ev


def _access(actor: Actor, patient_id: int, action: str, obj: object = None) -> PatientAccess | Patient:
    """The write's access decision (and its log row); the system acts on every patient."""
    if actor.is_system:
        patient = Patient.objects.filter(pk=patient_id).first()
        if patient is None:
            raise NotFound()
        return patient
    return patient_access(actor, patient_id, action=action, obj=obj, write=True)


def _lock_stay(actor: Actor, stay_id: int, action: str, *, sending_ward: bool = False) -> tuple[Stay, PatientAccess | Patient]:
    """The stay, locked, if the actor works at its ward (or at the ward whose bed it lies
    in, or, with `sending_ward`, at the ward the latest transfer came from); absent and
    not allowed answer the same."""
    if not actor.is_system:
        require_assignment(actor)
    stay = (
        Stay.objects.select_for_update(of=("self",))
        .select_related("ward__unit", "ward__hospital", "bed__ward", "patient")
        .filter(pk=stay_id)
        .first()
    )
    if stay is None:
        raise NotFound()
    if not actor.is_system and actor.unit_id not in (stay.ward.unit_id, stay.bed.ward.unit_id if stay.bed else None):
        last = _last_event(stay, (StayEvent.Kind.TRANSFER,)) if sending_ward else None
        if last is None or last.from_ward is None or last.from_ward.unit_id != actor.unit_id:
            raise NotFound()
    return stay, _access(actor, stay.patient_id, action, stay)


def _record(actor: Actor, action: str, pa: PatientAccess | Patient, stay: Stay, **detail: Any) -> None:
    audit.record(actor, action, patient=pa, obj=stay, detail={k: v for k, v in detail.items() if v is not None} or None)


def _require_active(stay: Stay) -> None:
    if stay.status == Stay.Status.DISCHARGED:
        raise DomainError(_("Patienten är redan utskriven."), code="not_admitted")
    if stay.status == Stay.Status.CANCELLED:
        raise DomainError(_("Inskrivningen är makulerad."), code="not_admitted")


# --- admission -----------------------------------------------------------------


@transaction.atomic
def stay_admit(
    *,
    actor: Actor,
    patient_id: int,
    ward_id: int,
    reason: str,
    source: str = Stay.Source.EMERGENCY,
    bed_id: int | None = None,
    admitted_at: dt.datetime | None = None,
    pal_id: int | None = None,
    pas_id: int | None = None,
    expected_discharge: dt.date | None = None,
    plan: str = "",
    primary_care_unit_id: int | None = None,
    referral_id: int | None = None,
    waitlist_entry_id: int | None = None,
    source_system: str = "",
    source_id: str = "",
) -> Stay:
    """Inskrivning: the ward's care relationship, the admission contact (journal
    Encounter of kind admission, PAL responsible) and the stay, in a bed or
    waiting for one. Admitting a patient already admitted (a double click) is refused."""
    if not actor.is_system:
        require_assignment(actor)
    ward = _ward(actor, ward_id)
    if source not in Stay.Source.values:
        raise DomainError(_("Okänt ursprung för inskrivningen."), field="source")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Ange orsak till inskrivningen."), field="reason")
    at = _when(admitted_at, field="admitted_at")
    if expected_discharge is not None and expected_discharge < timezone.localtime(at).date():
        raise DomainError(_("Beräknad utskrivning kan inte vara före inskrivningen."), field="expected_discharge")
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    if patient.merged_into_id:
        raise DomainError(_("Patientens identitet har slagits ihop med en annan. Skriv in på den gällande identiteten."))
    # Lock the patient's active stay, if any: two clicks on "Skriv in" must not make two stays.
    current = (
        Stay.objects.select_for_update().select_related("ward__unit").filter(patient=patient, status__in=ACTIVE_STAY).first()
    )
    if current is not None:
        raise Conflict(
            _("Patienten är redan inskriven på %(w)s.") % {"w": current.ward.unit.name}, field="patient", code="already_admitted"
        )
    if waitlist_entry_id is not None:
        # A planned admission from the ward's waiting list (tidbok): the entry is closed with it.
        entry = WaitlistEntry.objects.filter(pk=waitlist_entry_id, unit_id=ward.unit_id).first()
        if entry is None or entry.patient_id != patient.pk:
            raise DomainError(_("Väntelisteposten gäller inte patienten på avdelningen."), field="waitlist_entry")
        if entry.status != WaitlistEntry.Status.WAITING:
            raise Conflict(_("Patienten står inte längre på väntelistan."), field="waitlist_entry")
        source = Stay.Source.PLANNED
    bed = _bed(ward, bed_id)
    pal = _staff(pal_id, ward.unit.provider_id, _("patientansvarig läkare"), "pal")
    pas = _staff(pas_id, ward.unit.provider_id, _("patientansvarig sjuksköterska"), "pas")
    pcu = None
    if primary_care_unit_id is not None:
        pcu = CareUnit.objects.filter(pk=primary_care_unit_id, active=True).first()
        if pcu is None:
            raise DomainError(_("Okänd vårdcentral."), field="primary_care_unit")
    # The admission is the ward's ground for reading the record (PDL), made in this transaction.
    existing_rel = CareRelationship.objects.filter(
        patient=patient, unit_id=ward.unit_id, ground=CareRelationship.Ground.ADMISSION, valid_to__isnull=True
    ).exists()
    rel = care_relationship_ensure(actor=actor, patient=patient, unit=ward.unit_id, ground=CareRelationship.Ground.ADMISSION)
    pa = _access(actor, patient.pk, "slutenvard.stay.admit")
    enc = Encounter.objects.create(
        patient=patient, unit_id=ward.unit_id, kind=Encounter.Kind.ADMISSION, responsible=pal, started_at=at
    )
    stay = Stay(
        patient=patient,
        ward=ward,
        bed=bed,
        source=source,
        reason=reason[:500],
        admitted_at=at,
        pal=pal,
        pas=pas,
        expected_discharge=expected_discharge,
        plan=(plan or "").strip()[:200],
        primary_care_unit=pcu,
        encounter_id=enc.pk,
        care_relationship=None if existing_rel else rel,
        referral_id=referral_id,
        waitlist_entry_id=waitlist_entry_id,
        source_system=source_system[:60],
        source_id=source_id[:100],
        created_by=actor.staff,
    )
    try:
        with transaction.atomic():
            stay.save()
    except IntegrityError as exc:
        _integrity(exc)
    _occupy(bed)
    if waitlist_entry_id is not None:
        tidbok_services.waitlist_remove(
            actor=actor, entry_id=waitlist_entry_id, reason=_("Inskriven på %(w)s") % {"w": ward.unit.name}
        )
    _event(actor, stay, StayEvent.Kind.ADMIT, at, to_ward=ward, to_bed=bed, detail={"source": source})
    _record(actor, "slutenvard.stay.admit", pa, stay, ward_id=ward.pk, bed_id=bed.pk if bed else None, encounter_id=enc.pk)
    return stay


@transaction.atomic
def stay_place(*, actor: Actor, stay_id: int, bed_id: int) -> Stay:
    """A patient waiting for a bed gets one on the own ward."""
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.place")
    _require_active(stay)
    if stay.bed_id is not None:
        raise DomainError(_("Patienten har redan en säng. Använd sängbyte."), code="has_bed")
    bed = _bed(stay.ward, bed_id)
    stay.bed = bed
    _save_stay(stay, ["bed"])
    _occupy(bed)
    _event(actor, stay, StayEvent.Kind.PLACE, _now(), to_ward=stay.ward, to_bed=bed)
    _record(actor, "slutenvard.stay.place", pa, stay, bed_id=bed_id)
    return stay


@transaction.atomic
def stay_update(
    *,
    actor: Actor,
    stay_id: int,
    pal_id: int | None = None,
    pas_id: int | None = None,
    expected_discharge: dt.date | None = None,
    plan: str | None = None,
    primary_care_unit_id: int | None = None,
) -> Stay:
    """PAL, PAS, expected discharge date, the one-line plan, the listed health centre."""
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.update")
    _require_active(stay)
    fields: list[str] = []
    provider = stay.ward.unit.provider_id
    if pal_id is not None:
        stay.pal = _staff(pal_id, provider, _("patientansvarig läkare"), "pal")
        fields.append("pal")
        if stay.encounter_id:
            Encounter.objects.filter(pk=stay.encounter_id).update(responsible=stay.pal)
    if pas_id is not None:
        stay.pas = _staff(pas_id, provider, _("patientansvarig sjuksköterska"), "pas")
        fields.append("pas")
    if expected_discharge is not None:
        if expected_discharge < timezone.localtime(stay.admitted_at).date():
            raise DomainError(_("Beräknad utskrivning kan inte vara före inskrivningen."), field="expected_discharge")
        stay.expected_discharge = expected_discharge
        fields.append("expected_discharge")
    if plan is not None:
        stay.plan = plan.strip()[:200]
        fields.append("plan")
    if primary_care_unit_id is not None:
        pcu = CareUnit.objects.filter(pk=primary_care_unit_id, active=True).first()
        if pcu is None:
            raise DomainError(_("Okänd vårdcentral."), field="primary_care_unit")
        stay.primary_care_unit = pcu
        fields.append("primary_care_unit")
    if not fields:
        return stay
    _save_stay(stay, fields)
    _event(actor, stay, StayEvent.Kind.UPDATE, _now(), detail={"fields": fields})
    _record(actor, "slutenvard.stay.update", pa, stay, fields=fields)
    return stay


# --- movements -----------------------------------------------------------------


@transaction.atomic
def stay_transfer(
    *, actor: Actor, stay_id: int, to_ward_id: int, bed_id: int | None = None, at: dt.datetime | None = None
) -> Stay:
    """Överflyttning to another ward, which becomes responsible (and gets its care
    relationship). Without a bed the patient waits for one there."""
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.transfer")
    _require_active(stay)
    if stay.status == Stay.Status.LEAVE:
        raise DomainError(_("Patienten är på permission. Registrera återkomst innan överflyttning."), code="on_leave")
    to_ward = _ward(actor, to_ward_id)
    if to_ward.pk == stay.ward_id:
        raise DomainError(_("Patienten är redan på %(w)s. Använd sängbyte.") % {"w": to_ward.unit.name}, field="ward")
    when = _when(at)
    if when < stay.admitted_at:
        raise DomainError(_("Överflyttningen kan inte vara före inskrivningen."), field="at")
    bed = _bed(to_ward, bed_id)
    from_ward, from_bed = stay.ward, stay.bed
    care_relationship_ensure(actor=actor, patient=stay.patient_id, unit=to_ward.unit_id, ground=CareRelationship.Ground.ADMISSION)
    _vacate(stay.bed_id)
    stay.ward, stay.bed = to_ward, bed
    _save_stay(stay, ["ward", "bed"])
    _occupy(bed)
    if stay.encounter_id:
        # The admission contact follows the responsible ward.
        Encounter.objects.filter(pk=stay.encounter_id).update(unit_id=to_ward.unit_id)
    _event(
        actor,
        stay,
        StayEvent.Kind.TRANSFER,
        when,
        from_ward=from_ward,
        to_ward=to_ward,
        from_bed=from_bed,
        to_bed=bed,
    )
    _record(actor, "slutenvard.stay.transfer", pa, stay, from_ward=from_ward.pk, to_ward=to_ward.pk)
    return stay


@transaction.atomic
def stay_move_bed(*, actor: Actor, stay_id: int, bed_id: int, outlying: bool = False) -> Stay:
    """Sängbyte on the own ward, or (outlying=True) utlokalisering to a bed of another
    ward of the hospital; the own ward stays responsible. Moving an outlying patient
    back to an own bed is a bed move."""
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.outlie" if outlying else "slutenvard.stay.move_bed")
    _require_active(stay)
    if stay.bed_id == bed_id:
        raise DomainError(_("Patienten ligger redan i den sängen."), field="bed")
    bed = _bed(stay.ward, bed_id, allow_other_ward=outlying)
    if bed is None:  # an invariant of the code above
        raise RuntimeError("invariant broken: bed is not None")
    if outlying and bed.ward_id == stay.ward_id:
        raise DomainError(_("Välj en säng på en annan avdelning för att utlokalisera."), field="bed")
    if outlying:
        # The host ward's staff nurse the patient in their bed: that is their ground to read.
        care_relationship_ensure(
            actor=actor, patient=stay.patient_id, unit=bed.ward.unit_id, ground=CareRelationship.Ground.ADMISSION
        )
    from_bed = stay.bed
    _vacate(stay.bed_id)
    stay.bed = bed
    _save_stay(stay, ["bed"])
    _occupy(bed)
    kind = StayEvent.Kind.OUTLIE if outlying else StayEvent.Kind.BED_MOVE
    _event(actor, stay, kind, _now(), from_bed=from_bed, to_bed=bed, from_ward=stay.ward, to_ward=stay.ward)
    _record(actor, f"slutenvard.stay.{kind}", pa, stay, from_bed=from_bed.pk if from_bed else None, to_bed=bed.pk)
    return stay


@transaction.atomic
def stay_leave(*, actor: Actor, stay_id: int, until: dt.datetime, at: dt.datetime | None = None) -> Stay:
    """Permission: the patient leaves for a while and keeps the bed."""
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.leave")
    _require_active(stay)
    if stay.status == Stay.Status.LEAVE:
        raise DomainError(_("Patienten är redan på permission."), code="on_leave")
    when = _when(at)
    if until is None or until <= when:
        raise DomainError(_("Ange när permissionen slutar (efter att den börjar)."), field="until")
    stay.status, stay.leave_until = Stay.Status.LEAVE, until
    _save_stay(stay, ["status", "leave_until"])
    _event(actor, stay, StayEvent.Kind.LEAVE, when, detail={"until": until.isoformat()})
    _record(actor, "slutenvard.stay.leave", pa, stay)
    return stay


@transaction.atomic
def stay_leave_end(*, actor: Actor, stay_id: int, at: dt.datetime | None = None) -> Stay:
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.leave_end")
    if stay.status != Stay.Status.LEAVE:
        raise DomainError(_("Patienten är inte på permission."), code="not_on_leave")
    stay.status, stay.leave_until = Stay.Status.ADMITTED, None
    _save_stay(stay, ["status", "leave_until"])
    _event(actor, stay, StayEvent.Kind.LEAVE_END, _when(at))
    _record(actor, "slutenvard.stay.leave_end", pa, stay)
    return stay


# --- discharge -----------------------------------------------------------------


def unsigned_notes_of_stay(stay: Stay) -> int:
    """Drafts of the stay (its contact, or written at one of its wards during it): a
    discharge waits until they are signed."""
    units = {stay.ward.unit_id} | set(
        StayEvent.objects.filter(stay=stay, from_ward__isnull=False).values_list("from_ward__unit_id", flat=True)
    )
    q = Q(encounter_id=stay.encounter_id) if stay.encounter_id else Q(pk__in=[])
    q |= Q(unit_id__in=units, event_at__gte=stay.admitted_at)
    return (
        Note.objects.filter(q, patient_id=stay.patient_id, status=Note.Status.DRAFT, entered_in_error=False)
        .exclude(pk=stay.summary_note_id or 0)
        .count()
    )


@transaction.atomic
def stay_discharge(*, actor: Actor, stay_id: int, destination: str, at: dt.datetime | None = None) -> Stay:
    """Utskrivning with destination. Refused before the admission time, with unsigned
    notes of the stay, or a second time (a double click)."""
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.discharge")
    _require_active(stay)
    if destination not in Stay.Destination.values:
        raise DomainError(_("Välj vart patienten skrivs ut."), field="destination")
    when = _when(at)
    if when < stay.admitted_at:
        raise DomainError(
            _("Utskrivningen kan inte vara före inskrivningen (%(t)s).")
            % {"t": timezone.localtime(stay.admitted_at).strftime("%Y-%m-%d %H:%M")},
            field="at",
        )
    if not actor.is_system:
        drafts = unsigned_notes_of_stay(stay)
        if drafts:
            raise DomainError(
                _("Det finns %(n)s osignerade anteckningar från vårdtillfället. Signera dem innan patienten skrivs ut.")
                % {"n": drafts},
                code="unsigned",
            )
    from_bed = stay.bed
    _vacate(stay.bed_id)
    stay.status, stay.discharged_at, stay.destination, stay.leave_until = Stay.Status.DISCHARGED, when, destination, None
    _save_stay(stay, ["status", "discharged_at", "destination", "leave_until"])
    if stay.encounter_id:
        Encounter.objects.filter(pk=stay.encounter_id).update(ended_at=when)
    _event(
        actor, stay, StayEvent.Kind.DISCHARGE, when, from_ward=stay.ward, from_bed=from_bed, detail={"destination": destination}
    )
    _record(actor, "slutenvard.stay.discharge", pa, stay, destination=destination)
    return stay


# --- corrections ---------------------------------------------------------------


def _last_event(stay: Stay, kinds: tuple[str, ...]) -> StayEvent | None:
    return (
        StayEvent.objects.filter(stay=stay, kind__in=kinds, cancelled_by__isnull=True, cancels__isnull=True)
        .order_by("-recorded_at", "-pk")
        .first()
    )


@transaction.atomic
def stay_cancel_admit(*, actor: Actor, stay_id: int, reason: str) -> Stay:
    """Makulera inskrivning (wrong patient, wrong ward): the stay is cancelled, the bed
    free again, the contact closed, and the care relationship this admission created
    ended. The events stay."""
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.cancel_admit")
    _require_active(stay)
    if not (reason or "").strip():
        raise DomainError(_("Ange varför inskrivningen makuleras."), field="reason")
    admit = _last_event(stay, (StayEvent.Kind.ADMIT,))
    now = _now()
    _vacate(stay.bed_id, Bed.State.FREE)
    stay.status = Stay.Status.CANCELLED
    _save_stay(stay, ["status"])
    if stay.encounter_id:
        Encounter.objects.filter(pk=stay.encounter_id, ended_at__isnull=True).update(ended_at=now)
    if stay.care_relationship_id:
        CareRelationship.objects.filter(pk=stay.care_relationship_id, valid_to__isnull=True).update(valid_to=now)
    ev = _event(
        actor, stay, StayEvent.Kind.CANCEL_ADMIT, now, cancels=admit, from_bed=stay.bed, detail={"reason": reason.strip()}
    )
    if admit is not None:
        StayEvent.objects.filter(pk=admit.pk).update(cancelled_by=ev)
    _record(actor, "slutenvard.stay.cancel_admit", pa, stay, reason=reason.strip())
    return stay


@transaction.atomic
def stay_cancel_transfer(*, actor: Actor, stay_id: int, reason: str) -> Stay:
    """Makulera överflyttning: the patient is back on the ward and in the bed it came
    from (if that bed is still free); only the latest movement can be cancelled."""
    # The ward that sent the patient may cancel its mistaken transfer as well as the receiving one.
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.cancel_transfer", sending_ward=True)
    _require_active(stay)
    if not (reason or "").strip():
        raise DomainError(_("Ange varför överflyttningen makuleras."), field="reason")
    moves = (StayEvent.Kind.TRANSFER, StayEvent.Kind.BED_MOVE, StayEvent.Kind.OUTLIE, StayEvent.Kind.PLACE)
    last = _last_event(stay, moves)
    if last is None or last.kind != StayEvent.Kind.TRANSFER:
        raise DomainError(_("Det finns ingen överflyttning att makulera (bara den senaste förflyttningen kan makuleras)."))
    if last.from_ward is None:  # an invariant of the code above
        raise RuntimeError("invariant broken: last.from_ward is not None")
    from_bed = None
    if last.from_bed_id is not None:
        from_bed = Bed.objects.select_for_update().filter(pk=last.from_bed_id).first()
        if from_bed is not None and from_bed.state not in (Bed.State.FREE, Bed.State.CLEANING):
            raise Conflict(
                _("Säng %(b)s som patienten kom från är inte längre ledig. Välj säng efter makuleringen.")
                % {"b": from_bed.label},
                field="bed",
            )
    _vacate(stay.bed_id, Bed.State.FREE)
    stay.ward, stay.bed = last.from_ward, from_bed
    _save_stay(stay, ["ward", "bed"])
    _occupy(from_bed)
    if stay.encounter_id:
        Encounter.objects.filter(pk=stay.encounter_id).update(unit_id=last.from_ward.unit_id)
    now = _now()
    ev = _event(
        actor,
        stay,
        StayEvent.Kind.CANCEL_TRANSFER,
        now,
        cancels=last,
        from_ward=last.to_ward,
        to_ward=last.from_ward,
        from_bed=last.to_bed,
        to_bed=from_bed,
        detail={"reason": reason.strip()},
    )
    StayEvent.objects.filter(pk=last.pk).update(cancelled_by=ev)
    _record(actor, "slutenvard.stay.cancel_transfer", pa, stay, reason=reason.strip())
    return stay


@transaction.atomic
def stay_cancel_discharge(*, actor: Actor, stay_id: int, reason: str) -> Stay:
    """Makulera utskrivning: the patient is admitted again, back in the bed if it is
    still free (else waiting for one)."""
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.stay.cancel_discharge")
    if stay.status != Stay.Status.DISCHARGED:
        raise DomainError(_("Patienten är inte utskriven."), code="not_discharged")
    if not (reason or "").strip():
        raise DomainError(_("Ange varför utskrivningen makuleras."), field="reason")
    if Stay.objects.filter(patient_id=stay.patient_id, status__in=ACTIVE_STAY).exists():
        raise Conflict(_("Patienten har redan skrivits in på nytt; utskrivningen kan inte makuleras."))
    discharge = _last_event(stay, (StayEvent.Kind.DISCHARGE,))
    bed = None
    if stay.bed_id is not None:
        bed = Bed.objects.select_for_update().filter(pk=stay.bed_id, state__in=[Bed.State.FREE, Bed.State.CLEANING]).first()
    stay.status, stay.discharged_at, stay.destination, stay.bed = Stay.Status.ADMITTED, None, "", bed
    _save_stay(stay, ["status", "discharged_at", "destination", "bed"])
    _occupy(bed)
    if stay.encounter_id:
        Encounter.objects.filter(pk=stay.encounter_id).update(ended_at=None)
    ev = _event(
        actor, stay, StayEvent.Kind.CANCEL_DISCHARGE, _now(), cancels=discharge, to_bed=bed, detail={"reason": reason.strip()}
    )
    if discharge is not None:
        StayEvent.objects.filter(pk=discharge.pk).update(cancelled_by=ev)
    _record(actor, "slutenvard.stay.cancel_discharge", pa, stay, reason=reason.strip())
    return stay


# --- beds ----------------------------------------------------------------------


@transaction.atomic
def bed_set_state(*, actor: Actor, bed_id: int, state: str) -> Bed:
    """Mark a bed cleaned (free), to be cleaned, closed or open again. An occupied bed
    changes only when its patient leaves it."""
    require_assignment(actor)
    bed = Bed.objects.select_for_update().select_related("ward__unit").filter(pk=bed_id, ward__unit_id=actor.unit_id).first()
    if bed is None:
        raise NotFound()
    if state not in (Bed.State.FREE, Bed.State.CLEANING, Bed.State.CLOSED):
        raise DomainError(_("Okänd sängstatus."), field="state")
    if bed.state == Bed.State.OCCUPIED:
        raise DomainError(_("Säng %(b)s är belagd. Flytta eller skriv ut patienten först.") % {"b": bed.label}, field="state")
    old = bed.state
    bed.state = state
    bed.save(update_fields=["state"])
    audit.record(actor, "slutenvard.bed.state", obj=bed, ground="administration", detail={"from": old, "to": state})
    return bed


# --- shift handover ------------------------------------------------------------


@transaction.atomic
def handover_write(*, actor: Actor, stay_id: int, situation: str, background: str, assessment: str, recommendation: str) -> Note:
    """Överrapportering (SBAR) for one patient, written into the record as a signed note
    of the ward through the journal's own services."""
    stay, _pa = _lock_stay(actor, stay_id, "slutenvard.handover.write")
    _require_active(stay)
    texts = [situation, background, assessment, recommendation]
    if not any((t or "").strip() for t in texts):
        raise DomainError(_("Skriv något under minst ett av S, B, A eller R."), field="situation")
    headings = [{"heading": h, "text": (t or "").strip()} for h, t in zip(SBAR_HEADINGS, texts, strict=True)]
    note = journal_services.note_create(
        actor=actor,
        patient_id=stay.patient_id,
        note_type=_("Överrapportering (SBAR)"),
        encounter_id=stay.encounter_id if stay.ward.unit_id == actor.unit_id else None,
        headings=headings,
    )
    return journal_services.note_sign(actor=actor, note_id=note.pk, revision=note.revision)


# --- discharge summary (epikris) ------------------------------------------------


@transaction.atomic
def summary_draft(*, actor: Actor, stay_id: int) -> Note:
    """The physician's discharge summary drafted from the stay: reason, the stay's
    ICD-10-SE diagnoses and KVÅ procedures, results, medication changes; the
    physician writes the course and follow-up and signs it as any note. One per stay:
    a second click opens the same draft."""
    from slutenvard import queries

    stay, pa = _lock_stay(actor, stay_id, "slutenvard.summary.draft")
    if stay.status == Stay.Status.CANCELLED:
        raise DomainError(_("Inskrivningen är makulerad."))
    if stay.summary_note_id:
        existing = Note.objects.filter(pk=stay.summary_note_id).first()
        if existing is not None:
            return existing
    if stay.ward.unit_id != actor.unit_id:
        raise DomainError(_("Epikrisen skrivs på den ansvariga avdelningen."))
    if not isinstance(pa, PatientAccess):  # an invariant of the code above
        raise RuntimeError("invariant broken: isinstance(pa, PatientAccess)")
    content = queries.summary_content(pa, stay)
    headings = [{"heading": h, "text": content.get(h, "")} for h in SUMMARY_HEADINGS]
    note = journal_services.note_create(
        actor=actor, patient_id=stay.patient_id, note_type=_("Epikris"), encounter_id=stay.encounter_id, headings=headings
    )
    stay.summary_note_id = note.pk
    _save_stay(stay, ["summary_note_id"])
    _record(actor, "slutenvard.summary.draft", pa, stay, note_id=note.pk)
    return note


@transaction.atomic
def summary_send(*, actor: Actor, stay_id: int) -> Any:
    """Send the signed discharge summary to the patient's listed health centre through
    the outbox (receipted on delivery). Idempotent: a second click finds the message."""
    stay, pa = _lock_stay(actor, stay_id, "slutenvard.summary.send")
    note = Note.objects.filter(pk=stay.summary_note_id or 0).first()
    if note is None:
        raise DomainError(_("Skriv epikrisen först."), code="no_summary")
    if note.status != Note.Status.SIGNED:
        raise DomainError(_("Epikrisen måste vara signerad innan den skickas."), code="unsigned")
    if stay.primary_care_unit_id is None:
        raise DomainError(_("Ange patientens listade vårdcentral innan epikrisen skickas."), field="primary_care_unit")
    row = outbox.enqueue(
        channel=CHANNEL_SUMMARY,
        key=f"epikris:{note.pk}:v{note.version_no}",
        obj=stay,
        patient=stay.patient_id,
        payload={"note_id": note.pk, "version": note.version_no, "to_unit_id": stay.primary_care_unit_id},
    )
    _record(actor, "slutenvard.summary.send", pa, stay, note_id=note.pk, to_unit=stay.primary_care_unit_id)
    return row


def summary_receive(row: Any) -> dict[str, Any]:
    """The health centre gets the summary as an item to acknowledge (vidimering): the
    outbox's local delivery, in the transaction that marks the row delivered."""
    stay = Stay.objects.select_related("ward__unit").filter(pk=int(row.object_id)).first()
    note = Note.objects.filter(pk=row.payload.get("note_id")).first()
    unit = CareUnit.objects.filter(pk=row.payload.get("to_unit_id")).first()
    if stay is None or note is None or unit is None:
        raise outbox.PermanentFailure("vårdtillfälle, epikris eller mottagare finns inte")
    ack, _created = Acknowledgement.objects.get_or_create(
        unit=unit,
        object_type="journal.note",
        object_id=str(note.pk),
        patient_id=stay.patient_id,
        defaults={
            "kind": Acknowledgement.Kind.NOTE,
            "summary": f"Epikris från {stay.ward.unit.name}"[:300],
        },
    )
    audit.record(
        system_actor("slutenvard"), "slutenvard.summary.received", patient=stay.patient_id, obj=ack, detail={"unit_id": unit.pk}
    )
    return {"received_at": timezone.now().isoformat(), "unit_hsa_id": unit.hsa_id, "acknowledgement_id": ack.pk}
