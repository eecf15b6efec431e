"""Every write of tidbok: schedules, slots, bookings, check-in, waiting list, reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.services import encounter_create
from tidbok import conf
from tidbok.models import Booking, Resource, ScheduleException, ScheduleTemplate, Slot, SlotType, WaitlistEntry
from vardmiljo import audit, outbox
from vardmiljo.access import (
    Ground,
    PatientAccess,
    may_manage_unit,
    patient_access,
    require_assignment,
    require_unit_manager,
    resident_access,
)
from vardmiljo.actor import Actor, ResidentActor
from vardmiljo.errors import Conflict, DomainError, NotFound
from vardmiljo.models import CareRelationship, CareUnit, Patient, Staff

DOUBLE_BOOKING_CONSTRAINT = "tidbok_booking_one_active_per_slot"

# The journal's kinds of contact for each slot type (journal.services.encounter_create(kind=...)).
ENCOUNTER_KIND: dict[str, str] = {
    SlotType.NEW_VISIT: "visit",
    SlotType.RETURN_VISIT: "visit",
    SlotType.PHONE: "phone",
    SlotType.VIDEO: "video",
}

PRIORITY_RANK = {
    WaitlistEntry.Priority.ACUTE: 1,
    WaitlistEntry.Priority.TWO_WEEKS: 2,
    WaitlistEntry.Priority.THREE_MONTHS: 3,
    WaitlistEntry.Priority.ROUTINE: 4,
}
# Other modules' spellings of the same priorities (remisser's referral priorities, Swedish labels).
PRIORITY_ALIASES = {
    "akut": "acute",
    "urgent": "acute",
    "emergency": "acute",
    "1": "acute",
    "inom 2 veckor": "two_weeks",
    "inom_2_veckor": "two_weeks",
    "within_2_weeks": "two_weeks",
    "2w": "two_weeks",
    "2v": "two_weeks",
    "high": "two_weeks",
    "2": "two_weeks",
    "inom 3 månader": "three_months",
    "inom_3_manader": "three_months",
    "within_3_months": "three_months",
    "3m": "three_months",
    "normal": "three_months",
    "3": "three_months",
    "ingen brådska": "routine",
    "routine": "routine",
    "low": "routine",
    "4": "routine",
}


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- Schedules ----------------------------------------------------------------


@transaction.atomic
def resource_create(*, actor: Actor, unit_id: int, kind: str, name: str, staff_id: int | None = None) -> Resource:
    require_unit_manager(actor, unit_id)
    if kind not in Resource.Kind.values:
        raise DomainError(_("Okänd resurstyp."), field="kind")
    if not name.strip():
        raise DomainError(_("Ange resursens namn."), field="name")
    if staff_id is not None and not Staff.objects.filter(pk=staff_id).exists():
        raise DomainError(_("Okänd personal."), field="staff")
    resource = Resource.objects.create(unit_id=unit_id, kind=kind, name=name.strip(), staff_id=staff_id)
    audit.record(actor, "tidbok.resource.create", obj=resource, ground=Ground.ADMINISTRATION)
    return resource


@transaction.atomic
def template_add(
    *,
    actor: Actor,
    resource_id: int,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    slot_type: str,
    slot_minutes: int,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> ScheduleTemplate:
    resource = Resource.objects.filter(pk=resource_id).first()
    if resource is None:
        raise NotFound()
    require_unit_manager(actor, resource.unit_id)
    if weekday not in range(7):
        raise DomainError(_("Veckodagen måste vara 0 (måndag) till 6 (söndag)."), field="weekday")
    if slot_type not in SlotType.values:
        raise DomainError(_("Okänd tidstyp."), field="slot_type")
    if end_time <= start_time:
        raise DomainError(_("Sluttiden måste komma efter starttiden."), field="end_time")
    if not 5 <= slot_minutes <= 480:
        raise DomainError(_("En tid måste vara mellan 5 och 480 minuter lång."), field="slot_minutes")
    span = (dt.datetime.combine(dt.date.min, end_time) - dt.datetime.combine(dt.date.min, start_time)).seconds // 60
    if span < slot_minutes:
        raise DomainError(_("Passet är kortare än en tid."), field="slot_minutes")
    valid_from = valid_from or timezone.localdate()
    if valid_to and valid_to < valid_from:
        raise DomainError(_("Slutdatum måste komma efter startdatum."), field="valid_to")
    tpl = ScheduleTemplate.objects.create(
        resource=resource,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        slot_type=slot_type,
        slot_minutes=slot_minutes,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    audit.record(actor, "tidbok.template.add", obj=tpl, ground=Ground.ADMINISTRATION)
    return tpl


@transaction.atomic
def exception_add(
    *,
    actor: Actor,
    unit_id: int,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    resource_id: int | None = None,
    reason: str = "",
) -> ScheduleException:
    """A holiday (whole unit) or an absence (one resource): free slots in it become blocked.
    Booked slots keep their bookings; the day list shows them so the unit can rebook."""
    require_unit_manager(actor, unit_id)
    if kind not in ScheduleException.Kind.values:
        raise DomainError(_("Okänd typ av undantag."), field="kind")
    if ends_at <= starts_at:
        raise DomainError(_("Undantaget måste sluta efter att det börjar."), field="ends_at")
    if resource_id is not None and not Resource.objects.filter(pk=resource_id, unit_id=unit_id).exists():
        raise DomainError(_("Resursen hör inte till enheten."), field="resource")
    exc = ScheduleException.objects.create(
        unit_id=unit_id,
        resource_id=resource_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=actor.staff,
    )
    slots = Slot.objects.filter(unit_id=unit_id, status=Slot.Status.FREE, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if resource_id is not None:
        slots = slots.filter(resource_id=resource_id)
    blocked = slots.update(status=Slot.Status.BLOCKED)
    audit.record(actor, "tidbok.exception.add", obj=exc, ground=Ground.ADMINISTRATION, detail={"blocked_slots": blocked})
    return exc


def _slot_starts(tpl: ScheduleTemplate, day: dt.date, tz: ZoneInfo) -> Iterable[tuple[dt.datetime, dt.datetime]]:
    step = dt.timedelta(minutes=tpl.slot_minutes)
    start = dt.datetime.combine(day, tpl.start_time)
    end = dt.datetime.combine(day, tpl.end_time)
    while start + step <= end:
        yield start.replace(tzinfo=tz), (start + step).replace(tzinfo=tz)
        start += step


def _generate_for_resource(
    resource: Resource, templates: list[ScheduleTemplate], exceptions: list[ScheduleException], start: dt.date, end: dt.date
) -> int:
    tz = _tz()
    rows: list[Slot] = []
    existing = set(
        Slot.objects.filter(
            resource_id=resource.pk,
            starts_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            starts_at__lt=dt.datetime.combine(end, dt.time.min, tzinfo=tz),
        ).values_list("starts_at", flat=True)
    )
    day = start
    while day < end:
        for tpl in templates:
            if tpl.weekday != day.weekday() or tpl.valid_from > day or (tpl.valid_to and tpl.valid_to < day):
                continue
            for s, e in _slot_starts(tpl, day, tz):
                if s in existing:
                    continue
                blocked = any(x.starts_at < e and x.ends_at > s for x in exceptions)
                rows.append(
                    Slot(
                        resource_id=resource.pk,
                        unit_id=resource.unit_id,
                        starts_at=s,
                        ends_at=e,
                        slot_type=tpl.slot_type,
                        status=Slot.Status.BLOCKED if blocked else Slot.Status.FREE,
                    )
                )
        day += dt.timedelta(days=1)
    # Existing slots (same resource and start) are kept as they are, bookings and all;
    # ignore_conflicts covers a concurrent run.
    Slot.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def slots_generate(
    *,
    actor: Actor,
    weeks: int,
    start: dt.date | None = None,
    unit_id: int | None = None,
    progress: Callable[[Iterable[Resource]], Iterable[Resource]] | None = None,
) -> int:
    """Generate slots from the templates for `weeks` weeks from `start` (default today).
    Idempotent: a slot that exists is left alone. One transaction per resource, so a
    long run commits as it goes; one audit row for the batch."""
    if weeks < 1 or weeks > 104:
        raise DomainError(_("Ange mellan 1 och 104 veckor."), field="weeks")
    if not actor.is_system:
        require_assignment(actor)
        require_unit_manager(actor, unit_id or actor.unit_id or 0)
        unit_id = unit_id or actor.unit_id
    start = start or timezone.localdate()
    end = start + dt.timedelta(weeks=weeks)
    resources = Resource.objects.filter(active=True).order_by("pk")
    if unit_id is not None:
        resources = resources.filter(unit_id=unit_id)
    resource_list = list(resources)
    window_start = dt.datetime.combine(start, dt.time.min, tzinfo=_tz())
    window_end = dt.datetime.combine(end, dt.time.min, tzinfo=_tz())
    templates: dict[int, list[ScheduleTemplate]] = {}
    for tpl in ScheduleTemplate.objects.filter(resource__in=[r.pk for r in resource_list]):
        templates.setdefault(tpl.resource_id, []).append(tpl)
    exceptions = list(
        ScheduleException.objects.filter(
            unit_id__in={r.unit_id for r in resource_list}, starts_at__lt=window_end, ends_at__gt=window_start
        )
    )
    total = 0
    for resource in progress(resource_list) if progress else resource_list:
        own = [x for x in exceptions if x.unit_id == resource.unit_id and x.resource_id in (None, resource.pk)]
        with transaction.atomic():
            total += _generate_for_resource(resource, templates.get(resource.pk, []), own, start, end)
    audit.record(
        actor,
        "tidbok.slots.generate",
        ground=Ground.SYSTEM if actor.is_system else Ground.ADMINISTRATION,
        detail={"weeks": weeks, "start": start.isoformat(), "unit_id": unit_id, "created": total},
    )
    return total


# --- Bookings -----------------------------------------------------------------


def _require_identified(patient: Patient) -> None:
    """A time is booked only for an identified patient: reminders, check-in and the
    journal all hang on the identity."""
    if patient.merged_into_id:
        raise DomainError(
            _("Patientens identitet har slagits ihop med en annan. Boka på den gällande identiteten."), field="patient"
        )
    if patient.id_kind not in (Patient.IdKind.PERSONNUMMER, Patient.IdKind.SAMORDNINGSNUMMER):
        raise DomainError(
            _(
                "Patienten är inte identifierad (reservnummer). Fastställ personnummer eller "
                "samordningsnummer innan du bokar en tid."
            ),
            field="patient",
        )


def _lock_slot(actor: Actor, *, slot_id: int | None, resource_id: int | None, starts_at: dt.datetime | None) -> Slot:
    # Lock the slot first: two receptionists may book the same time at the same moment.
    qs = Slot.objects.select_for_update(of=("self",)).select_related("resource")
    if slot_id is not None:
        slot = qs.filter(pk=slot_id, unit_id=actor.unit_id).first()
        if slot is None:
            raise NotFound()
    else:
        if resource_id is None or starts_at is None:
            raise DomainError(_("Välj en tid."), field="slot")
        if not Resource.objects.filter(pk=resource_id, unit_id=actor.unit_id).exists():
            raise NotFound()
        slot = qs.filter(resource_id=resource_id, starts_at=starts_at).first()
        if slot is None:
            raise DomainError(_("Tiden ligger utanför resursens schema: det finns ingen bokningsbar tid då."), field="starts_at")
    if slot.starts_at <= timezone.now():
        raise DomainError(_("Tiden har redan passerat. Välj en tid i framtiden."), field="slot")
    if slot.status == Slot.Status.BLOCKED:
        raise DomainError(_("Tiden ligger utanför schemat (helgdag eller frånvaro) och kan inte bokas."), field="slot")
    if not slot.resource.active:
        raise DomainError(_("Resursen är inte längre aktiv och kan inte bokas."), field="slot")
    if slot.status == Slot.Status.BOOKED:
        raise Conflict(_("Tiden är redan bokad. Välj en annan tid."), field="slot", code="double_booking")
    return slot


def _book(
    actor: Actor,
    *,
    slot: Slot,
    patient: Patient,
    source: str,
    note: str = "",
    referral_id: int | None = None,
    waitlist_entry: WaitlistEntry | None = None,
    rebooked_from: Booking | None = None,
) -> Booking:
    # The booking is the ground for the unit's care relationship (PDL); made in this same transaction.
    from vardmiljo.services import care_relationship_ensure

    care_relationship_ensure(actor=actor, patient=patient, unit=slot.unit_id, ground=CareRelationship.Ground.BOOKING)
    pa = patient_access(actor, patient.pk, action="tidbok.booking.create", obj=slot, write=True)
    try:
        with transaction.atomic():  # savepoint: the outer transaction stays usable for a clean error
            booking = Booking.objects.create(
                slot=slot,
                unit_id=slot.unit_id,
                patient=patient,
                starts_at=slot.starts_at,
                source=source,
                note=note.strip()[:500],
                referral_id=referral_id,
                waitlist_entry=waitlist_entry,
                rebooked_from=rebooked_from,
                booked_by=actor.staff,
            )
    except IntegrityError as exc:
        if DOUBLE_BOOKING_CONSTRAINT in str(exc):
            raise Conflict(
                _("Tiden bokades precis av någon annan. Välj en annan tid."), field="slot", code="double_booking"
            ) from None
        raise
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BOOKED)
    slot.status = Slot.Status.BOOKED
    if waitlist_entry is not None:
        waitlist_entry.status = WaitlistEntry.Status.BOOKED
        waitlist_entry.booking = booking
        waitlist_entry.closed_at = timezone.now()
        waitlist_entry.save(update_fields=["status", "booking", "closed_at"])
    audit.record(
        actor,
        "tidbok.booking.create",
        patient=pa,
        obj=booking,
        detail={"slot_id": slot.pk, "source": source, "starts_at": slot.starts_at.isoformat()},
    )
    return booking


@transaction.atomic
def booking_create(
    *,
    actor: Actor,
    patient_id: int,
    slot_id: int | None = None,
    resource_id: int | None = None,
    starts_at: dt.datetime | None = None,
    note: str = "",
    waitlist_entry_id: int | None = None,
    referral_id: int | None = None,
) -> Booking:
    """Book an identified patient into a free slot of the actor's unit (by slot, or by
    resource and start time). From the waiting list, the entry is closed; from a
    referral, the referral id is kept."""
    require_assignment(actor)
    slot = _lock_slot(actor, slot_id=slot_id, resource_id=resource_id, starts_at=starts_at)
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    _require_identified(patient)
    entry = None
    source = Booking.Source.DIRECT
    if waitlist_entry_id is not None:
        entry = WaitlistEntry.objects.select_for_update().filter(pk=waitlist_entry_id, unit_id=actor.unit_id).first()
        if entry is None:
            raise NotFound()
        if entry.status != WaitlistEntry.Status.WAITING:
            raise Conflict(_("Patienten har redan fått en tid från väntelistan."), field="waitlist_entry")
        if entry.patient_id != patient.pk:
            raise DomainError(_("Väntelisteposten gäller en annan patient."), field="waitlist_entry")
        source = Booking.Source.WAITLIST
        referral_id = referral_id or entry.referral_id
    elif referral_id is not None:
        source = Booking.Source.REFERRAL
    return _book(actor, slot=slot, patient=patient, source=source, note=note, referral_id=referral_id, waitlist_entry=entry)


def _lock_booking(actor: Actor, booking_id: int) -> Booking:
    require_assignment(actor)
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot")
        .filter(pk=booking_id, unit_id=actor.unit_id)
        .first()
    )
    if booking is None:
        raise NotFound()
    return booking


@transaction.atomic
def booking_cancel(*, actor: Actor, booking_id: int, by: str, reason: str) -> Booking:
    """Avbokning (by="unit") or återbud (by="patient"), always with a reason. A visit
    that has checked in is not cancelled: it happened."""
    booking = _lock_booking(actor, booking_id)
    pa = patient_access(actor, booking.patient_id, action="tidbok.booking.cancel", obj=booking, write=True)
    if booking.status == Booking.Status.CHECKED_IN:
        raise DomainError(_("Besöket är redan ankomstregistrerat och kan inte avbokas."), code="checked_in")
    if not booking.can_cancel():
        raise DomainError(_("Bokningen är redan avbokad eller ombokad."), code="not_active")
    if by not in ("unit", "patient"):
        raise DomainError(_("Ange om enheten avbokar eller om patienten lämnar återbud."), field="by")
    if not reason.strip():
        raise DomainError(_("Ange en orsak till avbokningen."), field="reason")
    booking.status = Booking.Status.CANCELLED_UNIT if by == "unit" else Booking.Status.CANCELLED_PATIENT
    booking.cancelled_by = actor.staff
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = reason.strip()[:500]
    booking.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    Slot.objects.filter(pk=booking.slot_id, status=Slot.Status.BOOKED).update(status=Slot.Status.FREE)
    audit.record(actor, "tidbok.booking.cancel", patient=pa, obj=booking, reason=booking.cancel_reason, detail={"by": by})
    return booking


@transaction.atomic
def booking_rebook(*, actor: Actor, booking_id: int, slot_id: int, reason: str = "") -> Booking:
    """Move a booking to another free slot: the old one is marked rebooked and its slot freed."""
    old = _lock_booking(actor, booking_id)
    if old.status == Booking.Status.CHECKED_IN:
        raise DomainError(_("Besöket är redan ankomstregistrerat och kan inte bokas om."), code="checked_in")
    if old.status != Booking.Status.BOOKED:
        raise DomainError(_("Bokningen är inte längre aktiv och kan inte bokas om."), code="not_active")
    if old.slot_id == slot_id:
        raise DomainError(_("Välj en annan tid än den nuvarande."), field="slot")
    slot = _lock_slot(actor, slot_id=slot_id, resource_id=None, starts_at=None)
    patient = Patient.objects.get(pk=old.patient_id)
    _require_identified(patient)
    old.status = Booking.Status.REBOOKED
    old.cancel_reason = reason.strip()[:500]
    old.cancelled_by = actor.staff
    old.cancelled_at = timezone.now()
    old.save(update_fields=["status", "cancel_reason", "cancelled_by", "cancelled_at"])
    Slot.objects.filter(pk=old.slot_id, status=Slot.Status.BOOKED).update(status=Slot.Status.FREE)
    return _book(
        actor,
        slot=slot,
        patient=patient,
        source=Booking.Source.REBOOKING,
        note=old.note,
        referral_id=old.referral_id,
        rebooked_from=old,
    )


@transaction.atomic
def booking_check_in(*, actor: Actor, booking_id: int) -> Booking:
    """Ankomstregistrering: the patient has arrived. Creates the visit contact in the
    journal when the journal module is installed."""
    booking = _lock_booking(actor, booking_id)
    pa = patient_access(actor, booking.patient_id, action="tidbok.booking.check_in", obj=booking, write=True)
    if booking.status == Booking.Status.CHECKED_IN:
        raise DomainError(_("Patienten är redan ankomstregistrerad."), code="checked_in")
    if not booking.can_check_in():
        raise DomainError(_("En avbokad eller ombokad tid kan inte ankomstregistreras."), code="not_active")
    now = timezone.now()
    if timezone.localtime(booking.starts_at).date() != timezone.localdate(now):
        raise DomainError(_("Ankomstregistrering görs samma dag som besöket."), code="wrong_day")
    booking.status = Booking.Status.CHECKED_IN
    booking.checked_in_by = actor.staff
    booking.checked_in_at = now
    fields = ["status", "checked_in_by", "checked_in_at"]
    encounter = encounter_create(
        actor=actor,
        patient_id=booking.patient_id,
        kind=ENCOUNTER_KIND.get(booking.slot.slot_type, "visit"),
        unit_id=booking.unit_id,
        started_at=now,
        booking_id=booking.pk,
    )
    booking.encounter_id = encounter.pk
    fields.append("encounter_id")
    booking.save(update_fields=fields)
    audit.record(actor, "tidbok.booking.check_in", patient=pa, obj=booking, detail={"encounter_id": booking.encounter_id})
    return booking


# --- Waiting list -------------------------------------------------------------


def _priority(value: str) -> str:
    raw = str(value or "").strip()
    if raw in WaitlistEntry.Priority.values:
        return raw
    normalised = PRIORITY_ALIASES.get(raw.lower())
    if normalised is None:
        raise DomainError(_("Okänd prioritet: %(p)s.") % {"p": raw}, field="priority")
    return normalised


@transaction.atomic
def waitlist_add(
    *, actor: Actor, patient_id: int, unit_id: int, priority: str, due_by: dt.date, referral_id: int | None = None, note: str = ""
) -> WaitlistEntry:
    """Put a patient on a unit's waiting list. Called by remisser when a referral is
    accepted; idempotent on `referral_id` (an open entry for the referral is returned)."""
    prio = _priority(priority)
    if isinstance(due_by, str):
        try:
            due_by = dt.date.fromisoformat(due_by)
        except ValueError:
            raise DomainError(_("Ange datumet som ÅÅÅÅ-MM-DD."), field="due_by") from None
    if isinstance(due_by, dt.datetime):
        due_by = timezone.localtime(due_by).date() if timezone.is_aware(due_by) else due_by.date()
    if not CareUnit.objects.filter(pk=unit_id, active=True).exists():
        raise DomainError(_("Okänd eller inaktiv vårdenhet."), field="unit")
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    if actor.is_system:
        pa: object = patient
    else:
        require_assignment(actor)
        if unit_id != actor.unit_id and not may_manage_unit(actor, unit_id):
            raise DomainError(_("Du kan bara sätta upp patienter på din egen enhets väntelista."), field="unit")
        pa = patient_access(actor, patient_id, action="tidbok.waitlist.add", write=True)
    if referral_id is not None:
        existing = WaitlistEntry.objects.filter(referral_id=referral_id, status=WaitlistEntry.Status.WAITING).first()
        if existing is not None:
            return existing
    entry = WaitlistEntry.objects.create(
        unit_id=unit_id,
        patient=patient,
        priority=prio,
        priority_rank=PRIORITY_RANK[WaitlistEntry.Priority(prio)],
        due_by=due_by,
        referral_id=referral_id,
        note=(note or "").strip()[:500],
        added_by=actor.staff,
    )
    audit.record(actor, "tidbok.waitlist.add", patient=pa, obj=entry, detail={"unit_id": unit_id, "priority": prio})
    return entry


@transaction.atomic
def waitlist_remove(*, actor: Actor, entry_id: int, reason: str) -> WaitlistEntry:
    require_assignment(actor)
    entry = WaitlistEntry.objects.select_for_update().filter(pk=entry_id, unit_id=actor.unit_id).first()
    if entry is None:
        raise NotFound()
    pa = patient_access(actor, entry.patient_id, action="tidbok.waitlist.remove", obj=entry, write=True)
    if entry.status != WaitlistEntry.Status.WAITING:
        raise DomainError(_("Patienten står inte längre på väntelistan."))
    if not reason.strip():
        raise DomainError(_("Ange varför patienten tas bort från väntelistan."), field="reason")
    entry.status = WaitlistEntry.Status.REMOVED
    entry.closed_at = timezone.now()
    entry.note = (entry.note + " | " + reason.strip())[:500] if entry.note else reason.strip()[:500]
    entry.save(update_fields=["status", "closed_at", "note"])
    audit.record(actor, "tidbok.waitlist.remove", patient=pa, obj=entry, reason=reason.strip())
    return entry


# --- Reminders ----------------------------------------------------------------


def reminders_enqueue_due(*, actor: Actor, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Queue a reminder in the outbox for each booking within the reminder window.
    Does nothing while reminders are switched off (REMINDERS_ENABLED). Patients with a
    protected identity get no reminders: their contact details stay out of the outbox."""
    from tidbok import reminders

    if not reminders.enabled():
        return 0
    now = now or timezone.now()
    until = now + dt.timedelta(hours=conf.reminder_hours())
    with transaction.atomic():
        due = list(
            Booking.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("patient", "unit", "slot__resource")
            .filter(
                status=Booking.Status.BOOKED,
                starts_at__gt=now,
                starts_at__lte=until,
                reminder_queued_at__isnull=True,
                patient__protection=Patient.Protection.NONE,
            )
            .order_by("starts_at")[:limit]
        )
        for b in due:
            outbox.enqueue(
                channel="reminder",
                key=f"tidbok.reminder.{b.pk}.{b.starts_at:%Y%m%d%H%M}",
                obj=b,
                payload=reminders.payload_for(b),
                patient=b.patient_id,
            )
        Booking.objects.filter(pk__in=[b.pk for b in due]).update(reminder_queued_at=now)
        if due:
            audit.record(actor, "tidbok.reminders.enqueue", ground=Ground.SYSTEM, detail={"count": len(due)})
    return len(due)


# --- The resident's own bookings (e-services) -----------------------------------
# Only times of resources the unit has opened for web booking, at a unit the resident
# has a care relationship with; the booking is then the unit's like any other.


def _lock_web_slot(slot_id: int, patient_id: int) -> Slot:
    from vardmiljo.models import CareRelationship as CR

    slot = Slot.objects.select_for_update(of=("self",)).select_related("resource").filter(pk=slot_id).first()
    now = timezone.now()
    if (
        slot is None
        or not slot.resource.web_booking
        or not CR.objects.filter(patient_id=patient_id, unit_id=slot.unit_id, valid_from__lte=now)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
        .exists()
    ):
        raise NotFound()
    if slot.starts_at <= now:
        raise DomainError(_("Tiden har redan passerat. Välj en tid i framtiden."), field="slot")
    if slot.status != Slot.Status.FREE or not slot.resource.active:
        raise Conflict(_("Tiden är inte längre ledig. Välj en annan tid."), field="slot", code="double_booking")
    return slot


def _web_book(actor: ResidentActor, pa: PatientAccess, slot: Slot, rebooked_from: Booking | None = None) -> Booking:
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                slot=slot,
                unit_id=slot.unit_id,
                patient=pa.patient,
                starts_at=slot.starts_at,
                source=Booking.Source.WEB,
                rebooked_from=rebooked_from,
                booked_by=None,
            )
    except IntegrityError as exc:
        if DOUBLE_BOOKING_CONSTRAINT in str(exc):
            raise Conflict(
                _("Tiden bokades precis av någon annan. Välj en annan tid."), field="slot", code="double_booking"
            ) from None
        raise
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BOOKED)
    audit.record(actor, "tidbok.booking.create", patient=pa, obj=booking, detail={"slot_id": slot.pk, "source": "web"})
    return booking


@transaction.atomic
def booking_create_by_resident(*, actor: ResidentActor, patient_id: int, slot_id: int) -> Booking:
    """The resident books a web-bookable time for themselves (or their child)."""
    pa = resident_access(actor, patient_id, action="tidbok.booking.create", write=True)
    _require_identified(pa.patient)
    slot = _lock_web_slot(slot_id, pa.patient.pk)
    return _web_book(actor, pa, slot)


def _lock_own_booking(actor: ResidentActor, booking_id: int, action: str) -> tuple[Booking, PatientAccess]:
    booking = Booking.objects.select_for_update(of=("self",)).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound()
    pa = resident_access(actor, booking.patient_id, action=action, obj=booking, write=True)
    if booking.status != Booking.Status.BOOKED or booking.starts_at <= timezone.now():
        raise DomainError(_("Bokningen kan inte längre ändras här. Kontakta din vårdenhet."), code="not_active")
    return booking, pa


@transaction.atomic
def booking_cancel_by_resident(*, actor: ResidentActor, booking_id: int, reason: str = "") -> Booking:
    """Återbud from the resident in the e-services."""
    booking, pa = _lock_own_booking(actor, booking_id, "tidbok.booking.cancel")
    booking.status = Booking.Status.CANCELLED_PATIENT
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = (reason.strip() or str(_("Återbud via e-tjänsten")))[:500]
    booking.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    Slot.objects.filter(pk=booking.slot_id, status=Slot.Status.BOOKED).update(status=Slot.Status.FREE)
    audit.record(actor, "tidbok.booking.cancel", patient=pa, obj=booking, reason=booking.cancel_reason, detail={"by": "patient"})
    return booking


@transaction.atomic
def booking_rebook_by_resident(*, actor: ResidentActor, booking_id: int, slot_id: int) -> Booking:
    old, pa = _lock_own_booking(actor, booking_id, "tidbok.booking.rebook")
    if old.slot_id == slot_id:
        raise DomainError(_("Välj en annan tid än den nuvarande."), field="slot")
    slot = _lock_web_slot(slot_id, pa.patient.pk)
    old.status = Booking.Status.REBOOKED
    old.cancelled_at = timezone.now()
    old.save(update_fields=["status", "cancelled_at"])
    Slot.objects.filter(pk=old.slot_id, status=Slot.Status.BOOKED).update(status=Slot.Status.FREE)
    return _web_book(actor, pa, slot, rebooked_from=old)
