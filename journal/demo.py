"""Demo record: a few realistic notes, diagnoses, measurements, allergies and an
item to acknowledge for the first demo patients and the special personas,
written through the services (so the demo also has its audit rows)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from journal import services
from journal.codes import ensure_defaults
from journal.models import Note, NoteTemplate
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


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    ensure_defaults()
    if Note.objects.filter(source_system="").exists():
        return
    anna = Actor(staff=ctx.staff["anna"], assignment=ctx.assignments["anna"], client_ip="127.0.0.1")
    bo = Actor(staff=ctx.staff["bo"], assignment=ctx.assignments["bo"], client_ip="127.0.0.1")
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
