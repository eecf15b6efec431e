"""Import of the old record system's journal export (JSON lines)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest

from integrations import services
from integrations.legacy_import import runner, targets
from integrations.models import ImportedRecord, ImportErrorRow, ImportJob
from tests.integrations.conftest import SAMPLES, VC_HSA
from vardmiljo.identifiers import make_personnummer
from vardmiljo.models import AccessLog, CareRelationship, Patient

pytestmark = pytest.mark.django_db


def _import(path, **kw):  # type: ignore[no-untyped-def]
    job = services.import_job_create(source="jsonl", path=path, source_system=kw.pop("source_system", "Melior"), **kw)
    return runner.run_job(job.pk, **({"batch_size": kw_bs} if (kw_bs := kw.get("batch_size")) else {}))


def _counts():  # type: ignore[no-untyped-def]
    from journal.models import Diagnosis, Note, Observation
    from lakemedel.models import MedicationOrder, MedicationOrderVersion

    return (
        Note.objects.count(),
        Diagnosis.objects.count(),
        Observation.objects.count(),
        MedicationOrder.objects.count(),
        MedicationOrderVersion.objects.count(),
        Patient.objects.count(),
        CareRelationship.objects.count(),
    )


def test_sample_export_imports_every_kind_and_reports_bad_lines(registered, catalogue, tmp_path):
    from journal.models import Diagnosis, Note, Observation
    from lakemedel.models import MedicationOrder

    path = tmp_path / "journal.jsonl"
    shutil.copy(SAMPLES / "journal.jsonl", path)
    job = _import(path)
    assert job.status == ImportJob.Status.DONE
    assert job.counts == {"note": 4, "diagnosis": 2, "observation": 5, "medication_order": 1}
    astrid = Patient.objects.get(identifier="195001019826")
    note = Note.objects.get(source_id="MEL-1001")
    # Imported, from its source system, by the legacy author, not signed by anyone here.
    assert note.status == Note.Status.IMPORTED and note.source_system == "Melior" and note.signed_by is None
    assert note.author_name == "Karl Doktorsson" and note.author is None and note.note_type == "Läkaranteckning"
    assert note.headings == [
        {"heading": "Bedömning", "text": "Typ 2-diabetes sedan 2015. Välreglerad på metformin. Fortsätter som tidigare."}
    ]
    assert note.patient == astrid and note.unit == registered["vc"]
    assert note.event_at.isoformat().startswith("2019-03-04T09:15")  # 10:15 in Stockholm
    dx = Diagnosis.objects.get(patient=astrid)
    assert (dx.code, dx.source_system, dx.author_name) == ("E11.9", "Melior", "Karl Doktorsson")
    obs = {o.kind: o for o in Observation.objects.filter(patient=astrid)}
    assert obs["hba1c"].value == Decimal("52.00") and obs["hba1c"].unit_text == "mmol/mol"
    assert (obs["bp"].value, obs["bp"].value2) == (Decimal("138.00"), Decimal("82.00"))
    assert obs["weight"].value == Decimal("84.50") and obs["smoking"].value_text == "former"
    order = MedicationOrder.objects.get(patient=astrid)
    assert order.atc_code == "A10BA02" and order.dose == 1 and order.times == 2 and order.versions.count() == 1
    assert order.prescriber.username == "system.import"
    # The heart-failure patient now has a care relationship at the medicine clinic, on ground "import".
    nils = Patient.objects.get(identifier="196205179911")
    assert CareRelationship.objects.filter(patient=nils, unit=registered["med"], ground="import").exists()
    # Every bad line is in the error report with its line number and reason; the rest imported.
    errors = dict(ImportErrorRow.objects.filter(job=job).values_list("line", "reason"))
    assert sorted(errors) == [12, 13, 14, 15, 16, 17]
    assert "Ogiltigt personnummer" in errors[12]
    assert "Okänd vårdenhet SE2321000131-E000000000099" in errors[13]
    assert errors[14] == "Datum saknas."
    assert "inte giltig JSON" in errors[15]
    assert "hba1c 900" in errors[16] and "inte rimligt" in errors[16]
    assert "finns inte i vårdmiljön" in errors[17]
    assert Note.objects.filter(source_id="MEL-1018").exists()  # after the bad lines
    # One system row in the access log for the batch, none per record.
    rows = AccessLog.objects.filter(action="import.batch", object_id=str(job.pk))
    assert rows.count() == 1 and rows.get().ground == "system" and rows.get().detail["counts"]["note"] == 4
    assert rows.get().staff_name == "System import"


def test_importing_the_same_file_twice_changes_nothing(registered, catalogue, tmp_path):
    path = tmp_path / "journal.jsonl"
    shutil.copy(SAMPLES / "journal.jsonl", path)
    _import(path)
    before = _counts()
    job2 = _import(path)
    assert _counts() == before
    assert job2.created_count == 0 and job2.skipped_count == 12 and job2.error_count == 6
    # The same file under another name is the same records too.
    copy = tmp_path / "kopia.jsonl"
    shutil.copy(path, copy)
    _import(copy)
    assert _counts() == before


def test_unknown_patient_with_names_is_registered(demo_units, tmp_path):
    from journal.models import Note

    pnr = make_personnummer(__import__("datetime").date(1970, 4, 4), 982)
    path = tmp_path / "x.jsonl"
    path.write_text(
        json.dumps(
            {
                "typ": "anteckning",
                "pnr": pnr,
                "fornamn": "Olle",
                "efternamn": "Ny",
                "datum": "2020-01-01",
                "enhet": VC_HSA,
                "sokord": "Aktuellt",
                "text": "Hej",
            }
        )
        + "\n"
    )
    job = _import(path)
    p = Patient.objects.get(identifier=pnr)
    assert (p.given_name, p.family_name, p.sex, p.birth_date.year) == ("Olle", "Ny", "F", 1970)
    assert Note.objects.filter(patient=p).count() == 1 and job.error_count == 0
    assert CareRelationship.objects.filter(patient=p, unit=demo_units["vc"], ground="import").exists()
    assert ImportedRecord.objects.get().key.startswith("note:sha:")  # no id in the export: content hash


def _synthetic(path, n: int, patients: int = 5) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    pnrs = [make_personnummer(dt.date(1960, 1, 1) + dt.timedelta(days=i), 990) for i in range(patients)]
    with path.open("w") as fh:
        for i in range(n):
            fh.write(
                json.dumps(
                    {
                        "id": f"S-{i}",
                        "typ": "anteckning",
                        "pnr": pnrs[i % patients],
                        "fornamn": "Test",
                        "efternamn": f"Person{i % patients}",
                        "datum": "2018-05-05 08:00",
                        "enhet": VC_HSA,
                        "forfattare": "Dr X",
                        "sokord": "Aktuellt",
                        "text": f"Anteckning {i}",
                    }
                )
                + "\n"
            )


def test_resume_after_a_crash_continues_from_the_last_committed_batch(demo_units, tmp_path):
    from journal.models import Note

    path = tmp_path / "big.jsonl"
    _synthetic(path, 50)
    job = services.import_job_create(source="jsonl", path=path, source_system="Melior")

    def crash(batches: int) -> None:
        if batches == 3:
            raise runner.Interrupted("simulerad krasch")

    with pytest.raises(runner.Interrupted):
        runner.run_job(job.pk, batch_size=10, after_batch=crash)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.lines_done == 30 and "simulerad krasch" in job.last_error
    assert Note.objects.count() == 30
    # Running the same import again finds the interrupted job and continues after line 30.
    again = services.import_job_create(source="jsonl", path=path, source_system="Melior")
    assert again.pk == job.pk
    done = runner.run_job(again.pk, batch_size=10)
    assert done.status == ImportJob.Status.DONE and done.created_count == 50 and done.skipped_count == 0
    assert Note.objects.count() == 50 and Note.objects.values("source_id").distinct().count() == 50
    assert AccessLog.objects.filter(action="import.batch", object_id=str(job.pk)).count() == 5


def test_crash_inside_a_batch_rolls_the_whole_batch_back(demo_units, tmp_path, monkeypatch):
    from journal.models import Note

    path = tmp_path / "big.jsonl"
    _synthetic(path, 30)
    real = targets.write_notes
    calls = {"n": 0}

    def flaky(ctx, recs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("databasen försvann")
        return real(ctx, recs)

    monkeypatch.setitem(targets.WRITERS, "note", ("journal.note", flaky))
    job = services.import_job_create(source="jsonl", path=path)
    with pytest.raises(RuntimeError):
        runner.run_job(job.pk, batch_size=10)
    assert Note.objects.count() == 10 and ImportedRecord.objects.count() == 10  # batch 2 left no trace
    monkeypatch.setitem(targets.WRITERS, "note", ("journal.note", real))
    runner.run_job(job.pk, batch_size=10)
    assert Note.objects.count() == 30 and ImportedRecord.objects.filter(object_id__isnull=False).count() == 30


def test_dry_run_writes_nothing_and_reports_errors(registered, catalogue, tmp_path):
    path = tmp_path / "journal.jsonl"
    shutil.copy(SAMPLES / "journal.jsonl", path)
    before = _counts()
    job = _import(path, dry_run=True)
    assert _counts() == before and not ImportedRecord.objects.filter(job=job).exists()
    assert job.error_count == 6 and job.created_count == 12
    assert not AccessLog.objects.filter(action="import.batch", object_id=str(job.pk)).exists()


def test_one_runner_per_job(demo_units, tmp_path):
    from django.db import connections

    path = tmp_path / "s.jsonl"
    _synthetic(path, 5)
    job = services.import_job_create(source="jsonl", path=path)
    # Another session holds the job's lock, as a first worker would.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s, %s)", [runner._LOCK_CLASS, job.pk])
        with pytest.raises(runner.JobBusy):
            runner.run_job(job.pk)
        assert services.import_job_run(job_id=job.pk) == "busy"
    finally:
        other.close()
    assert services.import_job_run(job_id=job.pk) == "done"


def test_batch_log_row_lists_the_care_relationships_it_created(demo_units, tmp_path):
    path = tmp_path / "s.jsonl"
    _synthetic(path, 12, patients=3)
    job = _import(path)
    row = AccessLog.objects.get(action="import.batch", object_id=str(job.pk))
    ids = set(Patient.objects.filter(family_name__startswith="Person").values_list("pk", flat=True))
    assert {p for p, _ in row.detail["care_relationships"]} == ids
    assert set(row.detail["patients_registered"]) == ids
    assert CareRelationship.objects.filter(patient_id__in=ids, ground="import", unit=demo_units["vc"]).count() == 3
    assert not AccessLog.objects.filter(action="care_relationship.create", patient_id__in=ids).exists()


def test_csv_variant_with_semicolons_and_multiline_text(registered, tmp_path):
    from journal.models import Diagnosis, Note, Observation

    path = tmp_path / "journal.csv"
    shutil.copy(SAMPLES / "journal.csv", path)
    job = runner.run_job(services.import_job_create(source="csv", path=path, source_system="ELVIS-journal").pk)
    assert job.counts == {"note": 1, "observation": 1, "diagnosis": 1}
    note = Note.objects.get(source_id="ELV-1")
    assert note.headings == [{"heading": "Aktuellt", "text": "Årskontroll diabetes.\nMår bra; inga fotsår."}]
    assert Observation.objects.get(kind="hba1c").value == 55 and Diagnosis.objects.get().code == "I10"
    errors = dict(ImportErrorRow.objects.filter(job=job).values_list("line", "reason"))
    assert errors == {6: "Datum saknas.", 7: "Fel antal fält på raden: 4 fält, rubrikraden har 10."}
    again = runner.run_job(services.import_job_create(source="csv", path=path, source_system="ELVIS-journal").pk)
    assert again.created_count == 0 and again.skipped_count == 3


def test_12_10_a_nul_in_a_record_rejects_that_line_only(registered, catalogue, tmp_path):
    from journal.models import Note

    lines = (SAMPLES / "journal.jsonl").read_text().splitlines()
    note_line = next(n for n, line in enumerate(lines) if '"MEL-1001"' in line)
    lines[note_line] = lines[note_line].replace("Välreglerad", "Väl\\u0000reglerad")
    lines.append('{"typ": "anteckning", "id": "RAW\x00NUL"}')  # a raw NUL byte: not JSON
    path = tmp_path / "journal.jsonl"
    path.write_text("\n".join(lines) + "\n")
    job = _import(path)
    assert job.status == ImportJob.Status.DONE
    errors = dict(ImportErrorRow.objects.filter(job=job).values_list("line", "reason"))
    assert "NUL-tecken" in errors[note_line + 1]
    assert "inte giltig JSON" in errors[len(lines)]
    assert not Note.objects.filter(source_id="MEL-1001").exists()
    assert Note.objects.filter(source_id="MEL-1018").exists()
