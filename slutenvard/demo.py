"""Demo data for slutenvård: Södra sjukhuset of Region Väst with Medicinavdelning 3
(24 beds) and Kirurgavdelning 5 (20 beds), patients in most beds, one patient of
Medicinavdelning 3 utlokaliserad in a bed of Kirurgavdelning 5, one waiting for a
bed, a few due to go home today, vital signs with one NEWS2 escalation, a bed to be
cleaned and a closed one; the
personas `siv.sjukskoterska` (ward nurse) and `per.lakare` (ward physician) at
Medicinavdelning 3 and `kim.lakare` (physician) at Kirurgavdelning 5.

Admissions go through the services (care relationship, admission contact,
events, access log and the outbound ADT messages, which stay queued until a
receiver is configured). Idempotent: nothing is added once the hospital exists."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from journal import services as journal_services
from slutenvard import services
from slutenvard.models import Bed, Hospital, Stay, Ward
from vardmiljo.actor import Actor
from vardmiljo.demo import DemoContext, _assignment, _staff, _unit
from vardmiljo.models import Staff

HOSPITAL = "Södra sjukhuset"
REASONS = [
    "Pneumoni",
    "Hjärtsvikt, försämring",
    "KOL-exacerbation",
    "Förmaksflimmer med snabb kammarfrekvens",
    "Urinvägsinfektion med feber",
    "Fall i hemmet, utredning",
    "Anemi, utredning",
    "Diabetes, dåligt reglerad",
]
SURGICAL = ["Akut kolecystit", "Appendicit", "Höftfraktur", "Ileus", "Ljumskbråck, inklämt", "Divertikulit"]
PLANS = [
    "Antibiotika iv, byte till peroral",
    "Diuretika, vikt dagligen",
    "Mobilisering, fysioterapeut",
    "Vårdplanering med kommunen",
    "",
]


def _beds(ward: Ward, n: int, extra: int) -> list[Bed]:
    beds = [Bed(ward=ward, room=f"{1 + i // 2}", label=f"{i + 1}", order=i) for i in range(n)]
    beds += [Bed(ward=ward, room="Korridor", label=f"E{i + 1}", order=n + i, extra=True) for i in range(extra)]
    return Bed.objects.bulk_create(beds)


NORMAL = {"respiratory_rate": "16", "spo2": "96", "spo2_scale": "1", "on_oxygen": "air", "systolic": "128"}
NORMAL |= {"diastolic": "78", "pulse": "76", "consciousness": "A", "temperature": "37,0"}
WORSE = {**NORMAL, "respiratory_rate": "25", "spo2": "92", "on_oxygen": "oxygen", "pulse": "112", "temperature": "38,7"}


def _vitals(siv: Actor, ward: Ward, now: dt.datetime) -> None:
    """Vital signs for the ward's patients; the first one is getting worse (a NEWS2 escalation)."""
    stays = list(Stay.objects.filter(ward=ward, status="admitted").order_by("bed__order", "pk")[:12])
    for i, stay in enumerate(stays):
        rows = [{**NORMAL, "observed_at": now - dt.timedelta(hours=6)}]
        rows.append({**(WORSE if i == 0 else NORMAL), "observed_at": now - dt.timedelta(minutes=40 + i)})
        journal_services.vital_signs_record(actor=siv, patient_id=stay.patient_id, sets=rows)


def seed(ctx: DemoContext) -> None:
    if Hospital.objects.filter(name=HOSPITAL, provider=ctx.region).exists():
        return
    hospital = Hospital.objects.create(provider=ctx.region, name=HOSPITAL)
    med3 = _unit(ctx.region, "SE2321000131-E000000000031", "Medicinavdelning 3")
    kir5 = _unit(ctx.region, "SE2321000131-E000000000032", "Kirurgavdelning 5")
    ctx.units["med3"], ctx.units["kir5"] = med3, kir5
    ward_med = Ward.objects.create(unit=med3, hospital=hospital, short_name="MAVD3", order=1)
    ward_kir = Ward.objects.create(unit=kir5, hospital=hospital, short_name="KAVD5", order=2)
    med_beds = _beds(ward_med, 24, 2)
    kir_beds = _beds(ward_kir, 20, 1)
    people = {
        "siv": ("siv.sjukskoterska", "Siv", "Sjuksköterska", "SE2321000131-P000000000131", Staff.Profession.NURSE, "", med3),
        "per": ("per.lakare", "Per", "Läkare", "SE2321000131-P000000000132", Staff.Profession.PHYSICIAN, "4567890", med3),
        "kim": ("kim.lakare", "Kim", "Läkare", "SE2321000131-P000000000133", Staff.Profession.PHYSICIAN, "5678901", kir5),
    }
    for key, (username, first, last, hsa, profession, code, unit) in people.items():
        ctx.staff[key] = _staff(username, first, last, hsa, profession, code)
        ctx.assignments[key] = _assignment(ctx.staff[key], unit)
    siv = Actor(staff=ctx.staff["siv"], assignment=ctx.assignments["siv"])
    kim = Actor(staff=ctx.staff["kim"], assignment=ctx.assignments["kim"])
    special = {p.pk for p in ctx.special.values()}
    # Patients further down the list than the other modules' demo patients, each admitted once.
    pool = iter([pk for pk in ctx.patient_ids[200:] + ctx.patient_ids[:200] if pk not in special])
    now = timezone.now()
    today = timezone.localdate()
    rng = ctx.rng

    def admit(actor: Actor, ward: Ward, bed: Bed | None, reason: str, pal: str, pas: str | None) -> int | None:
        pid = next(pool, None)
        if pid is None:
            return None  # a small demo (seed_demo --patients 30) fills fewer beds
        days = rng.randrange(0, 9)
        stay = services.stay_admit(
            actor=actor,
            patient_id=pid,
            ward_id=ward.pk,
            bed_id=bed.pk if bed else None,
            reason=reason,
            source=rng.choice(["emergency", "emergency", "referral", "planned"]),
            admitted_at=now - dt.timedelta(days=days, hours=rng.randrange(1, 20)),
            pal_id=ctx.staff[pal].pk,
            pas_id=ctx.staff[pas].pk if pas else None,
            expected_discharge=today + dt.timedelta(days=rng.randrange(0, 5)),
            plan=rng.choice(PLANS),
            primary_care_unit_id=ctx.units["vc"].pk,
        )
        return stay.pk

    # Medicinavdelning 3: 21 of 24 beds, bed 22 to be cleaned, bed 24 closed.
    for bed in med_beds[:21]:
        admit(siv, ward_med, bed, rng.choice(REASONS), "per", "siv")
    # Kirurgavdelning 5: 16 of 20 beds.
    for bed in kir_beds[:16]:
        admit(kim, ward_kir, bed, rng.choice(SURGICAL), "kim", None)
    # Medicinavdelning 3 is full: one patient lies in a bed of Kirurgavdelning 5 (utlokaliserad) …
    stay_id = admit(siv, ward_med, None, "Erysipelas", "per", "siv")
    if stay_id is not None:
        services.stay_move_bed(actor=siv, stay_id=stay_id, bed_id=kir_beds[16].pk, outlying=True)
    # … and one waits in the emergency department for a bed.
    admit(siv, ward_med, None, "Hjärtsvikt, försämring", "per", "siv")
    _vitals(siv, ward_med, now)
    services.bed_set_state(actor=siv, bed_id=med_beds[21].pk, state=Bed.State.CLEANING)
    services.bed_set_state(actor=siv, bed_id=med_beds[23].pk, state=Bed.State.CLOSED)
