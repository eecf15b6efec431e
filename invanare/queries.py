"""Reads of the resident's e-services. Every read starts at access.resident_access()
(grounds patient_self / guardian), so it lands in the resident's own log extract.
Never the staff paths."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from invanare.models import UnitPublishing
from journal.models import Note
from journal.queries import active_allergies, active_diagnoses
from lakemedel.queries import MedicationList, medication_list_for
from remisser.queries import patient_referrals
from tidbok.queries import UpcomingVisit, upcoming_for_patient
from vardmiljo import db
from vardmiljo.access import PatientAccess, resident_access, resident_children, resident_may_read_own
from vardmiljo.actor import ResidentActor
from vardmiljo.models import AccessLog, Patient, Staff

NOTES_LIMIT = 200


@dataclass
class Subjects:
    """Whose records the resident may open: their own (from 16) and their children's (to 12)."""

    me: Patient
    own: bool
    children: list[Patient]


def subjects(actor: ResidentActor) -> Subjects:
    if actor.patient is None:  # a resident session always names its patient
        raise RuntimeError("resident session without a patient")
    return Subjects(me=actor.patient, own=resident_may_read_own(actor.patient), children=resident_children(actor))


def _publishing_q() -> Q:
    """Notes a resident may read: signed (or imported) and correct, older than the unit's
    delay, and not of a type the unit withholds."""
    now = timezone.now()
    base = Q(status__in=[Note.Status.SIGNED, Note.Status.IMPORTED], entered_in_error=False)
    rules = list(UnitPublishing.objects.all())
    custom = [r.unit_id for r in rules]
    q = ~Q(unit_id__in=custom) & Q(signed_at__lte=now - dt.timedelta(days=settings.INVANARE_NOTE_DELAY_DAYS))
    for r in rules:
        q |= Q(unit_id=r.unit_id, signed_at__lte=now - dt.timedelta(days=r.note_delay_days)) & ~Q(
            note_type__in=r.withheld_note_types
        )
    return base & q


def published_notes(pa: PatientAccess, limit: int = NOTES_LIMIT) -> list[Note]:
    return list(pa.filter(Note.objects.filter(_publishing_q())).select_related("unit").order_by("-event_at", "-id")[:limit])


@dataclass
class Record:
    pa: PatientAccess
    notes: list[Note]
    diagnoses: list[Any]
    alerts: list[Any]
    medications: MedicationList
    referrals: list[Any]
    bookings: list[UpcomingVisit]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def patient(self) -> Patient:
        return self.pa.patient


def record(actor: ResidentActor, patient_id: int | str, *, action: str = "invanare.record.read") -> Record:
    pa = resident_access(actor, patient_id, action=action)
    referrals, _ = patient_referrals(pa, open_only=False, limit=50)
    bookings, _ = upcoming_for_patient(pa, limit=20)
    return Record(
        pa=pa,
        notes=published_notes(pa),
        diagnoses=active_diagnoses(pa, n=50),
        alerts=active_allergies(pa),
        medications=medication_list_for(pa),
        referrals=referrals,
        bookings=bookings,
    )


def start_page(actor: ResidentActor) -> tuple[Subjects, list[UpcomingVisit]]:
    """The start page: whose records, and the resident's own coming visits."""
    s = subjects(actor)
    visits: list[UpcomingVisit] = []
    if s.own:
        pa = resident_access(actor, s.me.pk, action="invanare.start.read")
        visits, _ = upcoming_for_patient(pa, limit=5)
    return s, visits


# --- Vem har läst min journal (the resident's own log extract) -----------------

ACTION_LABELS = (
    ("journal.", "Journalen"),
    ("lakemedel.", "Läkemedel"),
    ("remiss", "Remisser"),
    ("referral", "Remisser"),
    ("tidbok.", "Tidbok"),
    ("booking", "Tidbok"),
    ("patient.overview", "Översikt över journalen"),
    ("patient.identify", "Sökning på personnummer"),
    ("patient.address", "Adressuppgifter"),
    ("consent", "Samtycke"),
    ("block", "Spärr"),
    ("emergency_access", "Nödåtkomst"),
    ("care_relationship", "Vårdrelation"),
    ("registry", "Kvalitetsregister"),
    ("fhir", "Journalen via FHIR"),
    ("invanare.login", "Inloggning i e-tjänsten"),
    ("invanare.log_extract", "Vem har läst min journal"),
    ("invanare.", "E-tjänsten (journalen)"),
    ("log.", "Loggkontroll"),
)


def action_label(action: str) -> str:
    for prefix, label in ACTION_LABELS:
        if action.startswith(prefix):
            return label
    return "Övrigt"


@dataclass
class LogLine:
    logged_at: dt.datetime
    provider: str
    unit: str
    profession: str
    staff_name: str
    what: str
    ground: str
    reason: str
    emergency: bool
    by_resident: bool


@dataclass
class LogMonth:
    pa: PatientAccess
    month: dt.date  # the first day of the month shown
    lines: list[LogLine]
    newer: dt.date | None
    older: dt.date | None
    page: int = 1
    more: bool = False


_PROFESSIONS = dict(Staff.Profession.choices)
_GROUNDS = dict(AccessLog.Ground.choices)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    nxt = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    return start, nxt


# One month of one patient's log: the access log is partitioned by month, so a bounded
# logged_at range reads one or two partitions through their (patient_id, logged_at) index.
_MONTH_SQL = f"""
SELECT l.logged_at, l.provider_name, l.unit_name, s.profession, l.staff_name, l.staff_id, l.action,
       l.ground, l.reason
FROM {AccessLog._meta.db_table} l LEFT JOIN {Staff._meta.db_table} s ON s.id = l.staff_id
WHERE l.patient_id = %s AND l.logged_at >= %s AND l.logged_at < %s AND l.ground <> %s
ORDER BY l.logged_at DESC, l.id DESC
LIMIT %s OFFSET %s
"""
PAGE = 100


def log_month(actor: ResidentActor, patient_id: int | str, month: dt.date | None = None, page: int = 1) -> LogMonth:
    """Who read the record in one month (this month when none is asked), PAGE rows a page.
    The resident's own reads are left out (they are logged, as this one is); a guardian's
    reads of a child's record are shown."""
    pa = resident_access(actor, patient_id, action="invanare.log_extract")
    tz = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    if month is None:
        local = now.astimezone(tz)
        month = dt.date(local.year, local.month, 1)
    month = month.replace(day=1)
    page = max(1, min(page, 10_000))
    start, end = _month_bounds(month)
    rows = db.rows(_MONTH_SQL, [pa.patient.pk, start, end, AccessLog.Ground.PATIENT_SELF, PAGE + 1, (page - 1) * PAGE])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    show_name = settings.INVANARE_LOG_SHOWS_STAFF_NAME
    lines = [
        LogLine(
            logged_at=r["logged_at"],
            provider=r["provider_name"],
            unit=r["unit_name"],
            profession=str(_PROFESSIONS.get(r["profession"] or "", "")) if r["staff_id"] else "",
            staff_name=r["staff_name"] if (show_name or not r["staff_id"]) else "",
            what=action_label(r["action"]),
            ground=str(_GROUNDS.get(r["ground"], r["ground"])),
            reason=r["reason"] if r["ground"] == AccessLog.Ground.EMERGENCY else "",
            emergency=r["ground"] == AccessLog.Ground.EMERGENCY,
            by_resident=r["staff_id"] is None,
        )
        for r in rows
    ]
    older = (start - dt.timedelta(days=1)).date().replace(day=1)
    this_month = dt.date(now.astimezone(tz).year, now.astimezone(tz).month, 1)
    newer = end.date() if end.date() <= this_month else None
    return LogMonth(pa=pa, month=month, lines=lines, newer=newer, older=older, page=page, more=more)


def resident_by_id(pk: int) -> Patient | None:
    """The logged-in resident's identity (not their record): for the session only."""
    return Patient.objects.filter(pk=pk, merged_into__isnull=True).first()


# --- Bookings, messages, choices ------------------------------------------------


def booking_page(actor: ResidentActor, patient_id: int | str) -> tuple[PatientAccess, list[Any], list[Any]]:
    from tidbok.queries import resident_bookings, web_slots_for_resident

    pa = resident_access(actor, patient_id, action="invanare.bookings.read")
    return pa, resident_bookings(pa), web_slots_for_resident(pa)


def threads_for(actor: ResidentActor, patient_id: int | str) -> tuple[PatientAccess, list[Any]]:
    from invanare.models import Thread

    pa = resident_access(actor, patient_id, action="invanare.messages.read")
    return pa, list(Thread.objects.filter(patient_id=pa.patient.pk).select_related("unit").order_by("-last_at")[:100])


def thread_for(actor: ResidentActor, thread_id: int) -> tuple[PatientAccess, Any, list[Any]]:
    from invanare.models import Thread

    thread = Thread.objects.filter(pk=thread_id).select_related("unit").first()
    if thread is None:
        from vardmiljo.errors import NotFound

        raise NotFound()
    pa = resident_access(actor, thread.patient_id, action="invanare.message.read", obj=thread)
    if thread.unread_by_resident:
        Thread.objects.filter(pk=thread.pk).update(unread_by_resident=False)
    return pa, thread, list(thread.messages.all())


def choices_for(actor: ResidentActor) -> dict[str, Any]:
    """The resident's own consents, blocks and registry objection, and what they can choose from."""
    from vardmiljo.models import Block, CareProvider, CareUnit, Consent

    if actor.patient is None:  # a resident session always names its patient
        raise RuntimeError("resident session without a patient")
    pa = resident_access(actor, actor.patient.pk, action="invanare.choices.read")
    if pa.ground != AccessLog.Ground.PATIENT_SELF:
        from vardmiljo.errors import NotFound

        raise NotFound()
    now = timezone.now()
    return {
        "pa": pa,
        "consents": list(
            Consent.objects.filter(patient_id=pa.patient.pk, revoked_at__isnull=True, valid_until__gt=now)
            .select_related("provider")
            .order_by("provider__name")
        ),
        "blocks": list(
            Block.objects.filter(patient_id=pa.patient.pk, lifted_at__isnull=True)
            .select_related("provider", "unit")
            .order_by("set_at")
        ),
        "providers": list(CareProvider.objects.order_by("name")),
        "units": list(CareUnit.objects.filter(active=True).select_related("provider").order_by("provider__name", "name")),
        "objection": pa.patient.registry_objection,
    }


# --- The unit's inbox (staff) -------------------------------------------------------


def unit_inbox(actor: Any, limit: int = 100) -> list[Any]:
    """The unit's conversations with residents, newest first; the list is one access-log row
    naming every patient in it."""
    from invanare.models import Thread
    from vardmiljo.access import record_list, require_assignment

    require_assignment(actor)
    rows = list(
        Thread.objects.filter(unit_id=actor.unit_id).select_related("patient").order_by("-unread_by_unit", "-last_at")[:limit]
    )
    if rows:
        record_list(actor, "invanare.inbox.list", [t.patient_id for t in rows])
    return rows


def unit_unread_count(actor: Any) -> int:
    from invanare.models import Thread

    if actor.assignment is None or not actor.assignment.is_active():
        return 0
    return Thread.objects.filter(unit_id=actor.unit_id, unread_by_unit=True).count()


def staff_thread(actor: Any, thread_id: int) -> tuple[PatientAccess, Any, list[Any]]:
    from invanare.models import Thread
    from vardmiljo.access import patient_access
    from vardmiljo.errors import NotFound

    thread = Thread.objects.filter(pk=thread_id, unit_id=actor.unit_id or 0).select_related("unit").first()
    if thread is None:
        raise NotFound()
    pa = patient_access(actor, thread.patient_id, action="invanare.message.read", obj=thread)
    if thread.unread_by_unit:
        Thread.objects.filter(pk=thread.pk).update(unread_by_unit=False)
    return pa, thread, list(thread.messages.all())
