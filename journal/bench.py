"""Benchmark data and scenarios for the journal (manage.py bench --only journal).

Seeding writes ≥ 10 notes per patient (1,000,000 notes for 100,000 patients)
with PostgreSQL COPY through psycopg's `cursor.copy`, plus diagnoses and
measurements; the large indexes are dropped during the load and rebuilt
after, and no per-row audit rows are written (a seed is not care).
`journal.vitals_save` saves one set of vital signs (with its NEWS2) through the
observation chart's form, as the nurse persona.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import time
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from journal import services
from journal.codes import ensure_defaults
from journal.models import Diagnosis, DiagnosisCode, Note, NoteTemplate, Observation
from vardmiljo.bench import BenchContext, Scenario
from vardmiljo.models import Patient

NOTES_PER_PATIENT = 10
SOURCE = "bench"

PHRASES = {
    "Aktuellt": [
        "Söker för hosta sedan en vecka.",
        "Kontroll av blodtryck.",
        "Ont i ländryggen sedan i går.",
        "Uppföljning av diabetes.",
        "Feber och halsont i tre dagar.",
        "Yrsel vid uppresning.",
        "Trötthet sedan ett par månader.",
        "Förnyelse av recept.",
    ],
    "Anamnes": [
        "Tidigare frisk.",
        "Känd hypertoni, behandlad.",
        "Röker inte.",
        "Ingen känd allergi.",
        "Typ 2-diabetes sedan 2015.",
        "Opererad för ljumskbråck 2010.",
        "Astma i barndomen.",
    ],
    "Status": [
        "AT gott.",
        "Cor: regelbunden rytm, inga blåsljud.",
        "Pulm: vesikulärt andningsljud bilateralt.",
        "Buk: mjuk, oöm.",
        "Svalg: rodnad, inga beläggningar.",
        "BT 138/86, puls 72.",
    ],
    "Bedömning": [
        "Trolig viral luftvägsinfektion.",
        "Välkontrollerat blodtryck.",
        "Lumbago utan neurologiska bortfall.",
        "Acceptabel glukoskontroll.",
        "Misstänkt järnbrist, provtagning.",
    ],
    "Åtgärd": [
        "Egenvård, återkommer vid försämring.",
        "Oförändrad medicinering.",
        "Remiss till fysioterapeut.",
        "Nytt besök om tre månader.",
        "Labb: Hb, ferritin, krea.",
    ],
}
DX_CODES = ["I10.9", "E11.9", "J06.9", "M54.5", "J45.9", "F32.9", "E78.5", "K21.9", "N39.0", "I48.9"]


def _existing(source: str) -> int:
    return Note.objects.filter(source_system=source).count()


def _drop_indexes(table: str) -> list[str]:
    """Drop every index but the primary key for a bulk load; returns their definitions."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s", [table, "%_pkey"]
        )
        rows = cur.fetchall()
        for name, _d in rows:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [d for _n, d in rows]


def _replica_role(cur: Any, on: bool) -> bool:
    try:
        with transaction.atomic():
            cur.execute("SET session_replication_role = %s" % ("replica" if on else "DEFAULT"))
        return True
    except DatabaseError:
        return False


def _create_indexes(defs: list[str]) -> None:
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        for d in defs:
            cur.execute(d)


def _note_rows(ctx: BenchContext, patient_ids: list[int], rng: random.Random) -> Iterator[tuple[Any, ...]]:
    units = ctx.demo.units
    staff = ctx.demo.staff
    authors = [(staff["anna"], units["vc"].pk), (staff["bo"], units["vc"].pk), (staff["cecilia"], units["med"].pk)]
    author_cols = [
        (a.pk, str(a), a.profession, "Läkaranteckning" if a.profession == "physician" else "Omvårdnadsanteckning", u)
        for a, u in authors
    ]
    now = timezone.now()
    # A pool of distinct texts: building 1,000,000 from scratch would cost more than the COPY.
    pool = []
    for _ in range(2000):
        hs = [{"heading": h, "text": " ".join(rng.sample(PHRASES[h], 2))} for h in PHRASES]
        pool.append((json.dumps(hs, ensure_ascii=False), "\n".join(f"{h['heading']}: {h['text']}" for h in hs)))
    minutes = 3650 * 1440
    for pid in patient_ids:
        for k in range(NOTES_PER_PATIENT):
            author_id, name, prof, note_type, unit_id = author_cols[0] if k % 3 == 0 else author_cols[rng.randrange(3)]
            at = now - dt.timedelta(minutes=rng.randrange(minutes))
            headings, text = pool[rng.randrange(len(pool))]
            yield (
                pid,
                unit_id,
                note_type,
                headings,
                text,
                Note.Status.SIGNED,
                author_id,
                name,
                prof,
                at,
                at,
                at,
                at,
                author_id,
                1,
                1,
                "",
                False,
                "",
                SOURCE,
                "",
            )


NOTE_COLUMNS = (
    "patient_id, unit_id, note_type, headings, text, status, author_id, author_name, author_profession, "
    "event_at, created_at, updated_at, signed_at, signed_by_id, version_no, revision, edit_session, "
    "entered_in_error, error_reason, source_system, source_id"
)


def seed_bench(ctx: BenchContext) -> None:
    ensure_defaults()
    patient_ids = ctx.demo.patient_ids
    want = len(patient_ids) * NOTES_PER_PATIENT
    have = _existing(SOURCE)
    if have >= want:
        ctx.demo.progress(f"journal: {have} anteckningar finns redan")
        return
    done = set(Note.objects.filter(source_system=SOURCE).values_list("patient_id", flat=True).distinct())
    todo = [p for p in patient_ids if p not in done]
    rng = random.Random(4)
    t0 = time.perf_counter()
    ctx.demo.progress(f"journal: COPY {len(todo) * NOTES_PER_PATIENT} anteckningar …")
    # Rebuilding the indexes pays off only for a big load, not for a top-up.
    dropped = _drop_indexes("journal_note") if len(todo) * NOTES_PER_PATIENT > 100_000 else []
    with connection.cursor() as cur:
        raw = cur.cursor  # psycopg 3 cursor under Django's wrapper
        # The rows reference patients, units and staff that exist by construction: skip the
        # per-row foreign-key triggers while loading (needs a superuser, as the embedded server is).
        fast = _replica_role(cur, True)
        with raw.copy(f"COPY journal_note ({NOTE_COLUMNS}) FROM STDIN") as copy:
            for row in _note_rows(ctx, todo, rng):
                copy.write_row(row)
        if fast:
            _replica_role(cur, False)
        ctx.demo.progress(f"journal: anteckningar kopierade på {time.perf_counter() - t0:.0f} s, bygger index …")
    _create_indexes(dropped)
    ctx.demo.progress(f"journal: index klara efter {time.perf_counter() - t0:.0f} s")
    _seed_coded(ctx, todo, rng)
    ctx.demo.progress(f"journal: klart på {time.perf_counter() - t0:.0f} s")


def _seed_coded(ctx: BenchContext, patient_ids: list[int], rng: random.Random) -> None:
    texts = dict(DiagnosisCode.objects.filter(code__in=DX_CODES).values_list("code", "text"))
    anna = ctx.demo.staff["anna"]
    vc = ctx.demo.units["vc"].pk
    now = timezone.now()
    with connection.cursor() as cur:
        raw = cur.cursor
        with raw.copy(
            "COPY journal_diagnosis (patient_id, unit_id, code, code_text, kind, status, recorded_at, "
            "recorded_by_id, author_name, entered_in_error, error_reason, source_system) FROM STDIN"
        ) as copy:
            for pid in patient_ids:
                for code in rng.sample(DX_CODES, 2):
                    at = now - dt.timedelta(days=rng.randrange(3650))
                    copy.write_row(
                        (
                            pid,
                            vc,
                            code,
                            texts.get(code, ""),
                            Diagnosis.Kind.MAIN,
                            Diagnosis.Status.ACTIVE,
                            at,
                            anna.pk,
                            str(anna),
                            False,
                            "",
                            SOURCE,
                        )
                    )
        with raw.copy(
            "COPY journal_observation (patient_id, unit_id, kind, value, value2, value_text, unit_text, "
            "observed_at, recorded_by_id, author_name, entered_in_error, error_reason, source_system) "
            "FROM STDIN"
        ) as copy:
            for pid in patient_ids:
                for _ in range(2):
                    at = now - dt.timedelta(days=rng.randrange(3650))
                    copy.write_row(
                        (
                            pid,
                            vc,
                            Observation.Kind.BLOOD_PRESSURE,
                            110 + rng.randrange(60),
                            60 + rng.randrange(30),
                            "",
                            "mmHg",
                            at,
                            anna.pk,
                            str(anna),
                            False,
                            "",
                            SOURCE,
                        )
                    )
                    copy.write_row(
                        (
                            pid,
                            vc,
                            Observation.Kind.PULSE,
                            50 + rng.randrange(50),
                            None,
                            "",
                            "slag/min",
                            at,
                            anna.pk,
                            str(anna),
                            False,
                            "",
                            SOURCE,
                        )
                    )
                    copy.write_row(
                        (
                            pid,
                            vc,
                            Observation.Kind.WEIGHT,
                            50 + rng.randrange(60),
                            None,
                            "",
                            "kg",
                            at,
                            anna.pk,
                            str(anna),
                            False,
                            "",
                            SOURCE,
                        )
                    )


def scenarios(ctx: BenchContext) -> list[Scenario]:
    rng = random.Random(7)
    sample_ids = rng.sample(ctx.demo.patient_ids, min(2000, len(ctx.demo.patient_ids)))
    people = list(Patient.objects.filter(pk__in=sample_ids).values_list("pk", "identifier", "given_name", "family_name"))
    anna = ctx.client("anna")
    actor = ctx.actor("anna")
    template_id = NoteTemplate.objects.filter(note_type="Läkaranteckning").values_list("pk", flat=True).first()
    drafts: list[tuple[int, int]] = []
    to_sign: list[int] = []

    def pick(i: int) -> tuple[int, str, str, str]:
        return people[i % len(people)]

    def search_pnr(i: int) -> Any:
        pnr = pick(i)[1]
        return anna.get("/", {"q": f"{pnr[:8]}-{pnr[8:]}"})

    def search_name(i: int) -> Any:
        _pk, _pnr, given, family = pick(i)
        return anna.get("/", {"q": f"{family} {given}"})

    def overview(i: int) -> Any:
        return anna.get(f"/patient/{pick(i)[0]}/")

    def timeline(i: int) -> Any:
        return anna.get(f"/journal/patient/{pick(i)[0]}/journal/")

    def _make_drafts(n: int) -> list[tuple[int, int]]:
        out = []
        for i in range(n + 10):
            note = services.note_create(actor=actor, patient_id=pick(i)[0], template_id=template_id)
            out.append((note.pk, note.revision))
        return out

    def prepare_drafts(n: int) -> None:
        drafts[:] = _make_drafts(n)

    def save_draft(i: int) -> Any:
        note_id, revision = drafts[i % len(drafts)]
        return anna.post(
            f"/journal/anteckning/{note_id}/autospara/",
            {
                "revision": revision,
                "edit_session": "bench",
                "h-title": list(PHRASES),
                "h-text": [f"{PHRASES[h][i % len(PHRASES[h])]} ({i})" for h in PHRASES],
            },
            HTTP_HX_REQUEST="true",
        )

    def prepare_sign(n: int) -> None:
        to_sign[:] = [pk for pk, _rev in _make_drafts(n)]

    counter = itertools.count()

    def sign(i: int) -> Any:
        note_id = to_sign[next(counter) % len(to_sign)]
        return anna.post(
            f"/journal/anteckning/{note_id}/signera/",
            {
                "revision": 1,
                "edit_session": "bench",
                "h-title": list(PHRASES),
                "h-text": [PHRASES[h][0] for h in PHRASES],
            },
        )

    bo = ctx.client("bo")

    def vitals_save(i: int) -> Any:
        # One set through the observation chart's form, as a nurse saves it at the bedside.
        return bo.post(
            f"/journal/patient/{pick(i)[0]}/vitalparametrar/ny/",
            {
                "submission": f"bench-{time.time_ns()}-{i}",
                "rader": "1",
                "r1-observed_at": "",
                "r1-respiratory_rate": str(14 + i % 12),
                "r1-spo2": str(92 + i % 8),
                "r1-spo2_scale": "1",
                "r1-on_oxygen": "oxygen" if i % 5 == 0 else "air",
                "r1-systolic": str(100 + i % 60),
                "r1-diastolic": "70",
                "r1-pulse": str(60 + i % 60),
                "r1-consciousness": "A",
                "r1-temperature": f"{36 + (i % 30) / 10:.1f}",
            },
        )

    return [
        Scenario(name="journal.search_pnr", run=search_pnr),
        Scenario(name="journal.search_name", run=search_name),
        Scenario(name="journal.overview", run=overview),
        Scenario(name="journal.timeline", run=timeline),
        Scenario(name="journal.save_draft", run=save_draft, prepare=prepare_drafts),
        Scenario(name="journal.sign", run=sign, prepare=prepare_sign),
        Scenario(name="journal.vitals_save", run=vitals_save),
    ]
