"""Demo record: a few realistic notes, diagnoses, measurements, allergies and an
item to acknowledge for the first demo patients and the special personas,
written through the services (so the demo also has its audit rows)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from journal import services
from journal.codes import ensure_defaults
from journal.models import Note, NoteTemplate, VitalSigns
from vardmiljo.actor import Actor
from vardmiljo.demo import DemoContext

VISITS = [
    (
        "J06.9",
        [
            ("Aktuellt", "Hosta och halsont sedan fem dagar. Ingen feber senaste dygnet."),
            ("Anamnes", "Tidigare frisk. Inga regelbundna läkemedel. Icke-rökare."),
            ("Status", "AT gott. Svalg lätt rodnat, inga beläggningar. Pulm: vesikulärt andningsljud bilateralt."),
            ("Bedömning", "Viral övre luftvägsinfektion. Inget som talar för bakteriell genes."),
            ("Åtgärd", "Egenvårdsråd. Återkommer vid andningspåverkan eller feber mer än tre dagar."),
        ],
    ),
    (
        "I10.9",
        [
            ("Aktuellt", "Årskontroll av hypertoni."),
            ("Anamnes", "Hypertoni sedan 2018, behandlas med amlodipin. Mår bra, inga biverkningar."),
            ("Status", "BT 136/84 sittande höger arm. Cor: regelbunden rytm, inga blåsljud."),
            ("Bedömning", "Välbehandlad hypertoni."),
            ("Åtgärd", "Oförändrad behandling. Labb: krea, kalium. Ny kontroll om ett år."),
        ],
    ),
    (
        "E11.9",
        [
            ("Aktuellt", "Diabeteskontroll."),
            ("Anamnes", "Typ 2-diabetes sedan 2015. Metformin 1 g x 2. Promenerar dagligen."),
            ("Status", "Vikt 88 kg. Fötter: fotpulsar palpabla, sensibilitet intakt."),
            ("Bedömning", "HbA1c 52 mmol/mol, acceptabelt. Ingen känd komplikation."),
            ("Åtgärd", "Fortsatt metformin. Remiss ögonbottenfoto. Åter om sex månader."),
        ],
    ),
    (
        "M54.5",
        [
            ("Aktuellt", "Ländryggsvärk sedan två dagar efter lyft."),
            ("Anamnes", "Inga bensmärtor, ingen blås- eller tarmpåverkan."),
            ("Status", "Palpationsöm paravertebralt L4–L5. Lasègue negativ bilateralt. Normal reflexstatus."),
            ("Bedömning", "Lumbago utan neurologiska bortfall."),
            ("Åtgärd", "Fortsatt aktivitet, paracetamol vid behov. Fysioterapeut vid utebliven förbättring."),
        ],
    ),
]


def _note(actor: Actor, patient_id: int, template_id: int, headings: list[tuple[str, str]], code: str, days_ago: int) -> Note:
    note = services.note_create(
        actor=actor, patient_id=patient_id, template_id=template_id, event_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    services.diagnosis_add(actor=actor, patient_id=patient_id, code=code, note_id=note.pk)
    return services.note_sign(
        actor=actor, note_id=note.pk, revision=note.revision, headings=[{"heading": h, "text": t} for h, t in headings]
    )


# Vital-sign series of the demo ward patients: (hours ago, RR, SpO2, O2, syst, diast, pulse, ACVPU, temp).
# The first patient deteriorates (a sepsis picture) and ends in a NEWS2 escalation.
VITALS_SERIES = [
    [
        (30, 16, 96, False, 128, 78, 84, "A", "37.4"),
        (24, 18, 95, False, 122, 74, 92, "A", "37.9"),
        (18, 20, 94, False, 114, 70, 98, "A", "38.3"),
        (12, 22, 93, False, 108, 66, 104, "A", "38.6"),
        (6, 23, 92, True, 102, 62, 112, "A", "38.9"),
        (1, 25, 91, True, 96, 58, 118, "C", "39.2"),
    ],
    [
        (28, 18, 94, False, 142, 84, 88, "A", "38.1"),
        (20, 17, 95, False, 138, 82, 84, "A", "37.8"),
        (12, 16, 96, False, 134, 80, 78, "A", "37.3"),
        (4, 15, 97, False, 132, 80, 74, "A", "36.9"),
    ],
    [
        (26, 14, 98, False, 118, 72, 66, "A", "36.6"),
        (14, 15, 97, False, 121, 74, 70, "A", "36.8"),
        (3, 14, 98, False, 119, 70, 68, "A", "36.7"),
    ],
]


def seed_vitals(ctx: DemoContext, nurse: Actor, patient_ids: list[int] | None = None) -> list[int]:
    """Vital-sign series for a few demo patients (one with a NEWS2 escalation), a nursing
    admission assessment, risk assessments and a care plan for the deteriorating one (the
    first). Another module's demo (a ward) may pass its own patients and its ward nurse.
    Returns the patients given a series. Idempotent: nothing for patients that have sets."""
    now = timezone.now()
    patients = (patient_ids if patient_ids is not None else ctx.patient_ids[4:])[: len(VITALS_SERIES)]
    if not patients or VitalSigns.objects.filter(patient_id__in=patients).exists():
        return []
    for pid, series in zip(patients, VITALS_SERIES, strict=False):
        services.vital_signs_record(
            actor=nurse,
            patient_id=pid,
            sets=[
                {
                    "observed_at": now - dt.timedelta(hours=h),
                    "respiratory_rate": rr,
                    "spo2": spo2,
                    "on_oxygen": o2,
                    "systolic": sys_,
                    "diastolic": dia,
                    "pulse": pulse,
                    "consciousness": acvpu,
                    "temperature": temp,
                }
                for h, rr, spo2, o2, sys_, dia, pulse, acvpu, temp in series
            ],
        )
    sick = patients[0]
    tpl = NoteTemplate.objects.filter(name="Inskrivningsbedömning omvårdnad (VIPS)").values_list("pk", flat=True).first()
    if tpl:
        n = services.note_create(actor=nurse, patient_id=sick, template_id=tpl, event_at=now - dt.timedelta(hours=30))
        services.note_sign(
            actor=nurse,
            note_id=n.pk,
            revision=n.revision,
            headings=[
                {
                    "heading": "Omvårdnadsanamnes",
                    "text": "Inkommer med feber och trötthet sedan två dygn. Bor ensam, klarar sig själv.",
                },
                {"heading": "Kommunikation", "text": "Hör och ser bra. Orienterad till tid och rum."},
                {"heading": "Andning/Cirkulation", "text": "Andas utan ansträngning på rumsluft. Varma perifera delar."},
                {"heading": "Nutrition", "text": "Dålig aptit sedan insjuknandet. Äter halva portioner."},
                {"heading": "Elimination", "text": "Sparsamma urinmängder senaste dygnet enligt patienten."},
                {"heading": "Hud/vävnad", "text": "Hel hud. Rodnad över sacrum som bleknar vid tryck."},
                {"heading": "Aktivitet", "text": "Går med rollator, ostadig vid uppresning."},
                {"heading": "Sömn", "text": "Sover oroligt på grund av frossa."},
                {"heading": "Smärta/Sensorisk", "text": "Värk i kroppen, NRS 4."},
                {"heading": "Psykosocialt", "text": "Dotter är närstående och vill bli kontaktad."},
            ],
        )
    services.risk_assessment_record(
        actor=nurse,
        patient_id=sick,
        kind="norton",
        answers={"mental": "4", "activity": "3", "mobility": "3", "food": "2", "fluid": "2", "incontinence": "4", "general": "2"},
    )
    services.risk_assessment_record(
        actor=nurse,
        patient_id=sick,
        kind="downton",
        answers={
            "previous_falls": "yes",
            "medication": ["diuretics"],
            "sensory": ["none"],
            "mental": "oriented",
            "gait": "unsafe",
        },
    )
    services.risk_assessment_record(
        actor=nurse,
        patient_id=sick,
        kind="mna_sf",
        answers={
            "a_food_intake": "1",
            "b_weight_loss": "2",
            "c_mobility": "1",
            "d_stress": "0",
            "e_neuropsych": "2",
            "f1_bmi": "2",
        },
    )
    for keyword, diagnosis, goal, interventions in (
        (
            "Hud/vävnad",
            "Risk för trycksår relaterat till nedsatt rörlighet och dåligt närings- och vätskeintag (Norton 20).",
            "Intakt hud under vårdtiden.",
            "Tryckavlastande madrass. Lägesändring var tredje timme. Hudinspektion morgon och kväll.",
        ),
        (
            "Aktivitet",
            "Risk för fall relaterat till ostadig gång och diuretika (Downton 3).",
            "Inga fall under vårdtiden.",
            "Rollator inom räckhåll. Larmknapp nära. Hjälp vid toalettbesök nattetid.",
        ),
    ):
        services.care_plan_item_add(
            actor=nurse, patient_id=sick, keyword=keyword, diagnosis=diagnosis, goal=goal, interventions=interventions
        )
    return patients


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    ensure_defaults()
    bo = Actor(staff=ctx.staff["bo"], assignment=ctx.assignments["bo"], client_ip="127.0.0.1")
    seed_vitals(ctx, bo)
    if Note.objects.filter(source_system="").exists():
        return
    anna = Actor(staff=ctx.staff["anna"], assignment=ctx.assignments["anna"], client_ip="127.0.0.1")
    cecilia = Actor(staff=ctx.staff["cecilia"], assignment=ctx.assignments["cecilia"], client_ip="127.0.0.1")
    doctor = NoteTemplate.objects.get(note_type="Läkaranteckning").pk
    nurse_tpl = NoteTemplate.objects.filter(profession="nurse").values_list("pk", flat=True).first()
    rng = ctx.rng
    patients = ctx.patient_ids[:12] + [p.pk for p in ctx.special.values()]
    for i, pid in enumerate(patients):
        code, headings = VISITS[i % len(VISITS)]
        _note(anna, pid, doctor, headings, code, days_ago=30 + rng.randrange(300))
        if i % 2 == 0:
            code2, headings2 = VISITS[(i + 1) % len(VISITS)]
            _note(anna, pid, doctor, headings2, code2, days_ago=rng.randrange(25))
        services.observation_record(actor=bo, patient_id=pid, kind="height", value=155 + rng.randrange(35))
        services.observation_record(actor=bo, patient_id=pid, kind="weight", value=55 + rng.randrange(45))
        services.observation_record(
            actor=bo, patient_id=pid, kind="bp", value=f"{115 + rng.randrange(40)}/{70 + rng.randrange(20)}"
        )
        services.observation_record(actor=bo, patient_id=pid, kind="pulse", value=55 + rng.randrange(40))
        if code == "E11.9":
            services.observation_record(actor=bo, patient_id=pid, kind="hba1c", value=45 + rng.randrange(25))
            services.observation_record(actor=bo, patient_id=pid, kind="smoking", value_text="former")
        if nurse_tpl and i % 3 == 0:
            n = services.note_create(actor=bo, patient_id=pid, template_id=nurse_tpl)
            services.note_sign(
                actor=bo,
                note_id=n.pk,
                revision=n.revision,
                headings=[
                    {"heading": "Omvårdnadsanamnes", "text": "Kommer för blodtryckskontroll enligt ordination."},
                    {"heading": "Omvårdnadsåtgärd", "text": "Blodtryck uppmätt, värden till ansvarig läkare."},
                ],
            )
    first = ctx.patient_ids[0]
    services.allergy_record(
        actor=anna,
        patient_id=first,
        substance="Penicillin",
        atc_code="J01C",
        severity="severe",
        reaction="Urtikaria och andningsbesvär 2019.",
    )
    services.allergy_record(
        actor=anna,
        patient_id=ctx.patient_ids[1],
        substance="Jordnötter",
        severity="life_threatening",
        reaction="Anafylaxi. Adrenalinpenna förskriven.",
    )
    services.allergy_record(
        actor=anna, patient_id=ctx.patient_ids[2], kind="condition", substance="Blödarsjuka (hemofili A)", severity="severe"
    )
    if "shared" in ctx.special:
        services.allergy_record(
            actor=anna, patient_id=ctx.special["shared"].pk, substance="Sulfonamider", atc_code="J01E", severity="moderate"
        )
    # A draft left for Anna's unsigned list, and items to acknowledge.
    services.note_create(actor=anna, patient_id=ctx.patient_ids[3], template_id=doctor)
    services.acknowledgement_request(
        actor=bo, patient_id=first, summary="Hb 104 g/L (ref 117–153)", responsible_id=ctx.staff["anna"].pk
    )
    services.acknowledgement_request(
        actor=bo, patient_id=ctx.patient_ids[2], summary="Kreatinin 132 µmol/L", responsible_id=ctx.staff["anna"].pk
    )
    # A note from the hospital clinic, readable at the health centre (same provider).
    if "blocked" in ctx.special:
        pid = ctx.special["blocked"].pk
        n = services.note_create(
            actor=cecilia,
            patient_id=pid,
            note_type="Läkaranteckning",
            headings=[
                {"heading": "Aktuellt", "text": "Inskriven för förmaksflimmer med snabb kammarfrekvens."},
                {"heading": "Bedömning", "text": "Nydebuterat förmaksflimmer. CHA2DS2-VASc 2."},
            ],
        )
        services.note_sign(actor=cecilia, note_id=n.pk, revision=n.revision)
        services.diagnosis_add(actor=cecilia, patient_id=pid, code="I48.9")
