"""Every read of slutenvård: the ward worklist, the bed board, one stay, the beds.

Lists start from `patients_visible_to(actor)` and are recorded with one
access-log row naming every listed patient (`access.record_list`); a single
stay is read through `patient_access`. The worklist costs the same number of
queries for 2 patients as for 24 (pinned in a test).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from journal.models import Acknowledgement, Allergy, Diagnosis, Note, Observation, Procedure
from journal.queries import News2Summary, news2_latest_for
from lakemedel.models import MedicationOrderVersion
from slutenvard.models import ACTIVE_STAY, Bed, Hospital, Stay, StayEvent, Ward, WardDayFigures
from vardmiljo.access import PatientAccess, patient_access, patients_visible_to, record_list, require_assignment
from vardmiljo.actor import Actor
from vardmiljo.errors import NotFound, PermissionDenied
from vardmiljo.models import Block, CareUnit, Consent, Staff


def ward_of(actor: Actor) -> Ward | None:
    """The ward the actor works at, or None (the actor's unit is not a ward)."""
    if actor.unit_id is None:
        return None
    return Ward.objects.select_related("unit", "hospital").filter(unit_id=actor.unit_id).first()


def require_ward(actor: Actor) -> Ward:
    require_assignment(actor)
    ward = ward_of(actor)
    if ward is None:
        raise PermissionDenied(_("Ditt medarbetaruppdrag gäller inte en vårdavdelning."))
    return ward


def wards_of_provider(actor: Actor) -> list[Ward]:
    return list(Ward.objects.select_related("unit", "hospital").filter(unit__provider_id=actor.provider_id, unit__active=True))


_WARD_UNITS: tuple[float, frozenset[int]] = (0.0, frozenset())
WARD_UNITS_SECONDS = 60


def ward_unit_ids() -> frozenset[int]:
    """The units that are wards, kept in the process for a minute (and dropped when a ward
    is saved): the top bar asks on every page, and most staff do not work on a ward."""
    global _WARD_UNITS
    at, ids = _WARD_UNITS
    if time.monotonic() - at > WARD_UNITS_SECONDS:
        ids = frozenset(Ward.objects.values_list("unit_id", flat=True))
        _WARD_UNITS = (time.monotonic(), ids)
    return ids


def clear_ward_units(**_kwargs: Any) -> None:
    global _WARD_UNITS
    _WARD_UNITS = (0.0, frozenset())


def ward_patient_count(actor: Actor) -> int:
    """The top bar's count of the actor's ward's patients (a number names nobody); no
    query at all for staff who do not work on a ward."""
    if actor.unit_id is None or actor.unit_id not in ward_unit_ids():
        return 0
    return Stay.objects.filter(ward__unit_id=actor.unit_id, status__in=ACTIVE_STAY).count()


def beds_of(ward: Ward) -> list[Bed]:
    return list(Bed.objects.filter(ward=ward).order_by("order", "pk"))


def free_beds(actor: Actor, *, hospital_id: int | None = None) -> list[Bed]:
    """Free beds of the actor's provider's wards (own ward first): for admit, transfer and utlokalisering."""
    qs = Bed.objects.select_related("ward__unit").filter(state=Bed.State.FREE, ward__unit__provider_id=actor.provider_id)
    if hospital_id:
        qs = qs.filter(ward__hospital_id=hospital_id)
    beds = list(qs.order_by("ward__order", "ward_id", "order", "pk"))
    beds.sort(key=lambda b: b.ward.unit_id != actor.unit_id)
    return beds


def staff_choices(actor: Actor, profession: str) -> list[Staff]:
    """PAL/PAS candidates: staff of the profession with an assignment at the actor's unit."""
    return list(
        Staff.objects.filter(profession=profession, is_active=True, assignments__unit_id=actor.unit_id)
        .distinct()
        .order_by("last_name", "first_name")
    )


def primary_care_units(actor: Actor) -> list[CareUnit]:
    return list(CareUnit.objects.filter(active=True, ward__isnull=True).order_by("name"))


# --- one stay -------------------------------------------------------------------


def stay_for(actor: Actor, stay_id: int, *, action: str = "slutenvard.stay.read") -> tuple[Stay, PatientAccess]:
    """One stay, read by staff of the provider whose ward owns it and with access to the patient."""
    require_assignment(actor)
    stay = (
        Stay.objects.select_related(
            "ward__unit", "ward__hospital", "bed__ward__unit", "patient", "pal", "pas", "primary_care_unit"
        )
        .filter(pk=stay_id)
        .first()
    )
    if stay is None or stay.ward.unit.provider_id != actor.provider_id:
        raise NotFound()
    pa = patient_access(actor, stay.patient_id, action=action, obj=stay)
    return stay, pa


def stay_events(stay: Stay) -> list[StayEvent]:
    return list(
        StayEvent.objects.filter(stay=stay)
        .select_related("from_ward__unit", "to_ward__unit", "from_bed", "to_bed", "actor")
        .order_by("recorded_at", "pk")
    )


def current_stay_of(pa: PatientAccess) -> Stay | None:
    """The patient's active stay at a ward of the actor's provider (the overview panel)."""
    return (
        Stay.objects.select_related("ward__unit", "bed__ward__unit", "pal", "pas")
        .filter(patient_id=pa.patient_id, status__in=ACTIVE_STAY, ward__unit__provider_id=pa.actor.provider_id)
        .first()
    )


def summary_note(stay: Stay) -> Note | None:
    return Note.objects.filter(pk=stay.summary_note_id).first() if stay.summary_note_id else None


# --- the ward worklist ----------------------------------------------------------


@dataclass
class WorklistRow:
    stay: Stay
    signals: list[str] = field(default_factory=list)
    unacknowledged: int = 0
    news2: News2Summary | None = None

    @property
    def patient(self) -> Any:
        return self.stay.patient

    @property
    def days(self) -> int:
        return (timezone.localdate() - timezone.localtime(self.stay.admitted_at).date()).days

    @property
    def bed_label(self) -> str:
        bed = self.stay.bed
        if bed is None:
            return ""
        if self.stay.is_outlying:
            return f"{bed.label} ({bed.ward.short_name or bed.ward.unit.name})"
        return bed.label

    @property
    def observations_due(self) -> bool:
        return self.news2 is not None and self.news2.next_due_at <= timezone.now()

    @property
    def discharge_due(self) -> bool:
        d = self.stay.expected_discharge
        return d is not None and d <= timezone.localdate()


@dataclass
class Worklist:
    ward: Ward
    rows: list[WorklistRow]
    printed_at: dt.datetime


def _signals(actor: Actor, patient_ids: list[int]) -> dict[int, list[str]]:
    """Active attention signals (allergies, alerts) the actor may read: the own provider's,
    other providers' with the patient's consent, never a blocked unit's or provider's. One
    query for the whole list."""
    blocked = Block.objects.filter(
        Q(unit_id=OuterRef("unit_id")) | Q(unit__isnull=True, provider_id=OuterRef("unit__provider_id")),
        patient_id=OuterRef("patient_id"),
        lifted_at__isnull=True,
    ).exclude(unit_id=actor.unit_id)
    # Another provider's signals need the patient's consent (sammanhållen journalföring).
    consent = Consent.objects.filter(
        patient_id=OuterRef("patient_id"), provider_id=actor.provider_id, revoked_at__isnull=True, valid_until__gt=timezone.now()
    )
    rows = (
        Allergy.objects.filter(patient_id__in=patient_ids, active=True)
        .filter(Q(unit__provider_id=actor.provider_id) | Exists(consent))
        .filter(~Exists(blocked))
        .order_by("kind", "substance")
        .values_list("patient_id", "kind", "substance")
    )
    out: dict[int, list[str]] = defaultdict(list)
    labels = dict(Allergy.Kind.choices)
    for pid, kind, substance in rows:
        out[pid].append(f"{labels.get(kind, kind)}: {substance}")
    return out


def _visible_of_ward(actor: Actor, ward: Ward) -> Any:
    """patients_visible_to(actor), narrowed first to the ward's own patients: the planner
    then checks the grounds for two dozen patients instead of every patient of the region."""
    return patients_visible_to(actor).filter(pk__in=Stay.objects.filter(ward=ward, status__in=ACTIVE_STAY).values("patient_id"))


def worklist_for(actor: Actor) -> Worklist:
    """Patientlistan: one row per patient of the actor's ward, in bed order (own beds,
    then beds on other wards, then those waiting for a bed)."""
    ward = require_ward(actor)
    stays = list(
        Stay.objects.filter(ward=ward, status__in=ACTIVE_STAY, patient__in=_visible_of_ward(actor, ward))
        .select_related("patient", "bed__ward__unit", "pal", "pas")
        .defer("patient__address")  # encrypted, and never shown in a list
        .order_by("pk")
    )

    def key(s: Stay) -> tuple[int, int, int]:
        if s.bed is None:
            return (2, 0, s.pk)
        return (0 if s.bed.ward_id == ward.pk else 1, s.bed.order, s.bed.pk)

    stays.sort(key=key)
    ids = [s.patient_id for s in stays]
    rows = [WorklistRow(stay=s) for s in stays]
    if ids:
        signals = _signals(actor, ids)
        acks = dict(
            Acknowledgement.objects.filter(patient_id__in=ids, unit_id=ward.unit_id, acknowledged_at__isnull=True)
            .values("patient_id")
            .annotate(n=Count("pk"))
            .values_list("patient_id", "n")
        )
        # Patients already narrowed by patients_visible_to (and logged below): NEWS2 in one query.
        news2 = news2_latest_for(ids)
        for r in rows:
            r.signals = signals.get(r.stay.patient_id, [])
            r.unacknowledged = acks.get(r.stay.patient_id, 0)
            r.news2 = news2.get(r.stay.patient_id)
    record_list(actor, "slutenvard.worklist.list", ids, obj=ward)
    return Worklist(ward=ward, rows=rows, printed_at=timezone.now())


# --- the bed board --------------------------------------------------------------


@dataclass
class WardFigures:
    ward: Ward
    beds: int = 0  # available beds (not extra, not closed)
    free: int = 0
    occupied: int = 0
    cleaning: int = 0
    closed: int = 0
    patients: int = 0  # the ward's own admitted patients
    over_occupancy: int = 0  # patients in the ward's extra beds
    outlying: int = 0  # the ward's patients in other wards' beds
    waiting: int = 0  # the ward's patients waiting for a bed
    expected_discharges: int = 0  # expected discharge today or earlier
    history: list[WardDayFigures] = field(default_factory=list)


@dataclass
class BedBoard:
    hospital: Hospital
    hospitals: list[Hospital]
    day: dt.date
    wards: list[WardFigures]
    totals: WardFigures
    own_ward: Ward | None
    waiting_patients: list[Stay]
    discharges_today: list[Stay]


def hospitals_for(actor: Actor) -> list[Hospital]:
    require_assignment(actor)
    return list(Hospital.objects.filter(provider_id=actor.provider_id).order_by("name"))


def ward_figures(hospital: Hospital, day: dt.date) -> list[WardFigures]:
    """Live figures of every ward of the hospital: two grouped queries, whatever the size."""
    wards = list(Ward.objects.select_related("unit").filter(hospital=hospital, unit__active=True).order_by("order", "pk"))
    figs = {w.pk: WardFigures(ward=w) for w in wards}
    bed_rows = (
        Bed.objects.filter(ward__hospital=hospital)
        .values("ward_id", "state", "extra")
        .annotate(n=Count("pk"))
        .values_list("ward_id", "state", "extra", "n")
    )
    for ward_id, state, extra, n in bed_rows:
        f = figs.get(ward_id)
        if f is None:
            continue
        if extra:
            if state == Bed.State.OCCUPIED:
                f.over_occupancy += n
                f.occupied += n
            continue
        if state == Bed.State.FREE:
            f.free += n
        elif state == Bed.State.OCCUPIED:
            f.occupied += n
        elif state == Bed.State.CLEANING:
            f.cleaning += n
        else:
            f.closed += n
        if state != Bed.State.CLOSED:
            f.beds += n
    stay_rows = (
        Stay.objects.filter(ward__hospital=hospital, status__in=ACTIVE_STAY)
        .values("ward_id")
        .annotate(
            n=Count("pk"),
            waiting=Count("pk", filter=Q(bed__isnull=True)),
            outlying=Count("pk", filter=Q(bed__isnull=False) & ~Q(bed__ward_id=F("ward_id"))),
            due=Count("pk", filter=Q(expected_discharge__lte=day)),
        )
        .values_list("ward_id", "n", "waiting", "outlying", "due")
    )
    for ward_id, n, waiting, outlying, due in stay_rows:
        f = figs[ward_id]
        f.patients, f.waiting, f.outlying, f.expected_discharges = n, waiting, outlying, due
    return [figs[w.pk] for w in wards]


def bed_board(actor: Actor, *, hospital_id: int | None = None, day: dt.date | None = None, history_days: int = 7) -> BedBoard:
    """Beläggning for one hospital of the actor's provider. Figures are counts; the only
    names shown are the actor's own ward's patients waiting for a bed or due to go home,
    and that list is recorded as a read of each of them."""
    hospitals = hospitals_for(actor)
    hospital = next((h for h in hospitals if h.pk == hospital_id), None) if hospital_id else (hospitals[0] if hospitals else None)
    if hospital is None:
        raise NotFound()
    day = day or timezone.localdate()
    wards = ward_figures(hospital, day)
    since = day - dt.timedelta(days=history_days)
    hist: dict[int, list[WardDayFigures]] = defaultdict(list)
    for h in WardDayFigures.objects.filter(ward__hospital=hospital, day__gte=since, day__lte=day).order_by("day"):
        hist[h.ward_id].append(h)
    totals = WardFigures(ward=wards[0].ward if wards else Ward())
    for f in wards:
        f.history = hist.get(f.ward.pk, [])
        for name in (
            "beds",
            "free",
            "occupied",
            "cleaning",
            "closed",
            "patients",
            "over_occupancy",
            "outlying",
            "waiting",
            "expected_discharges",
        ):
            setattr(totals, name, getattr(totals, name) + getattr(f, name))
    own = ward_of(actor)
    waiting: list[Stay] = []
    due: list[Stay] = []
    if own is not None and own.hospital_id == hospital.pk:
        named = list(
            Stay.objects.filter(ward=own, status__in=ACTIVE_STAY, patient__in=_visible_of_ward(actor, own))
            .filter(Q(bed__isnull=True) | Q(expected_discharge__lte=day))
            .select_related("patient", "bed")
            .order_by("admitted_at")
        )
        waiting = [s for s in named if s.bed_id is None]
        due = [s for s in named if s.expected_discharge is not None and s.expected_discharge <= day]
        record_list(actor, "slutenvard.bed_board.list", [s.patient_id for s in named], obj=hospital)
    return BedBoard(
        hospital=hospital,
        hospitals=hospitals,
        day=day,
        wards=wards,
        totals=totals,
        own_ward=own,
        waiting_patients=waiting,
        discharges_today=due,
    )


# --- the discharge summary's content ----------------------------------------------


def summary_content(pa: PatientAccess, stay: Stay) -> dict[str, str]:
    """The parts of the epikris the system can draft from the stay (readable rows only)."""
    start, end = stay.admitted_at, stay.discharged_at or timezone.now()
    units = {stay.ward.unit_id} | set(
        StayEvent.objects.filter(stay=stay, from_ward__isnull=False).values_list("from_ward__unit_id", flat=True)
    )
    diagnoses = pa.filter(Diagnosis.objects.filter(entered_in_error=False)).filter(
        Q(encounter_id=stay.encounter_id) | Q(unit_id__in=units, recorded_at__gte=start, recorded_at__lte=end)
    )
    procedures = pa.filter(Procedure.objects.filter(entered_in_error=False)).filter(
        Q(encounter_id=stay.encounter_id) | Q(unit_id__in=units, performed_at__gte=start, performed_at__lte=end)
    )
    results = pa.filter(Observation.objects.filter(entered_in_error=False, observed_at__gte=start, observed_at__lte=end))
    latest: dict[str, Observation] = {}
    for o in results.order_by("kind", "-observed_at")[:200]:
        latest.setdefault(o.kind, o)
    changes = (
        pa.filter(MedicationOrderVersion.objects.filter(changed_at__gte=start, changed_at__lte=end))
        .select_related("product")
        .order_by("changed_at")[:100]
    )
    dx = [f"{d.code} {d.code_text} ({d.get_kind_display().lower()})" for d in diagnoses.order_by("kind", "recorded_at")[:50]]
    px = [
        f"{p.code} {p.code_text} {timezone.localtime(p.performed_at):%Y-%m-%d}" for p in procedures.order_by("performed_at")[:50]
    ]
    res = [f"{o.get_kind_display()}: {o.display} ({timezone.localtime(o.observed_at):%Y-%m-%d})" for o in latest.values()]
    meds = [f"{v.get_kind_display()}: {v.product} – {v.dosage_text}. {v.reason}".strip(" .") for v in changes]
    return {
        "Orsak till inskrivning": stay.reason,
        "Diagnoser": "\n".join(dx),
        "Åtgärder": "\n".join(px),
        "Resultat": "\n".join(res),
        "Läkemedelsförändringar": "\n".join(meds),
    }


def patient_by_identifier(actor: Actor, raw: str) -> Any:
    """The patient to admit, by complete personnummer (an identity lookup, logged by the
    access module); the admission service decides the rest."""
    from django.core.exceptions import ValidationError

    from vardmiljo.access import identify_patient
    from vardmiljo.errors import DomainError
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


def patient_for_admission(actor: Actor, patient_id: int) -> Any:
    """The patient named in the admission link (from the overview): only one the actor
    may already read; absent and not allowed answer the same."""
    return patient_access(actor, patient_id, action="slutenvard.admit.open").patient


def signed_summary(pa: PatientAccess, stay: Stay) -> Note:
    """The stay's signed discharge summary, read through the access decision."""
    note = pa.filter(Note.objects.filter(pk=stay.summary_note_id or 0, status=Note.Status.SIGNED)).first()
    if note is None:
        raise NotFound()
    return note


# --- Downtime bundles (driftstopp): a system disclosure to the ward of its own patients ---------


def downtime_ward_patients(unit: CareUnit) -> list[Any]:
    """The ward's patients in bed order with bed, stay, PAL/PAS, NEWS2 and plan, for the
    ward's downtime bundle (the caller keeps only patients of the unit and records it)."""
    from vardmiljo.registry import DowntimeTable

    ward = Ward.objects.filter(unit=unit).first()
    if ward is None:
        return []
    stays = list(
        Stay.objects.filter(ward=ward, status__in=ACTIVE_STAY)
        .select_related("patient", "bed__ward__unit", "pal", "pas")
        .defer("patient__address")
    )
    stays.sort(key=lambda s: (2, 0, s.pk) if s.bed is None else (0 if s.bed.ward_id == ward.pk else 1, s.bed.order, s.bed.pk))
    news2 = news2_latest_for([s.patient_id for s in stays])
    now = timezone.now()
    rows = []
    for s in stays:
        p, n = s.patient, news2.get(s.patient_id)
        bed = (
            ""
            if s.bed is None
            else f"{s.bed.room}:{s.bed.label}"
            + ("" if s.bed.ward_id == ward.pk else f" ({s.bed.ward.short_name or s.bed.ward.unit.name})")
        )
        rows.append(
            [
                bed or _("väntar på säng"),
                p.full_name,
                p.display_identifier,
                str(p.age or ""),
                f"{timezone.localtime(s.admitted_at):%Y-%m-%d} ({(now - s.admitted_at).days} d)",
                " / ".join(str(x) for x in (s.pal, s.pas) if x),
                "" if n is None else f"{n.score}{' !' if n.escalate else ''} ({timezone.localtime(n.taken_at):%d/%m %H:%M})",
                f"{s.expected_discharge:%Y-%m-%d}" if s.expected_discharge else "",
                s.plan,
            ]
        )
    columns = [
        _("Säng"),
        _("Patient"),
        _("Personnummer"),
        _("Ålder"),
        _("Inskriven"),
        _("PAL / PAS"),
        _("NEWS2"),
        _("Beräknad utskrivning"),
        _("Plan"),
    ]
    return [
        DowntimeTable(title=_("Inneliggande patienter"), columns=columns, rows=rows, patient_ids=[s.patient_id for s in stays])
    ]
