"""Demo data for tidbok: resources and weekly templates at Vårdcentral Centrum and
Medicinkliniken, slots for the coming weeks, bookings today and ahead, an absence,
and waiting lists (one entry past the care guarantee)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tidbok import services
from tidbok.models import Resource, ScheduleException, ScheduleTemplate, Slot, SlotType, WaitlistEntry
from vardmiljo.actor import Actor, system_actor
from vardmiljo.demo import DemoContext

WEEKS = 6


def _templates(resource: Resource, rows: list[tuple[int, dt.time, dt.time, str, int]], start: dt.date) -> None:
    ScheduleTemplate.objects.bulk_create(
        [
            ScheduleTemplate(
                resource=resource, weekday=wd, start_time=a, end_time=b, slot_type=t, slot_minutes=m, valid_from=start
            )
            for wd, a, b, t, m in rows
        ]
    )


def _weekdays(morning: str, afternoon: str, minutes: int = 30) -> list[tuple[int, dt.time, dt.time, str, int]]:
    rows = []
    for wd in range(5):
        rows.append((wd, dt.time(8), dt.time(12), morning, minutes))
        rows.append((wd, dt.time(13), dt.time(16), afternoon, minutes))
    return rows


def seed(ctx: DemoContext) -> None:
    vc, med = ctx.units["vc"], ctx.units["med"]
    if Resource.objects.filter(unit=vc).exists():
        return
    today = timezone.localdate()
    anna = Resource.objects.create(unit=vc, kind=Resource.Kind.STAFF, name="Anna Läkare", staff=ctx.staff["anna"])
    bo = Resource.objects.create(unit=vc, kind=Resource.Kind.STAFF, name="Bo Sjuksköterska", staff=ctx.staff["bo"])
    room = Resource.objects.create(unit=vc, kind=Resource.Kind.ROOM, name="Provtagningsrum 1")
    cecilia = Resource.objects.create(unit=med, kind=Resource.Kind.STAFF, name="Cecilia Läkare", staff=ctx.staff["cecilia"])
    ekg = Resource.objects.create(unit=med, kind=Resource.Kind.EQUIPMENT, name="Arbets-EKG")
    _templates(
        anna, _weekdays(SlotType.NEW_VISIT, SlotType.RETURN_VISIT) + [(2, dt.time(16), dt.time(17), SlotType.PHONE, 15)], today
    )
    _templates(bo, _weekdays(SlotType.RETURN_VISIT, SlotType.PHONE, 20), today)
    _templates(room, _weekdays(SlotType.RETURN_VISIT, SlotType.RETURN_VISIT, 15), today)
    _templates(cecilia, _weekdays(SlotType.NEW_VISIT, SlotType.VIDEO, 45), today)
    _templates(ekg, [(wd, dt.time(8), dt.time(15), SlotType.RETURN_VISIT, 60) for wd in range(5)], today)
    # Bo is away on a course on Wednesday next week.
    wednesday = today + dt.timedelta(days=(2 - today.weekday()) % 7 + 7)
    tz = timezone.get_current_timezone()
    ScheduleException.objects.create(
        unit=vc,
        resource=bo,
        kind=ScheduleException.Kind.ABSENCE,
        starts_at=dt.datetime.combine(wednesday, dt.time(0), tz),
        ends_at=dt.datetime.combine(wednesday + dt.timedelta(days=1), dt.time(0), tz),
        reason="Utbildning",
        created_by=ctx.staff["anna"],
    )
    system = system_actor("demo")
    services.slots_generate(actor=system, weeks=WEEKS, start=today)

    rng = ctx.rng
    vc_actor = Actor(staff=ctx.staff["bo"], assignment=ctx.assignments["bo"])
    med_actor = Actor(staff=ctx.staff["cecilia"], assignment=ctx.assignments["cecilia"])
    pool = list(ctx.patient_ids[:400])
    rng.shuffle(pool)
    waiting, pool = pool[:14], pool[14:]
    now = timezone.now()
    for actor, unit, share in ((vc_actor, vc, 0.55), (med_actor, med, 0.35)):
        free = list(
            Slot.objects.filter(
                unit=unit,
                status=Slot.Status.FREE,
                starts_at__gt=now + dt.timedelta(minutes=5),
                starts_at__lt=now + dt.timedelta(days=14),
            ).order_by("starts_at")
        )
        for slot in free:
            if rng.random() > share or not pool:
                continue
            services.booking_create(
                actor=actor,
                patient_id=pool.pop(),
                slot_id=slot.pk,
                note=rng.choice(
                    ["", "Kontroll blodtryck", "Hosta sedan 3 veckor", "Uppföljning diabetes", "Ont i knät", "Provsvar"]
                ),
            )
    # Waiting lists: as remisser would put accepted referrals there.
    priorities = ["acute", "two_weeks", "three_months", "three_months", "routine"]
    for unit, n in ((vc, 6), (med, 8)):
        for i in range(n):
            if not waiting:
                break
            prio = priorities[i % len(priorities)]
            days = {"acute": 3, "two_weeks": 14, "three_months": 90, "routine": 120}[prio]
            entry = services.waitlist_add(
                actor=system,
                patient_id=waiting.pop(),
                unit_id=unit.pk,
                priority=prio,
                due_by=today + dt.timedelta(days=days - 20 * (i == 1)),
                note=rng.choice(["Remiss från vårdcentral", "Kontroll efter operation", "Ny remiss"]),
            )
            if i == 2:
                # Waiting since before the summer: past the care guarantee, flagged on the list.
                WaitlistEntry.objects.filter(pk=entry.pk).update(
                    added_at=now - dt.timedelta(days=95), due_by=today - dt.timedelta(days=5)
                )
    ctx.progress(
        f"  tidbok: {Slot.objects.filter(unit__in=[vc, med]).count()} tider, "
        f"{WaitlistEntry.objects.filter(unit__in=[vc, med]).count()} på väntelistor"
    )
