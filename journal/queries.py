"""Every read of the record. Patient data is read through `patient_access()`
(which logs the read) and narrowed with `pa.filter()`; lists are bounded."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import Lead, RowNumber

from journal import codes, sql
from journal.models import (
    Acknowledgement,
    Allergy,
    CarePlanItem,
    Diagnosis,
    Encounter,
    Note,
    NoteTemplate,
    NoteVersion,
    Observation,
    Procedure,
    RiskAssessment,
    VitalSigns,
)
from vardmiljo import audit, db
from vardmiljo.access import PatientAccess, patient_access, patients_visible_to, record_list
from vardmiljo.actor import Actor
from vardmiljo.errors import NotFound
from vardmiljo.models import CareUnit
from vardmiljo.queries import RowFilter, page_rows

PANEL_NOTES = 5
PANEL_DIAGNOSES = 8
EXCERPT_CHARS = 140
TIMELINE_PAGE = 50
WORKLIST_LIMIT = 200


def access(actor: Actor, patient_id: int | str, action: str) -> PatientAccess:
    return patient_access(actor, patient_id, action=action)


# --- Templates and codes (no patient data) --------------------------------


def templates_for(actor: Actor) -> list[NoteTemplate]:
    prof = actor.staff.profession
    return list(
        NoteTemplate.objects.filter(active=True)
        .filter(Q(profession="") | Q(profession=prof))
        .filter(Q(unit__isnull=True) | Q(unit_id=actor.unit_id))
        .prefetch_related("headings")
        .order_by("order", "name")
    )


# Templates change rarely (Django admin) and are read on every overview: keep the
# picker rows in process memory for a minute; a save in this process clears it.
_TEMPLATE_CACHE: dict[tuple[str, int | None], tuple[float, list[tuple[int, str, bool]]]] = {}
TEMPLATE_CACHE_SECONDS = 60.0


def clear_template_cache(**_kwargs: Any) -> None:
    _TEMPLATE_CACHE.clear()


def template_choices(actor: Actor) -> list[tuple[int, str, bool]]:
    """(id, name, is_default) for the template picker; the profession's own template first."""
    prof = actor.staff.profession
    key = (prof, actor.unit_id)
    hit = _TEMPLATE_CACHE.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    rows = list(
        NoteTemplate.objects.filter(active=True)
        .filter(Q(profession="") | Q(profession=prof))
        .filter(Q(unit__isnull=True) | Q(unit_id=actor.unit_id))
        .order_by("order", "name")
        .values_list("pk", "name", "profession")
    )
    rows.sort(key=lambda r: (r[2] != prof,))
    out = [(pk, name, i == 0) for i, (pk, name, _p) in enumerate(rows)]
    _TEMPLATE_CACHE[key] = (time.monotonic() + TEMPLATE_CACHE_SECONDS, out)
    return out


def code_search(system: str, q: str, limit: int = 10) -> list[Any]:
    if system not in codes.MODELS:
        return []
    return list(codes.search(system, q, limit))


# --- Notes ----------------------------------------------------------------


def note_for(actor: Actor, note_id: int, *, action: str = "journal.note.read") -> tuple[Note, PatientAccess]:
    note = (
        Note.objects.filter(pk=note_id)
        .defer("search")
        .select_related("unit", "author", "signed_by", "error_by", "template")
        .first()
    )
    if note is None:
        raise NotFound()
    # The access check decides (and logs) before anything of the note is returned.
    pa = patient_access(actor, note.patient_id, action=action, obj=note_id)
    if not pa.may_read_unit(note.unit):
        raise NotFound()
    if note.status == Note.Status.DRAFT and note.author_id != actor.staff.pk:
        raise NotFound()  # someone else's draft is not part of the record yet
    return note, pa


def note_versions(note: Note) -> list[NoteVersion]:
    return list(note.versions.select_related("signed_by").order_by("-version_no"))


def note_codes(pa: PatientAccess, note: Note) -> tuple[list[Diagnosis], list[Procedure]]:
    dx = list(pa.filter(Diagnosis.objects.filter(note=note, entered_in_error=False)).order_by("recorded_at"))
    pr = list(pa.filter(Procedure.objects.filter(note=note, entered_in_error=False)).order_by("performed_at"))
    return dx, pr


def _notes(pa: PatientAccess) -> QuerySet[Note]:
    qs = pa.filter(Note.objects.all())
    # Someone else's draft is not part of the record yet.
    return qs.filter(~Q(status=Note.Status.DRAFT) | Q(author_id=pa.actor.staff.pk if pa.actor.staff else 0))


def latest_notes(pa: PatientAccess, n: int = PANEL_NOTES) -> list[dict[str, Any]]:
    """The overview's latest notes as rows of what the panel shows, the actor's own
    unsigned drafts of this patient first. Someone else's draft is not part of the record yet."""
    cond, params = pa.sql(Note, "n")
    me = pa.actor.staff.pk if pa.actor.staff else 0  # a resident (no staff) has no drafts
    return db.rows(
        f"""SELECT n.id, n.status, n.event_at, n.note_type, n.author_id, n.author_name, n.entered_in_error,
                   u.name AS unit_name, left(n.text, %s) AS excerpt
            FROM {Note._meta.db_table} n JOIN {CareUnit._meta.db_table} u ON u.id = n.unit_id
            WHERE {cond} AND (n.status <> %s OR n.author_id = %s)
            ORDER BY (n.status = %s AND n.author_id = %s) DESC, n.event_at DESC, n.id DESC
            LIMIT %s""",
        [EXCERPT_CHARS + 1, *params, Note.Status.DRAFT, me, Note.Status.DRAFT, me, n],
    )


@dataclass
class TimelineFilter:
    unit: int | None = None
    profession: str = ""
    note_type: str = ""
    keyword: str = ""
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1

    @property
    def active(self) -> bool:
        return any([self.unit, self.profession, self.note_type, self.keyword, self.q, self.date_from, self.date_to])


@dataclass
class Timeline:
    pa: PatientAccess
    filters: TimelineFilter
    notes: list[Note]
    has_next: bool
    diagnoses: dict[int, list[Diagnosis]] = field(default_factory=dict)
    # Notes, and (without note-only filters) the diagnoses, procedures and measurements
    # of the same period, newest first: [(time, "note"|"dx"|"proc"|"obs", row), ...]
    events: list[tuple[dt.datetime, str, Any]] = field(default_factory=list)


def filter_notes(qs: QuerySet[Note], f: TimelineFilter) -> QuerySet[Note]:
    if f.unit:
        qs = qs.filter(unit_id=f.unit)
    if f.profession:
        qs = qs.filter(author_profession=f.profession)
    if f.note_type:
        qs = qs.filter(note_type=f.note_type)
    if f.keyword:
        qs = qs.filter(headings__contains=[{"heading": f.keyword}])
    if f.date_from:
        qs = qs.filter(event_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(event_at__date__lte=f.date_to)
    if f.q:
        qs = qs.filter(search=SearchQuery(f.q, config="swedish", search_type="websearch"))
    return qs


def timeline(actor: Actor, patient_id: int, f: TimelineFilter) -> Timeline:
    """The whole record, newest first, one page at a time; with full-text search (Swedish stemming)."""
    pa = patient_access(actor, patient_id, action="journal.search" if f.q else "journal.timeline", obj=None)
    qs = (
        filter_notes(_notes(pa), f)
        .select_related("unit", "author", "signed_by")
        .defer("search", "text")
        .order_by("-event_at", "-pk")
    )
    start = (max(f.page, 1) - 1) * TIMELINE_PAGE
    rows = list(qs[start : start + TIMELINE_PAGE + 1])
    notes = rows[:TIMELINE_PAGE]
    by_note: dict[int, list[Diagnosis]] = defaultdict(list)
    if notes:
        for dx in pa.filter(Diagnosis.objects.filter(note_id__in=[n.pk for n in notes], entered_in_error=False)):
            by_note[dx.note_id or 0].append(dx)
    for n in notes:
        n.dx_list = by_note.get(n.pk, [])  # type: ignore[attr-defined]
    has_next = len(rows) > TIMELINE_PAGE
    events: list[tuple[dt.datetime, str, Any]] = [(n.event_at, "note", n) for n in notes]
    if not (f.profession or f.note_type or f.keyword or f.q):
        events += _other_events(
            pa,
            f,
            newest=notes[0].event_at if notes and f.page > 1 else None,
            oldest=notes[-1].event_at if notes and has_next else None,
        )
        events.sort(key=lambda e: e[0], reverse=True)
    return Timeline(pa=pa, filters=f, notes=notes, has_next=has_next, diagnoses=dict(by_note), events=events)


def _other_events(
    pa: PatientAccess, f: TimelineFilter, *, newest: dt.datetime | None, oldest: dt.datetime | None
) -> list[tuple[dt.datetime, str, Any]]:
    """Diagnoses (not already shown under their note), procedures and measurements in the
    period the page of notes covers; bounded like the notes."""
    out: list[tuple[dt.datetime, str, Any]] = []
    for model, kind, at in (
        (Diagnosis, "dx", "recorded_at"),
        (Procedure, "proc", "performed_at"),
        (Observation, "obs", "observed_at"),
    ):
        qs = pa.filter(model.objects.all())
        if model is not Observation:
            qs = qs.filter(note__isnull=True)
        if f.unit:
            qs = qs.filter(unit_id=f.unit)
        if f.date_from:
            qs = qs.filter(**{f"{at}__date__gte": f.date_from})
        if f.date_to:
            qs = qs.filter(**{f"{at}__date__lte": f.date_to})
        if newest is not None:
            qs = qs.filter(**{f"{at}__lt": newest})
        if oldest is not None:
            qs = qs.filter(**{f"{at}__gte": oldest})
        out += [(getattr(r, at), kind, r) for r in qs.select_related("unit").order_by(f"-{at}")[:TIMELINE_PAGE]]
    return out


def timeline_facets(pa: PatientAccess) -> tuple[list[CareUnit], list[str]]:
    """Units and note types present in this patient's readable record, for the filter menus."""
    rows = list(pa.filter(Note.objects.all()).order_by().values_list("unit_id", "unit__name", "note_type").distinct())
    units = sorted({(name, pk) for pk, name, _t in rows})
    return [CareUnit(pk=pk, name=name) for name, pk in units], sorted({t for _u, _n, t in rows})


def unsigned_for(actor: Actor) -> list[Note]:
    """The author's unsigned notes (at the current unit); listing them is logged once."""
    if actor.assignment is None:
        return []
    rows = list(
        Note.objects.filter(
            author_id=actor.staff.pk,
            unit_id=actor.unit_id,
            status=Note.Status.DRAFT,
            entered_in_error=False,
            patient__in=patients_visible_to(actor),
        )
        .select_related("patient")
        .defer("search", "text", "headings")
        .order_by("created_at")[:WORKLIST_LIMIT]
    )
    record_list(actor, "journal.unsigned.list", [n.patient_id for n in rows], detail={"notes": [n.pk for n in rows]})
    return rows


def _unsigned_qs(actor: Actor) -> QuerySet[Note]:
    return Note.objects.filter(author_id=actor.staff.pk, unit_id=actor.unit_id, status=Note.Status.DRAFT, entered_in_error=False)


def unsigned_count(actor: Actor) -> int:
    if actor.assignment is None:
        return 0
    return _unsigned_qs(actor).count()


def worklist_counts(actor: Actor) -> tuple[int, int]:
    """(unsigned notes, items to acknowledge) in one round trip: the top bar shows both on every page."""
    if actor.assignment is None:
        return 0, 0
    a_sql, a_params = _unsigned_qs(actor).order_by().values("pk").query.get_compiler("default").as_sql()
    b_sql, b_params = _open_acks(actor).order_by().values("pk").query.get_compiler("default").as_sql()
    with connection.cursor() as cur:
        cur.execute(f"SELECT (SELECT count(*) FROM ({a_sql}) a), (SELECT count(*) FROM ({b_sql}) b)", [*a_params, *b_params])
        row = cur.fetchone()
    return int(row[0]), int(row[1])


def print_selection(
    actor: Actor,
    patient_id: int,
    f: TimelineFilter,
    *,
    note_ids: list[int] | None = None,
    include_codes: bool = True,
    limit: int = 500,
) -> dict[str, Any]:
    """What goes into the patient's copy; the read is logged as a print (journal.print)."""
    pa = patient_access(actor, patient_id, action="journal.print")
    qs = filter_notes(_notes(pa).exclude(status=Note.Status.DRAFT), f)
    if note_ids:
        qs = qs.filter(pk__in=note_ids)
    notes = list(qs.select_related("unit").defer("search").order_by("event_at", "pk")[:limit])
    out: dict[str, Any] = {"pa": pa, "notes": notes}
    if include_codes:
        out["diagnoses"] = active_diagnoses(pa, n=100)
        out["allergies"] = active_allergies(pa)
        out["observations"] = latest_observations(pa)
    audit.record(actor, "journal.print", patient=pa, detail={"notes": [n.pk for n in notes]})
    return out


# --- Coded data, measurements, alerts -------------------------------------


def panel_diagnoses(pa: PatientAccess, n: int = PANEL_DIAGNOSES) -> list[dict[str, Any]]:
    """The overview's active diagnoses: code, text and date only, each code once (the latest
    recording: a chronic diagnosis is coded again on every visit note)."""
    cond, params = pa.sql(Diagnosis, "d")
    return db.rows(
        f"""SELECT code, code_text, recorded_at FROM (
                SELECT DISTINCT ON (d.code) d.code, d.code_text, d.recorded_at FROM {Diagnosis._meta.db_table} d
                WHERE {cond} AND d.status = %s AND NOT d.entered_in_error
                ORDER BY d.code, d.recorded_at DESC
            ) latest ORDER BY recorded_at DESC LIMIT %s""",
        [*params, Diagnosis.Status.ACTIVE, n],
    )


def active_diagnoses(pa: PatientAccess, n: int = PANEL_DIAGNOSES) -> list[Diagnosis]:
    """Active diagnoses, each code once (its latest recording), newest first."""
    latest = list(
        pa.filter(Diagnosis.objects.filter(status=Diagnosis.Status.ACTIVE, entered_in_error=False))
        .order_by("code", "-recorded_at")
        .distinct("code")
    )
    return sorted(latest, key=lambda d: d.recorded_at, reverse=True)[:n]


def diagnoses_all(pa: PatientAccess, limit: int = 500) -> list[Diagnosis]:
    return list(pa.filter(Diagnosis.objects.all()).select_related("unit").order_by("-recorded_at")[:limit])


def procedures_all(pa: PatientAccess, limit: int = 500) -> list[Procedure]:
    return list(pa.filter(Procedure.objects.all()).select_related("unit").order_by("-performed_at")[:limit])


def latest_observations(pa: PatientAccess) -> list[Observation]:
    """The latest value of each kind: one indexed query (DISTINCT ON kind)."""
    rows = list(
        pa.filter(Observation.objects.filter(entered_in_error=False)).order_by("kind", "-observed_at", "-pk").distinct("kind")
    )
    order = {k: i for i, k in enumerate(Observation.Kind.values)}
    return sorted(rows, key=lambda o: order.get(o.kind, 99))


def panel_observations(pa: PatientAccess) -> list[Observation]:
    """latest_observations() for the overview: the same rows, read in SQL."""
    cond, params = pa.sql(Observation, "o")
    latest = db.rows(
        f"""SELECT DISTINCT ON (o.kind) o.id, o.kind, o.value, o.value2, o.value_text, o.unit_text, o.observed_at
            FROM {Observation._meta.db_table} o
            WHERE {cond} AND NOT o.entered_in_error
            ORDER BY o.kind, o.observed_at DESC, o.id DESC""",
        params,
    )
    order = {k: i for i, k in enumerate(Observation.Kind.values)}
    return sorted((Observation(**r) for r in latest), key=lambda o: order.get(o.kind, 99))


def observations_all(pa: PatientAccess, kind: str = "", limit: int = 300) -> list[Observation]:
    qs = pa.filter(Observation.objects.all())
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.select_related("unit").order_by("-observed_at", "-pk")[:limit])


def alert_rows(pa: PatientAccess) -> list[dict[str, Any]]:
    """The attention signal's rows: kind, substance, ATC code and severity of active allergies and alerts."""
    cond, params = pa.sql(Allergy, "a")
    return db.rows(
        f"""SELECT a.kind, a.substance, a.atc_code, a.severity FROM {Allergy._meta.db_table} a
            WHERE {cond} AND a.active ORDER BY a.kind, a.substance""",
        params,
    )


def active_allergies(pa: PatientAccess) -> list[Allergy]:
    """Active allergies and alerts (objects with .substance, .atc_code, .severity, .kind);
    the medication module checks orders against the ATC codes."""
    return list(pa.filter(Allergy.objects.filter(active=True)).order_by("kind", "substance"))


def allergies_all(pa: PatientAccess) -> list[Allergy]:
    return list(pa.filter(Allergy.objects.all()).select_related("unit").order_by("-active", "substance"))


# --- Acknowledgement ------------------------------------------------------


def _open_acks(actor: Actor) -> QuerySet[Acknowledgement]:
    return Acknowledgement.objects.filter(
        Q(responsible_id=actor.staff.pk) | Q(responsible__isnull=True),
        unit_id=actor.unit_id,
        acknowledged_at__isnull=True,
    )


def acknowledgements_open(actor: Actor) -> list[Acknowledgement]:
    if actor.assignment is None:
        return []
    rows = list(
        _open_acks(actor)
        .filter(patient__in=patients_visible_to(actor))
        .select_related("patient")
        .order_by("created_at")[:WORKLIST_LIMIT]
    )
    record_list(actor, "journal.acknowledgement.list", [a.patient_id for a in rows], detail={"items": [a.pk for a in rows]})
    return rows


def acknowledgements_count(actor: Actor) -> int:
    if actor.assignment is None:
        return 0
    return _open_acks(actor).count()


# --- Downtime bundles (driftstopp): a system disclosure to a unit -----------------------------

DOWNTIME_NOTES_PER_PATIENT = 3
DOWNTIME_EXCERPT = 400


def downtime_alerts(unit: CareUnit, patient_ids: list[int]) -> dict[int, list[str]]:
    """Each listed patient's active attention signals that the unit may read."""
    from vardmiljo.access import unit_disclosure_filter

    qs = unit_disclosure_filter(Allergy.objects.filter(patient_id__in=patient_ids, active=True), unit).order_by(
        "patient_id", "kind", "substance"
    )
    out: dict[int, list[str]] = defaultdict(list)
    for a in qs:
        out[a.patient_id].append(f"{a.get_kind_display()}: {a.substance} ({a.get_severity_display()})")
    return out


def downtime_latest_notes(unit: CareUnit, patient_ids: list[int]) -> dict[int, list[str]]:
    """Each listed patient's latest signed notes that the unit may read, as short excerpts."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber
    from django.utils import timezone

    from vardmiljo.access import unit_disclosure_filter

    ranked = (
        unit_disclosure_filter(
            Note.objects.filter(patient_id__in=patient_ids, status=Note.Status.SIGNED, entered_in_error=False), unit
        )
        .annotate(rank=Window(RowNumber(), partition_by=[F("patient_id")], order_by=F("event_at").desc()))
        .filter(rank__lte=DOWNTIME_NOTES_PER_PATIENT)
        .values("patient_id", "event_at", "note_type", "author_name", "text", "rank")
        .order_by("patient_id", "rank")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for n in ranked:
        text = " ".join(n["text"].split())
        if len(text) > DOWNTIME_EXCERPT:
            text = text[:DOWNTIME_EXCERPT] + " …"
        when = timezone.localtime(n["event_at"])
        out[n["patient_id"]].append(f"{when:%Y-%m-%d %H:%M} {n['note_type']}, {n['author_name']}: {text}")
    return out


# --- Vital signs and NEWS2 ------------------------------------------------


@dataclass(frozen=True)
class News2Summary:
    """The latest NEWS2 of a patient. `trend` compares it with the set before:
    "up", "down", "same", or "" when there is no earlier set. `risk` is
    low / low_medium / medium / high (journal.news2.Risk)."""

    score: int
    trend: str
    taken_at: dt.datetime
    next_due_at: dt.datetime
    escalate: bool
    risk: str


def _latest_news2(qs: QuerySet[VitalSigns]) -> dict[int, News2Summary]:
    # One statement whatever the number of patients: the newest set per patient and,
    # beside it, the score of the set before (for the trend).
    order = [F("observed_at").desc(), F("id").desc()]
    rows = (
        qs.filter(entered_in_error=False)
        .annotate(
            _rn=Window(RowNumber(), partition_by=[F("patient_id")], order_by=order),
            _prev=Window(Lead("news2_score"), partition_by=[F("patient_id")], order_by=order),
        )
        .filter(_rn=1)
        .values_list("patient_id", "news2_score", "_prev", "observed_at", "next_due_at", "news2_escalate", "news2_risk")
    )
    out: dict[int, News2Summary] = {}
    for patient_id, score, prev, taken_at, due, escalate, risk in rows:
        out[patient_id] = News2Summary(
            score=score, trend=_trend(score, prev), taken_at=taken_at, next_due_at=due, escalate=escalate, risk=risk
        )
    return out


def news2_latest_for(patient_ids: Iterable[int]) -> dict[int, News2Summary]:
    """The latest NEWS2 of each patient (patients without a set are absent), in one query
    whatever the number of patients: for the ward worklist and the bed board.

    No access check and no access-log row here: the caller has already decided which
    patients the actor may see (e.g. the ward's own patients, through the access module)
    and logged that list. Do not pass ids the actor has no access to."""
    ids = sorted({int(p) for p in patient_ids})
    if not ids:
        return {}
    # The SQL form of _latest_news2() (journal/sql.py: bounded per patient, measured).
    out: dict[int, News2Summary] = {}
    rows = sql.latest_news2_rows(ids)
    for i, r in enumerate(rows):
        pid = r["patient_id"]
        if pid in out:
            continue  # the earlier set: read as the trend of the newest, below
        nxt = rows[i + 1] if i + 1 < len(rows) and rows[i + 1]["patient_id"] == pid else None
        prev, score = (nxt["news2_score"] if nxt else None), r["news2_score"]
        out[pid] = News2Summary(
            score=score,
            trend=_trend(score, prev),
            taken_at=r["observed_at"],
            next_due_at=r["next_due_at"],
            escalate=r["news2_escalate"],
            risk=r["news2_risk"],
        )
    return out


def _trend(score: int, prev: int | None) -> str:
    return "" if prev is None else "up" if score > prev else "down" if score < prev else "same"


def news2_latest(pa: PatientAccess) -> News2Summary | None:
    """The latest NEWS2 of the patient, among the sets this access may read: the two newest
    sets only (bounded, as a panel must be)."""
    last_two = list(
        pa.filter(VitalSigns.objects.filter(entered_in_error=False))
        .order_by("-observed_at", "-pk")
        .values_list("news2_score", "observed_at", "next_due_at", "news2_escalate", "news2_risk")[:2]
    )
    if not last_two:
        return None
    score, taken_at, due, escalate, risk = last_two[0]
    prev = last_two[1][0] if len(last_two) > 1 else None
    return News2Summary(score=score, trend=_trend(score, prev), taken_at=taken_at, next_due_at=due, escalate=escalate, risk=risk)


def vital_signs_for(pa: PatientAccess, *, since: dt.datetime | None = None, limit: int = 200) -> list[VitalSigns]:
    """The patient's sets, newest first (the chart draws the non-erroneous ones)."""
    qs = pa.filter(VitalSigns.objects.all())
    if since is not None:
        qs = qs.filter(observed_at__gte=since)
    return list(qs.select_related("unit").order_by("-observed_at", "-pk")[:limit])


def last_spo2_scale(pa: PatientAccess) -> int:
    """The SpO2 scale of the patient's latest set: the form starts from it (scale 2 is a
    clinician's decision for the stay, not to be chosen again on every set)."""
    scale = (
        pa.filter(VitalSigns.objects.filter(entered_in_error=False))
        .order_by("-observed_at")
        .values_list("spo2_scale", flat=True)
        .first()
    )
    return scale or 1


def risk_assessments_for(pa: PatientAccess, limit: int = 100) -> list[RiskAssessment]:
    return list(pa.filter(RiskAssessment.objects.all()).select_related("unit").order_by("-assessed_at", "-pk")[:limit])


def care_plan_for(pa: PatientAccess, limit: int = 200) -> list[CarePlanItem]:
    """Active rows first (by keyword), then closed ones, newest first."""
    return list(pa.filter(CarePlanItem.objects.all()).select_related("unit").order_by("status", "keyword", "-created_at")[:limit])


# --- Reads for other channels (the FHIR API) --------------------------------

# What another system may read of the record, by kind: the model and its date and code fields.
RECORD_ROWS: dict[str, tuple[Any, str, str]] = {
    "observation": (Observation, "observed_at", "kind"),
    "diagnosis": (Diagnosis, "recorded_at", "code"),
    "procedure": (Procedure, "performed_at", "code"),
    "encounter": (Encounter, "started_at", "kind"),
    "allergy": (Allergy, "recorded_at", "atc_code"),
    "note": (Note, "event_at", "note_type"),
}


def record_row_for(actor: Actor, kind: str, row_id: int | str, *, action: str) -> tuple[Any, PatientAccess]:
    """One row of the record by id: the access module decides (and logs) on its patient
    before anything of it is returned; absent and not readable answer the same."""
    model = RECORD_ROWS[kind][0]
    try:
        pk = int(row_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk < 2**63:
        raise NotFound()
    row = model.objects.filter(pk=pk).select_related("unit").first()
    if row is None:
        raise NotFound()
    pa = patient_access(actor, row.patient_id, action=action, obj=row)
    if not pa.may_read_unit(row.unit):
        raise NotFound()
    if kind == "note" and row.status == Note.Status.DRAFT:
        raise NotFound()  # a draft is not part of the record yet
    return row, pa


def record_rows(pa: PatientAccess, kind: str, f: RowFilter, /, **exact: Any) -> tuple[list[Any], int]:
    """A page of one patient's rows of `kind`, readable under `pa`, filtered by `f` and by
    the model's own fields in `exact` (e.g. entered_in_error=False)."""
    model, date_field, code_field = RECORD_ROWS[kind]
    qs = pa.filter(model.objects.filter(**exact)).select_related("unit")
    if kind == "note":
        qs = qs.exclude(status=Note.Status.DRAFT).defer("search")
    return page_rows(qs, f, date_field=date_field, code_field=code_field)


def note_version_for(actor: Actor, note_id: int | str, version_no: int, *, action: str) -> tuple[Note, NoteVersion | None]:
    """A signed note and one of its versions (None: the current text is that version)."""
    note, _pa = record_row_for(actor, "note", note_id, action=action)
    if version_no == note.version_no:
        return note, None
    version = note.versions.filter(version_no=version_no).first()
    if version is None:
        raise NotFound()
    return note, version
