"""The day's figures per ward (counts only, no patient is named), for the operators'
command and the nightly job that stores them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from slutenvard.models import Hospital, WardDayFigures
from slutenvard.queries import ward_figures
from vardmiljo import audit
from vardmiljo.actor import system_actor

FIELDS = (
    "beds_available",
    "occupied",
    "free",
    "cleaning",
    "closed",
    "over_occupancy",
    "outlying",
    "waiting",
    "expected_discharges",
)


@transaction.atomic
def day_figures(*, day: dt.date | None = None, record: bool = False) -> list[str]:
    day = day or timezone.localdate()
    lines = [f"Beläggning {day:%Y-%m-%d}"]
    header = f"{'avdelning':<32} {'platser':>7} {'belagda':>7} {'lediga':>6} {'städas':>6} {'stängda':>7} {'överbel':>7} {'utlok':>5} {'väntar':>6} {'utskr':>5}"
    for hospital in Hospital.objects.order_by("name"):
        lines += ["", hospital.name, header]
        for f in ward_figures(hospital, day):
            values = {
                "beds_available": f.beds,
                "occupied": f.occupied,
                "free": f.free,
                "cleaning": f.cleaning,
                "closed": f.closed,
                "over_occupancy": f.over_occupancy,
                "outlying": f.outlying,
                "waiting": f.waiting,
                "expected_discharges": f.expected_discharges,
            }
            lines.append(
                f"{f.ward.unit.name[:32]:<32} {f.beds:>7} {f.occupied:>7} {f.free:>6} {f.cleaning:>6} {f.closed:>7} "
                f"{f.over_occupancy:>7} {f.outlying:>5} {f.waiting:>6} {f.expected_discharges:>5}"
            )
            if record:
                WardDayFigures.objects.update_or_create(ward=f.ward, day=day, defaults={**values, "recorded_at": timezone.now()})
    if record:
        audit.record(system_actor("slutenvard"), "slutenvard.day_figures.record", detail={"day": day.isoformat()})
    return lines
