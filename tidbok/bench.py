"""Benchmark data and scenarios for tidbok: a year of schedules for 500 resources.

500 resources (10 at Vårdcentral Centrum, 490 spread over 49 bench clinics), each
with a weekly template of 16 slots a weekday, from half a year back to half a year
ahead: about 2 million slots, loaded with COPY. Past slots are mostly booked and
checked in; the coming four weeks are well booked; later weeks sparsely. Bookings
are written server-side in one INSERT … SELECT over the booked slots.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tidbok.models import Resource, ScheduleTemplate, SlotType
from vardmiljo.bench import BenchContext, Scenario
from vardmiljo.models import CareUnit

RESOURCES = 500
VC_RESOURCES = 10
UNITS = 49
DAYS_BACK = 182
DAYS_AHEAD = 183
# (start, slot type) for each of the 16 half-hour slots of a weekday.
DAY_PLAN = [
    (dt.time(8 + i // 2, 30 * (i % 2)), SlotType.NEW_VISIT if i % 4 == 0 else SlotType.RETURN_VISIT) for i in range(8)
] + [(dt.time(13 + i // 2, 30 * (i % 2)), SlotType.PHONE if i < 4 else SlotType.VIDEO) for i in range(8)]
MARK = "Bench "


def _units(ctx: BenchContext) -> list[CareUnit]:
    units = [ctx.demo.units["vc"]]
    for n in range(1, UNITS + 1):
        u, _ = CareUnit.objects.get_or_create(
            hsa_id=f"SE2321000131-E9{n:011d}", defaults={"name": f"Bench-mottagning {n:02d}", "provider": ctx.demo.region}
        )
        units.append(u)
    return units


def seed_bench(ctx: BenchContext) -> None:
    if Resource.objects.filter(name__startswith=MARK).count() >= RESOURCES:
        return
    t0 = time.perf_counter()
    units = _units(ctx)
    with transaction.atomic():
        resources = []
        for i in range(RESOURCES):
            unit = units[0] if i < VC_RESOURCES else units[1 + (i - VC_RESOURCES) % UNITS]
            kind = Resource.Kind.STAFF if i % 10 < 8 else (Resource.Kind.ROOM if i % 10 == 8 else Resource.Kind.EQUIPMENT)
            resources.append(Resource(unit=unit, kind=kind, name=f"{MARK}{i:03d} {unit.name}"))
        resources = Resource.objects.bulk_create(resources)
        today = timezone.localdate()
        first = today - dt.timedelta(days=DAYS_BACK)
        templates = []
        for r in resources:
            for wd in range(5):
                templates.append(
                    ScheduleTemplate(
                        resource=r,
                        weekday=wd,
                        start_time=dt.time(8),
                        end_time=dt.time(12),
                        slot_type=SlotType.RETURN_VISIT,
                        slot_minutes=30,
                        valid_from=first,
                    )
                )
                templates.append(
                    ScheduleTemplate(
                        resource=r,
                        weekday=wd,
                        start_time=dt.time(13),
                        end_time=dt.time(17),
                        slot_type=SlotType.PHONE,
                        slot_minutes=30,
                        valid_from=first,
                    )
                )
        ScheduleTemplate.objects.bulk_create(templates, batch_size=5000)
    ctx.demo.progress(f"  tidbok: {len(resources)} resurser, {len(templates)} mallrader")
    _copy_slots(ctx, resources, today)
    ctx.demo.progress(f"  tidbok: tider inlästa ({time.perf_counter() - t0:.0f} s)")
    _insert_bookings(ctx, resources)
    ctx.demo.progress(f"  tidbok: bokningar klara ({time.perf_counter() - t0:.0f} s)")


def _copy_slots(ctx: BenchContext, resources: list[Resource], today: dt.date) -> None:
    tz = ZoneInfo(settings.TIME_ZONE)
    rng = random.Random(7)
    days = [today + dt.timedelta(days=d) for d in range(-DAYS_BACK, DAYS_AHEAD) if (today + dt.timedelta(days=d)).weekday() < 5]
    # Each (day, slot) as text once; a resource's rows are these plus its ids.
    plan: list[tuple[str, str, str, float]] = []
    for day in days:
        offset = (day - today).days
        fill = 0.85 if offset < 0 else (0.6 if offset < 28 else 0.1)
        for start, slot_type in DAY_PLAN:
            s = dt.datetime.combine(day, start, tzinfo=tz)
            plan.append((s.isoformat(), (s + dt.timedelta(minutes=30)).isoformat(), slot_type.value, fill))
    with connection.cursor() as cur:
        for chunk_start in range(0, len(resources), 50):
            buf = io.StringIO()
            for r in resources[chunk_start : chunk_start + 50]:
                prefix = f"{r.pk}\t{r.unit_id}\t"
                for s_txt, e_txt, type_txt, fill in plan:
                    status = "booked" if rng.random() < fill else "free"
                    buf.write(f"{prefix}{s_txt}\t{e_txt}\t{type_txt}\t{status}\n")
            buf.seek(0)
            with cur.copy("COPY tidbok_slot (resource_id, unit_id, starts_at, ends_at, slot_type, status) FROM STDIN") as cp:
                while data := buf.read(1 << 20):
                    cp.write(data)
            ctx.demo.progress(f"  tidbok: tider för {min(chunk_start + 50, len(resources))}/{len(resources)} resurser")


def _insert_bookings(ctx: BenchContext, resources: list[Resource]) -> None:
    patient_ids = ctx.demo.patient_ids
    booker = ctx.demo.staff["bo"].pk
    lo, hi = min(r.pk for r in resources), max(r.pk for r in resources)
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO tidbok_booking (slot_id, unit_id, patient_id, starts_at, status, source, note, booked_by_id,
                                        booked_at, cancel_reason, checked_in_by_id, checked_in_at)
            SELECT s.id, s.unit_id, (%(pids)s::bigint[])[1 + (s.id * 7919) %% %(n)s], s.starts_at,
                   CASE WHEN s.starts_at < now() THEN 'checked_in' ELSE 'booked' END, 'direct', '', %(booker)s,
                   s.starts_at - interval '14 days', '',
                   CASE WHEN s.starts_at < now() THEN %(booker)s END,
                   CASE WHEN s.starts_at < now() THEN s.starts_at END
            FROM tidbok_slot s WHERE s.status = 'booked' AND s.resource_id BETWEEN %(lo)s AND %(hi)s
            """,
            {"pids": patient_ids, "n": len(patient_ids), "booker": booker, "lo": lo, "hi": hi},
        )
        ctx.demo.progress(f"  tidbok: {cur.rowcount} bokningar")
        cur.execute("ANALYZE tidbok_slot")
        cur.execute("ANALYZE tidbok_booking")


def scenarios(ctx: BenchContext) -> list[Scenario]:
    client = ctx.client("anna")
    today = timezone.localdate()
    weekdays = [d for d in (today + dt.timedelta(days=i) for i in range(1, 30)) if d.weekday() < 5][:15]
    vc_resources = list(
        Resource.objects.filter(unit=ctx.demo.units["vc"], name__startswith=MARK).order_by("pk").values_list("pk", flat=True)
    )
    types = [t.value for t in SlotType]

    def daylist(i: int):
        return client.get(f"/tidbok/?datum={weekdays[i % len(weekdays)].isoformat()}")

    def daylist_resource(i: int):
        return client.get(
            f"/tidbok/?datum={weekdays[i % len(weekdays)].isoformat()}&resurs={vc_resources[i % len(vc_resources)]}"
        )

    def first_available(i: int):
        q = f"slot_type={types[i % len(types)]}&first_available=true"
        if i % 2:
            q += f"&resource={vc_resources[i % len(vc_resources)]}"
        return client.get(f"/api/v1/tidbok/slots/?{q}")

    def first_available_page(i: int):
        return client.get(f"/tidbok/boka/?slot_type={types[i % len(types)]}&forsta=1")

    return [
        Scenario(name="tidbok.daylist", run=daylist),
        Scenario(name="tidbok.daylist_resource", run=daylist_resource),
        Scenario(name="tidbok.first_available", run=first_available),
        Scenario(name="tidbok.first_available_page", run=first_available_page),
    ]
