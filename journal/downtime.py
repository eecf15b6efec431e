"""Journal's part of a downtime bundle: attention signals and the latest signed notes of each
listed patient (a summary: type, time, author and the start of the text)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from journal.models import Allergy, Note
from vardmiljo.access import unit_disclosure_filter
from vardmiljo.models import CareUnit
from vardmiljo.registry import downtime_patient_section

NOTES_PER_PATIENT = 3
EXCERPT = 400


@downtime_patient_section("journal.alerts", title="Uppmärksamhetssignaler", order=10)
def alerts(unit: CareUnit, patient_ids: list[int], now: dt.datetime) -> dict[int, list[str]]:
    qs = unit_disclosure_filter(Allergy.objects.filter(patient_id__in=patient_ids, active=True), unit).order_by(
        "patient_id", "kind", "substance"
    )
    out: dict[int, list[str]] = defaultdict(list)
    for a in qs:
        out[a.patient_id].append(f"{a.get_kind_display()}: {a.substance} ({a.get_severity_display()})")
    return out


@downtime_patient_section("journal.notes", title="Senaste signerade anteckningar", order=30)
def latest_notes(unit: CareUnit, patient_ids: list[int], now: dt.datetime) -> dict[int, list[str]]:
    ranked = (
        unit_disclosure_filter(
            Note.objects.filter(patient_id__in=patient_ids, status=Note.Status.SIGNED, entered_in_error=False), unit
        )
        .annotate(rank=Window(RowNumber(), partition_by=[F("patient_id")], order_by=F("event_at").desc()))
        .filter(rank__lte=NOTES_PER_PATIENT)
        .values("patient_id", "event_at", "note_type", "author_name", "text", "rank")
        .order_by("patient_id", "rank")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for n in ranked:
        text = " ".join(n["text"].split())
        if len(text) > EXCERPT:
            text = text[:EXCERPT] + " …"
        out[n["patient_id"]].append(f"{n['event_at']:%Y-%m-%d %H:%M} {n['note_type']}, {n['author_name']}: {text}")
    return out
