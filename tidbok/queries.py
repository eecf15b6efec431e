"""Every read of tidbok. Reads of patient data go through the access module and
are recorded here; free slots carry no patient data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tidbok import conf
from tidbok.models import ACTIVE_BOOKING, Booking, Resource, ScheduleTemplate, Slot, SlotType, WaitlistEntry
from vardmiljo import audit, db
from vardmiljo.access import PatientAccess, may_manage_unit, patient_access, record_list, require_assignment
from vardmiljo.actor import Actor
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import CareUnit, Patient
from vardmiljo.queries import RowFilter, page_rows
from vardmiljo.registry import DowntimeTable

SEARCH_LIMIT = 40
PANEL_LIMIT = 5
WAITLIST_LIMIT = 200


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = _tz()
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz), dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, tzinfo=tz
    )


def _own_unit(actor: Actor) -> int:
    a = require_assignment(actor)
    return a.unit_id


def resources_for(actor: Actor, *, include_inactive: bool = False) -> list[Resource]:
    qs = Resource.objects.filter(unit_id=_own_unit(actor))
    if not include_inactive:
        qs = qs.filter(active=True)
    return list(qs.order_by("name"))


def resource_for(actor: Actor, resource_id: int) -> Resource:
    resource = Resource.objects.filter(pk=resource_id, unit_id=_own_unit(actor)).first()
    if resource is None:
        raise NotFound()
    return resource


# --- Free slots ---------------------------------------------------------------


def free_slots(
    actor: Actor,
    *,
    slot_type: str = "",
    resource_id: int | None = None,
    day: dt.date | None = None,
    after: dt.datetime | None = None,
    limit: int = SEARCH_LIMIT,
    resource_kind: str = "",
) -> list[Slot]:
    """Free, bookable slots of the actor's unit, earliest first ("first available"
    is the first of them). Served by the partial index on free slots."""
    unit_id = _own_unit(actor)
    now = timezone.now()
    start = max(after or now, now)
    qs = Slot.objects.filter(unit_id=unit_id, status=Slot.Status.FREE, starts_at__gt=start)
    if day is not None:
        lo, hi = _day_bounds(day)
        qs = qs.filter(starts_at__gte=lo, starts_at__lt=hi)
    if slot_type:
        qs = qs.filter(slot_type=slot_type)
    if resource_id:
        qs = qs.filter(resource_id=resource_id)
    if resource_kind:
        qs = qs.filter(resource__kind=resource_kind)
    return list(qs.select_related("resource").filter(resource__active=True).order_by("starts_at", "resource_id")[:limit])


# A referral asks the receiving unit to assess the patient: a new visit with a clinician,
# never a device's or a room's time (an anaemia referral once got the exercise ECG).
REFERRAL_VISIT = (SlotType.NEW_VISIT, Resource.Kind.STAFF)


def requested_visit(actor: Actor, *, referral_id: int | None, waitlist_entry_id: int | None) -> tuple[str, str]:
    """The kind of visit (slot type, resource kind) a booking from a referral, or from a
    waiting-list entry that came from one, must offer; ("", "") for any other booking.
    Reads no patient data (the entry's referral id only)."""
    if referral_id:
        return REFERRAL_VISIT
    if waitlist_entry_id and actor.unit_id:
        from_referral = WaitlistEntry.objects.filter(
            pk=waitlist_entry_id, unit_id=actor.unit_id, referral_id__isnull=False
        ).exists()
        if from_referral:
            return REFERRAL_VISIT
    return "", ""


def same_day_bookings(pa: PatientAccess, day: dt.date, *, exclude_booking_id: int | None = None) -> list[Booking]:
    """The patient's active bookings at the actor's unit on `day` (to warn before a second
    one). Read under `pa`, and logged when there are any."""
    lo, hi = _day_bounds(day)
    qs = pa.filter(
        Booking.objects.filter(unit_id=pa.actor.unit_id, status__in=ACTIVE_BOOKING, starts_at__gte=lo, starts_at__lt=hi)
    )
    if exclude_booking_id:
        qs = qs.exclude(pk=exclude_booking_id)
    rows = list(qs.select_related("slot__resource").order_by("starts_at"))
    if rows:
        audit.record(pa.actor, "tidbok.booking.same_day", patient=pa, detail={"bookings": [b.pk for b in rows]})
    return rows


def bookings_for_referral(pa: PatientAccess, referral_id: int) -> list[Booking]:
    """The active bookings made for a referral (shown on the referral, read under its access)."""
    return list(
        pa.filter(Booking.objects.filter(referral_id=referral_id, status__in=ACTIVE_BOOKING))
        .select_related("slot__resource", "unit")
        .order_by("starts_at")
    )


def first_available(
    actor: Actor, *, slot_type: str = "", resource_id: int | None = None, after: dt.datetime | None = None
) -> Slot | None:
    found = free_slots(actor, slot_type=slot_type, resource_id=resource_id, after=after, limit=1)
    return found[0] if found else None


def slot_for(actor: Actor, slot_id: int) -> Slot:
    slot = Slot.objects.select_related("resource").filter(pk=slot_id, unit_id=_own_unit(actor)).first()
    if slot is None:
        raise NotFound()
    return slot


# --- Day lists ----------------------------------------------------------------
#
# A day list has a row per slot (a health centre: 160 a day). Its rows are plain
# objects read in one query (slot, active booking, patient), not model instances:
# the page, the REST day list and the downtime summaries read only these fields.


@dataclass(slots=True)
class DayPatient:
    id: int
    given_name: str
    family_name: str
    identifier: str
    id_kind: str
    protection: str
    phone: str

    # The patient's own display rules (Patient's properties), not a copy of them.
    IdKind: ClassVar[type[Patient.IdKind]] = Patient.IdKind
    Protection: ClassVar[type[Patient.Protection]] = Patient.Protection
    if TYPE_CHECKING:

        @property
        def full_name(self) -> str: ...
        @property
        def display_identifier(self) -> str: ...
        @property
        def is_protected(self) -> bool: ...
    else:
        full_name = Patient.full_name
        display_identifier = Patient.display_identifier
        is_protected = Patient.is_protected

    @property
    def pk(self) -> int:
        return self.id


@dataclass(slots=True)
class DaySlot:
    id: int
    resource_id: int
    resource: Resource
    starts_at: dt.datetime
    ends_at: dt.datetime
    slot_type: str
    status: str

    @property
    def pk(self) -> int:
        return self.id


@dataclass(slots=True)
class DayBooking:
    id: int
    slot_id: int
    unit_id: int
    patient_id: int
    starts_at: dt.datetime  # the slot's start: a booking copies it
    status: str
    source: str
    referral_id: int | None
    note: str
    cancel_reason: str
    checked_in_at: dt.datetime | None
    encounter_id: int | None
    patient: DayPatient

    @property
    def pk(self) -> int:
        return self.id


@dataclass(slots=True)
class DayListRow:
    slot: DaySlot
    booking: DayBooking | None


@dataclass
class DayList:
    unit: CareUnit
    day: dt.date
    resource: Resource | None
    rows: list[DayListRow] = field(default_factory=list)
    # The unit's active resources (for choosing one), when the caller asked for them.
    unit_resources: list[Resource] = field(default_factory=list)

    @property
    def patient_ids(self) -> list[int]:
        return [r.booking.patient_id for r in self.rows if r.booking]

    @property
    def booked(self) -> int:
        return sum(1 for r in self.rows if r.booking)


# One indexed query: the day's slots of the unit (tidbok_slot_unit_start), each with its active
# booking (at most one: the partial unique index tidbok_booking_one_active_per_slot, whose
# condition the join repeats so that it serves the join) and that booking's patient. Only what
# a day list shows is read: the encrypted address and the bookkeeping columns stay in the
# database. Written out rather than built by the ORM, which costs more than the query itself
# here (~3 ms a page); times come as epoch seconds, since Django's loader parses timestamptz
# text in Python (320+ of them a page) and datetime.fromtimestamp does it in C.
_DAYLIST_SQL = """
SELECT s.id, s.resource_id, EXTRACT(EPOCH FROM s.starts_at)::float8, EXTRACT(EPOCH FROM s.ends_at)::float8,
       s.slot_type, s.status,
       b.id, b.unit_id, b.status, b.source, b.referral_id, b.note, b.cancel_reason,
       EXTRACT(EPOCH FROM b.checked_in_at)::float8, b.encounter_id,
       p.id, p.given_name, p.family_name, p.identifier, p.id_kind, p.protection, p.phone
FROM tidbok_slot s
LEFT JOIN tidbok_booking b ON b.slot_id = s.id AND b.status IN ({active})
LEFT JOIN vardmiljo_patient p ON p.id = b.patient_id
WHERE s.unit_id = %s AND s.starts_at >= %s AND s.starts_at < %s{resource}
ORDER BY s.starts_at, s.resource_id
"""
_DAYLIST_UNIT = _DAYLIST_SQL.format(active=", ".join(["%s"] * len(ACTIVE_BOOKING)), resource="")
_DAYLIST_RESOURCE = _DAYLIST_SQL.format(active=", ".join(["%s"] * len(ACTIVE_BOOKING)), resource=" AND s.resource_id = %s")


def build_daylist(
    *, unit: CareUnit, day: dt.date, resource: Resource | None = None, resources: dict[int, Resource] | None = None
) -> DayList:
    """The day list of a unit (or one resource): every slot of the day with its active
    booking and patient, in one query whatever the size of the unit (plus one for the
    resources when the caller does not pass them). No access check or log here: callers
    are `daylist_for` (staff) and the downtime summaries (system, logged per batch)."""
    lo, hi = _day_bounds(day)
    params: list[str | int | dt.datetime] = [*ACTIVE_BOOKING, unit.pk, lo, hi]
    if resource is not None:
        params.append(resource.pk)
    with connection.cursor() as cur:
        cur.execute(_DAYLIST_UNIT if resource is None else _DAYLIST_RESOURCE, params)
        found = cur.fetchall()
    if resources is None:
        resources = (
            {resource.pk: resource}
            if resource is not None
            else {r.pk: r for r in Resource.objects.filter(pk__in={t[1] for t in found})}
        )
    utc, at = dt.UTC, dt.datetime.fromtimestamp
    rows = []
    for sid, rid, start, end, stype, sstatus, bid, bunit, bstatus, source, ref, note, reason, cin, enc, pid, *pat in found:
        starts_at = at(start, utc)
        slot = DaySlot(sid, rid, resources[rid], starts_at, at(end, utc), stype, sstatus)
        booking = None
        if bid is not None:
            checked_in_at = at(cin, utc) if cin is not None else None
            patient = DayPatient(pid, *pat)
            booking = DayBooking(bid, sid, bunit, pid, starts_at, bstatus, source, ref, note, reason, checked_in_at, enc, patient)
        rows.append(DayListRow(slot, booking))
    return DayList(unit=unit, day=day, resource=resource, rows=rows)


def daylist_for(actor: Actor, *, day: dt.date, resource_id: int | None = None) -> DayList:
    """The actor's unit's day list; one access-log row naming the patients shown."""
    unit_id = _own_unit(actor)
    unit = actor.unit
    if unit is None:  # require_assignment in _own_unit makes this unreachable; say so plainly if not
        raise NotFound()
    all_resources = {r.pk: r for r in Resource.objects.filter(unit_id=unit_id).order_by("name")}
    resource = None
    if resource_id:
        resource = all_resources.get(resource_id)
        if resource is None:
            raise NotFound()
    daylist = build_daylist(unit=unit, day=day, resource=resource, resources=all_resources)
    daylist.unit_resources = [r for r in all_resources.values() if r.active]
    record_list(
        actor,
        "tidbok.daylist.read",
        daylist.patient_ids,
        detail={"unit_id": unit_id, "day": day.isoformat(), "resource_id": resource_id},
    )
    return daylist


@dataclass
class WeekRow:
    slot: Slot
    booking: Booking | None


@dataclass
class WeekView:
    resource: Resource
    start: dt.date
    days: list[tuple[dt.date, list[WeekRow]]]


def resource_week(actor: Actor, *, resource_id: int, start: dt.date) -> WeekView:
    """A resource's week (Monday to Sunday) with its bookings: the calendar view."""
    resource = resource_for(actor, resource_id)
    monday = start - dt.timedelta(days=start.weekday())
    lo, _hi = _day_bounds(monday)
    hi = lo + dt.timedelta(days=7)
    slots = list(Slot.objects.filter(resource_id=resource.pk, starts_at__gte=lo, starts_at__lt=hi).order_by("starts_at"))
    bookings = {
        b.slot_id: b
        for b in Booking.objects.filter(
            slot__resource_id=resource.pk, starts_at__gte=lo, starts_at__lt=hi, status__in=ACTIVE_BOOKING
        )
        .select_related("patient")
        .defer("patient__address")
    }
    by_day: dict[dt.date, list[WeekRow]] = {monday + dt.timedelta(days=i): [] for i in range(7)}
    for s in slots:
        by_day.setdefault(timezone.localtime(s.starts_at).date(), []).append(WeekRow(slot=s, booking=bookings.get(s.pk)))
    record_list(
        actor,
        "tidbok.week.read",
        [b.patient_id for b in bookings.values()],
        detail={"resource_id": resource.pk, "week": monday.isoformat()},
    )
    return WeekView(resource=resource, start=monday, days=sorted(by_day.items()))


# --- Bookings -----------------------------------------------------------------


def booking_for(actor: Actor, booking_id: int) -> tuple[Booking, PatientAccess]:
    require_assignment(actor)
    booking = Booking.objects.select_related("slot__resource", "unit").filter(pk=booking_id, unit_id=actor.unit_id).first()
    if booking is None:
        raise NotFound()
    pa = patient_access(actor, booking.patient_id, action="tidbok.booking.read", obj=booking)
    return booking, pa


@dataclass(slots=True)
class UpcomingVisit:
    """One line of the "Kommande besök" panel: only what it shows."""

    starts_at: dt.datetime
    status: str
    unit_name: str
    resource_name: str
    slot_type: str

    @property
    def slot_type_label(self) -> str:
        return str(SLOT_TYPE_LABELS.get(self.slot_type, self.slot_type))

    @property
    def checked_in(self) -> bool:
        return self.status == Booking.Status.CHECKED_IN


SLOT_TYPE_LABELS = dict(SlotType.choices)


def upcoming_for_patient(pa: PatientAccess, *, limit: int = PANEL_LIMIT) -> tuple[list[UpcomingVisit], int]:
    """A patient's coming visits in the units this actor may read: the first N and the
    total, in one query (the total is a window count over all of them, before the limit).
    Read in SQL: every patient overview runs it."""
    cond, params = pa.sql(Booking, "b")
    found = db.rows(
        f"""SELECT b.starts_at, b.status, u.name AS unit_name, r.name AS resource_name, s.slot_type,
                   count(*) OVER () AS total
            FROM {Booking._meta.db_table} b
            JOIN {CareUnit._meta.db_table} u ON u.id = b.unit_id
            JOIN {Slot._meta.db_table} s ON s.id = b.slot_id
            JOIN {Resource._meta.db_table} r ON r.id = s.resource_id
            WHERE {cond} AND b.status = ANY(%s) AND b.starts_at >= %s
            ORDER BY b.starts_at LIMIT %s""",
        [*params, list(ACTIVE_BOOKING), timezone.now(), limit],
    )
    # No rows: the count is 0; the panel costs one query for 2 visits as for 200.
    total = found[0].pop("total") if found else 0
    for r in found[1:]:
        del r["total"]
    return [UpcomingVisit(**r) for r in found], total


def bookings_for_patient(actor: Actor, patient_id: int, *, limit: int = 200) -> tuple[PatientAccess, list[Booking]]:
    pa = patient_access(actor, patient_id, action="tidbok.patient.bookings")
    qs = pa.filter(Booking.objects.all()).select_related("unit", "slot__resource").order_by("-starts_at")
    return pa, list(qs[:limit])


def patient_for_booking(actor: Actor, patient_id: int) -> PatientAccess | None:
    """The patient chosen on the booking form; None (without a log row) when the unit
    has no ground yet: the booking itself will create the care relationship."""
    try:
        return patient_access(actor, patient_id, action="tidbok.booking.patient", log=False)
    except NotFound:
        return None


# --- Waiting list -------------------------------------------------------------


@dataclass
class WaitlistRow:
    entry: WaitlistEntry
    guarantee_date: dt.date
    past_guarantee: bool
    past_due: bool


def waitlist_for(actor: Actor, *, limit: int = WAITLIST_LIMIT) -> tuple[list[WaitlistRow], int]:
    """The unit's open waiting list, most urgent first, with the entries past the
    care-guarantee limit (vårdgarantin) or their own date flagged."""
    unit_id = _own_unit(actor)
    qs = WaitlistEntry.objects.filter(unit_id=unit_id, status=WaitlistEntry.Status.WAITING)
    entries = list(qs.select_related("patient").defer("patient__address").order_by("priority_rank", "due_by", "added_at")[:limit])
    total = qs.count()
    days = conf.care_guarantee_days()
    today = timezone.localdate()
    rows = []
    for e in entries:
        gdate = timezone.localtime(e.added_at).date() + dt.timedelta(days=days)
        rows.append(WaitlistRow(entry=e, guarantee_date=gdate, past_guarantee=today > gdate, past_due=today > e.due_by))
    record_list(actor, "tidbok.waitlist.read", [r.entry.patient_id for r in rows], detail={"unit_id": unit_id})
    return rows, total


def waitlist_entry_for(actor: Actor, entry_id: int) -> tuple[WaitlistEntry, PatientAccess]:
    require_assignment(actor)
    entry = WaitlistEntry.objects.filter(pk=entry_id, unit_id=actor.unit_id).first()
    if entry is None:
        raise NotFound()
    pa = patient_access(actor, entry.patient_id, action="tidbok.waitlist.read", obj=entry)
    return entry, pa


def waitlist_count(actor: Actor) -> int:
    """Worklist counter: the unit's waiting-list entries past the care-guarantee limit or due date."""
    if actor.assignment is None or actor.unit_id is None:
        return 0
    limit = timezone.now() - dt.timedelta(days=conf.care_guarantee_days())
    return WaitlistEntry.objects.filter(
        Q(added_at__lt=limit) | Q(due_by__lt=timezone.localdate()),
        unit_id=actor.unit_id,
        status=WaitlistEntry.Status.WAITING,
    ).count()


# --- Schedule administration --------------------------------------------------


def schedule_admin_for(actor: Actor) -> tuple[list[Resource], dict[int, list[ScheduleTemplate]], dict[int, int]]:
    """Resources, their templates and their count of future free slots, for the unit's manager."""
    unit_id = _own_unit(actor)
    if not may_manage_unit(actor, unit_id):
        from vardmiljo.errors import PermissionDenied

        raise PermissionDenied(_("Du har inte behörighet att administrera enheten."))
    resources = list(Resource.objects.filter(unit_id=unit_id).order_by("name"))
    templates: dict[int, list[ScheduleTemplate]] = {}
    for t in ScheduleTemplate.objects.filter(resource__unit_id=unit_id).order_by("weekday", "start_time"):
        templates.setdefault(t.resource_id, []).append(t)
    counts = dict(
        Slot.objects.filter(unit_id=unit_id, status=Slot.Status.FREE, starts_at__gt=timezone.now())
        .values_list("resource_id")
        .annotate(n=Count("id"))
        .values_list("resource_id", "n")
    )
    return resources, templates, counts


def parse_day(raw: str | None) -> dt.date:
    if not raw:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("Ange datumet som ÅÅÅÅ-MM-DD."), field="date") from None


def patient_by_identifier(actor: Actor, raw: str) -> Patient:
    """The patient to book, by complete personnummer (identity lookup, logged by the
    access module). The booking service decides the rest."""
    from django.core.exceptions import ValidationError

    from vardmiljo.access import identify_patient
    from vardmiljo.identifiers import parse_patient_id

    require_assignment(actor)
    if not (raw or "").strip():
        raise DomainError(_("Ange patientens personnummer."), field="identifier")
    try:
        pid = parse_patient_id(raw)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="identifier") from None
    patient = identify_patient(actor, pid.value)
    if patient is None:
        raise DomainError(_("Ingen patient med det numret finns registrerad."), field="identifier")
    return patient


# --- Downtime bundles (driftstopp): a system disclosure to the unit of its own bookings -------


def downtime_daylist(unit: CareUnit, day: dt.date) -> DowntimeTable:
    """The unit's day list for a downtime bundle (the caller records the disclosure)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
    bookings = (
        Booking.objects.filter(
            unit=unit, status__in=ACTIVE_BOOKING, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        )
        .select_related("slot__resource", "patient")
        .order_by("starts_at", "slot__resource__name")
    )
    rows, ids = [], []
    for b in bookings:
        p = b.patient
        ids.append(p.pk)
        rows.append(
            [
                f"{timezone.localtime(b.starts_at):%H:%M}–{timezone.localtime(b.slot.ends_at):%H:%M}",
                b.slot.resource.name,
                p.full_name,
                p.display_identifier,
                b.slot.get_slot_type_display(),
                b.get_status_display(),
                b.note,
            ]
        )
    title = _("Dagslista %(day)s") % {"day": f"{day:%Y-%m-%d}"}
    columns = [_("Tid"), _("Resurs"), _("Patient"), _("Personnummer"), _("Typ"), _("Status"), _("Kommentar")]
    return DowntimeTable(title=title, columns=columns, rows=rows, patient_ids=ids)


# --- Reads for other channels (the FHIR API) --------------------------------


def booking_by_id(actor: Actor, booking_id: int | str, *, action: str) -> tuple[Booking, PatientAccess]:
    """One booking of any unit, readable as part of the patient's record (the access
    module decides and logs); absent and not readable answer the same."""
    try:
        pk = int(booking_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63:
        raise NotFound()
    booking = Booking.objects.select_related("slot__resource", "unit").filter(pk=pk).first()
    if booking is None:
        raise NotFound()
    pa = patient_access(actor, booking.patient_id, action=action, obj=booking)
    if not pa.may_read_unit(booking.unit):
        raise NotFound()
    return booking, pa


def bookings_page(pa: PatientAccess, f: RowFilter) -> tuple[list[Booking], int]:
    qs = pa.filter(Booking.objects.all()).select_related("unit", "slot__resource")
    return page_rows(qs, f, date_field="starts_at", status_field="status")


def slots_page(
    actor: Actor,
    *,
    ids: tuple[int, ...] = (),
    resource_ids: tuple[int, ...] = (),
    statuses: tuple[str, ...] = (),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Slot], int]:
    """The actor's own unit's slots (no patient data), by schedule, status and time."""
    qs = Slot.objects.filter(unit_id=_own_unit(actor)).select_related("resource")
    if ids:
        qs = qs.filter(pk__in=ids)
    if resource_ids:
        qs = qs.filter(resource_id__in=resource_ids)
    f = RowFilter(since=since, until=until, statuses=statuses, newest_first=False, offset=offset, limit=limit)
    return page_rows(qs, f, date_field="starts_at", status_field="status")


def web_slots_for_resident(pa: PatientAccess, *, days: int = 60, limit: int = 60) -> list[Slot]:
    """Free times the units have opened for web booking, at units where the patient has a
    care relationship, the next `days` days (the resident's booking page)."""
    from vardmiljo.models import CareRelationship as CR

    now = timezone.now()
    units = CR.objects.filter(patient_id=pa.patient.pk, valid_from__lte=now).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=now)
    )
    return list(
        Slot.objects.filter(
            status=Slot.Status.FREE,
            resource__web_booking=True,
            resource__active=True,
            unit_id__in=units.values("unit_id"),
            starts_at__gt=now,
            starts_at__lt=now + dt.timedelta(days=days),
        )
        .select_related("resource", "unit")
        .order_by("starts_at")[:limit]
    )


def resident_bookings(pa: PatientAccess, *, limit: int = 50) -> list[Booking]:
    """The patient's coming bookings (the resident's own page: every unit's)."""
    return list(
        pa.filter(Booking.objects.filter(status=Booking.Status.BOOKED, starts_at__gte=timezone.now()))
        .select_related("unit", "slot__resource")
        .order_by("starts_at")[:limit]
    )
