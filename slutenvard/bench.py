"""Benchmark data and scenarios for slutenvård (manage.py bench --only slutenvard).

Seeds Bench-sjukhuset: 40 wards of 25 beds (1,000 beds), a year of admissions
(about 70,000 stays of 3–7 days, discharged, with their admit and discharge
events) and today's patients in 90 % of the beds, each with the ward's care
relationship. Rows are bulk-inserted without access-log rows (a seed is not
care). Two flow wards in a hospital of their own take the timed admissions,
transfers and discharges, so the 40-ward bed board stays as seeded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from slutenvard.models import ACTIVE_STAY, Bed, Hospital, Stay, StayEvent, Ward
from vardmiljo.bench import BenchContext, Scenario
from vardmiljo.demo import _assignment, _staff, _unit
from vardmiljo.models import CareRelationship, Staff

WARDS = 40
BEDS_PER_WARD = 25
FLOW_BEDS = 400
HOSPITAL = "Bench-sjukhuset"
FLOW_HOSPITAL = "Bench-flödessjukhuset"
YEAR_DAYS = 365


def _personas(ctx: BenchContext) -> None:
    """A nurse at bench ward 1 (the worklist and bed board) and one at each flow ward."""
    for key, hsa, ward_name in (
        ("sv_ward", "SE2321000131-P000000000901", "Bench-avdelning 01"),
        ("sv_flow_a", "SE2321000131-P000000000902", "Bench-flöde A"),
        ("sv_flow_b", "SE2321000131-P000000000903", "Bench-flöde B"),
    ):
        ward = Ward.objects.select_related("unit").get(unit__name=ward_name)
        ctx.demo.staff[key] = _staff(f"bench.{key}", "Bench", key, hsa, Staff.Profession.NURSE)
        ctx.demo.assignments[key] = _assignment(ctx.demo.staff[key], ward.unit)


def seed_bench(ctx: BenchContext) -> None:
    if Hospital.objects.filter(name=HOSPITAL).exists():
        _personas(ctx)
        return
    t0 = time.perf_counter()
    rng = random.Random(14)
    region = ctx.demo.region
    staff = _staff("bench.sv_pal", "Bench", "PAL", "SE2321000131-P000000000900", Staff.Profession.PHYSICIAN)
    with transaction.atomic():
        hospital = Hospital.objects.create(provider=region, name=HOSPITAL)
        flow = Hospital.objects.create(provider=region, name=FLOW_HOSPITAL)
        wards = []
        for n in range(1, WARDS + 1):
            unit = _unit(region, f"SE2321000131-E7{n:011d}", f"Bench-avdelning {n:02d}")
            wards.append(Ward.objects.create(unit=unit, hospital=hospital, short_name=f"B{n:02d}", order=n))
        for n, name in ((1, "Bench-flöde A"), (2, "Bench-flöde B")):
            unit = _unit(region, f"SE2321000131-E6{n:011d}", name)
            ward = Ward.objects.create(unit=unit, hospital=flow, short_name=name[-6:], order=n)
            Bed.objects.bulk_create([Bed(ward=ward, room=str(1 + i // 4), label=str(i + 1), order=i) for i in range(FLOW_BEDS)])
        beds = Bed.objects.bulk_create(
            [Bed(ward=w, room=str(1 + i // 2), label=str(i + 1), order=i) for w in wards for i in range(BEDS_PER_WARD)]
        )
    ctx.demo.progress(f"  slutenvard: {len(wards)} avdelningar, {len(beds)} sängar")
    patient_ids = ctx.demo.patient_ids
    now = timezone.now()
    start = now - dt.timedelta(days=YEAR_DAYS)
    stays: list[Stay] = []
    active: list[tuple[Stay, Bed]] = []
    pick = itertools.cycle(rng.sample(patient_ids, min(len(patient_ids), 60000)))
    used_now: set[int] = set()
    for bed in beds:
        at = start + dt.timedelta(hours=rng.randrange(0, 48))
        while True:
            los = dt.timedelta(days=rng.randrange(3, 8), hours=rng.randrange(0, 24))
            if at + los >= now:
                break
            stays.append(
                Stay(
                    patient_id=next(pick),
                    ward_id=bed.ward_id,
                    bed_id=bed.pk,
                    status=Stay.Status.DISCHARGED,
                    reason="Bench",
                    admitted_at=at,
                    discharged_at=at + los,
                    destination=Stay.Destination.HOME,
                    pal_id=staff.pk,
                    created_by_id=staff.pk,
                    created_at=at,
                    updated_at=at + los,
                )
            )
            at += los + dt.timedelta(hours=rng.randrange(2, 30))
        if (rng.random() < 0.9 or bed.ward_id == wards[0].pk) and len(used_now) < len(patient_ids) // 2:
            pid = next(pick)
            while pid in used_now:
                pid = next(pick)
            used_now.add(pid)
            s = Stay(
                patient_id=pid,
                ward_id=bed.ward_id,
                bed_id=bed.pk,
                status=Stay.Status.ADMITTED,
                reason="Bench",
                admitted_at=now - dt.timedelta(days=rng.randrange(0, 7), hours=rng.randrange(1, 20)),
                expected_discharge=timezone.localdate() + dt.timedelta(days=rng.randrange(0, 5)),
                plan="Bench-plan",
                pal_id=staff.pk,
                created_by_id=staff.pk,
            )
            stays.append(s)
            active.append((s, bed))
    # Bench ward 01 has 24 patients in its 25 beds: the worklist the goal speaks of.
    first_ward_active = [s for s, b in active if b.ward_id == wards[0].pk]
    for s in first_ward_active[24:]:
        stays.remove(s)
        active = [(x, b) for x, b in active if x is not s]
    with transaction.atomic():
        Stay.objects.bulk_create(stays, batch_size=5000)
        ctx.demo.progress(f"  slutenvard: {len(stays)} vårdtillfällen ({time.perf_counter() - t0:.0f} s)")
        events = []
        for s in stays:
            events.append(
                StayEvent(
                    stay=s,
                    kind="admit",
                    at=s.admitted_at,
                    to_ward_id=s.ward_id,
                    to_bed_id=s.bed_id,
                    actor_id=staff.pk,
                    recorded_at=s.admitted_at,
                )
            )
            if s.discharged_at:
                events.append(
                    StayEvent(
                        stay=s,
                        kind="discharge",
                        at=s.discharged_at,
                        from_ward_id=s.ward_id,
                        from_bed_id=s.bed_id,
                        actor_id=staff.pk,
                        recorded_at=s.discharged_at,
                    )
                )
        StayEvent.objects.bulk_create(events, batch_size=10000)
        Bed.objects.filter(pk__in=[b.pk for _s, b in active]).update(state=Bed.State.OCCUPIED)
        ward_units = {w.pk: w.unit_id for w in wards}
        CareRelationship.objects.bulk_create(
            [
                CareRelationship(patient_id=s.patient_id, unit_id=ward_units[s.ward_id], ground=CareRelationship.Ground.ADMISSION)
                for s, _b in active
            ],
            batch_size=5000,
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE slutenvard_stay")
        cur.execute("ANALYZE slutenvard_stayevent")
        cur.execute("ANALYZE slutenvard_bed")
    _personas(ctx)
    ctx.demo.progress(f"  slutenvard: klart, {len(active)} inskrivna nu ({time.perf_counter() - t0:.0f} s)")


def scenarios(ctx: BenchContext) -> list[Scenario]:
    hospital = Hospital.objects.filter(name=HOSPITAL).first()
    if hospital is None:
        return []  # not seeded (--skip-seed on a fresh database)
    _personas(ctx)
    ward_a = Ward.objects.get(unit__name="Bench-flöde A")
    ward_b = Ward.objects.get(unit__name="Bench-flöde B")
    nurse, flow_a, flow_b = ctx.client("sv_ward"), ctx.client("sv_flow_a"), ctx.client("sv_flow_b")
    beds_a = list(Bed.objects.filter(ward=ward_a).order_by("order").values_list("pk", flat=True))
    beds_b = list(Bed.objects.filter(ward=ward_b).order_by("order").values_list("pk", flat=True))
    state: dict[str, Any] = {"patients": [], "stays": []}
    admits, transfers, discharges = itertools.count(), itertools.count(), itertools.count()

    def worklist(i: int) -> Any:
        return nurse.get("/slutenvard/")

    def bed_board(i: int) -> Any:
        return nurse.get(f"/slutenvard/belaggning/?sjukhus={hospital.pk}")

    def prepare_admit(n: int) -> None:
        # A rerun starts from empty flow wards (bench data, not care: set straight).
        Stay.objects.filter(ward__in=[ward_a, ward_b], status__in=ACTIVE_STAY).update(
            status=Stay.Status.DISCHARGED, discharged_at=timezone.now(), destination=Stay.Destination.HOME
        )
        Bed.objects.filter(ward__in=[ward_a, ward_b]).update(state=Bed.State.FREE)
        busy = set(Stay.objects.filter(status__in=ACTIVE_STAY).values_list("patient_id", flat=True))
        pool = [pk for pk in reversed(ctx.demo.patient_ids) if pk not in busy]
        state["patients"] = pool[: min(n + 10, FLOW_BEDS)]
        state["stays"] = []

    def admit(i: int) -> Any:
        k = next(admits)
        r = flow_a.post(
            "/api/v1/slutenvard/stays/",
            {"patient_id": state["patients"][k], "ward_id": ward_a.pk, "bed_id": beds_a[k], "reason": "Bench"},
            content_type="application/json",
        )
        if r.status_code == 201:
            state["stays"].append(r.json()["id"])
        return r

    def transfer(i: int) -> Any:
        k = next(transfers)
        return flow_a.post(
            f"/api/v1/slutenvard/stays/{state['stays'][k]}/transfer/",
            {"to_ward_id": ward_b.pk, "bed_id": beds_b[k]},
            content_type="application/json",
        )

    def discharge(i: int) -> Any:
        k = next(discharges)
        return flow_b.post(
            f"/api/v1/slutenvard/stays/{state['stays'][k]}/discharge/", {"destination": "home"}, content_type="application/json"
        )

    return [
        Scenario(name="slutenvard.worklist", run=worklist),
        Scenario(name="slutenvard.bed_board", run=bed_board),
        Scenario(name="slutenvard.admit", run=admit, prepare=prepare_admit),
        Scenario(name="slutenvard.transfer", run=transfer),
        Scenario(name="slutenvard.discharge", run=discharge),
    ]
