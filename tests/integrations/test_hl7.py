"""HL7 v2 ADT import: A04 register, A08 update, A40 merge, bad messages reported."""

from __future__ import annotations

import shutil

import pytest

from integrations import services
from integrations.legacy_import import runner
from integrations.models import ImportErrorRow, ImportJob
from tests.integrations.conftest import SAMPLES, VC_HSA
from vardmiljo.models import AccessLog, CareRelationship, Patient

pytestmark = pytest.mark.django_db


def _run(path, **kw):  # type: ignore[no-untyped-def]
    job = services.import_job_create(source="hl7", path=path, source_system="ELVIS", **kw)
    return runner.run_job(job.pk)


def test_sample_file_registers_updates_merges_and_reports(demo_units, tmp_path):
    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    job = _run(path)
    assert job.status == ImportJob.Status.DONE
    # A04 → patients with names, sex, address, phone and a care relationship on ground "import".
    astrid = Patient.objects.get(identifier="195001019826")
    assert (astrid.given_name, astrid.family_name, astrid.sex) == ("Astrid", "Andersson", "F")
    assert astrid.address == "Storgatan 1, 41101 Göteborg"
    assert CareRelationship.objects.filter(patient=astrid, unit=demo_units["vc"], ground="import").exists()
    # A08 → update of name, address and phone.
    nils = Patient.objects.get(identifier="196205179911")
    assert nils.given_name == "Nils Olof" and nils.phone == "033-200099" and "Skolgatan 3" in nils.address
    # A40 → the duplicate points at the survivor and its care relationship moved with it.
    dup = Patient.objects.get(identifier="195001019842")
    assert dup.merged_into_id == astrid.pk
    assert not CareRelationship.objects.filter(patient=dup).exists()
    assert CareRelationship.objects.filter(patient=astrid, unit=demo_units["med"]).exists()
    # The message after the bad ones still imported.
    assert Patient.objects.filter(identifier="198107149885").exists()
    # Error report: line (of the MSH) and reason for each rejected message.
    errors = list(ImportErrorRow.objects.filter(job=job).values_list("line", "reason"))
    assert [line for line, _ in errors] == [21, 25, 29]
    assert "Ogiltigt personnummer" in errors[0][1] and "Kontrollsiffran" in errors[0][1]
    assert "Okänd vårdenhet SE2321000131-E999999999999" in errors[1][1]
    assert "Felaktigt HL7-meddelande" in errors[2][1]
    assert job.error_count == 3
    assert job.counts == {"adt_a04": 4, "adt_a08": 1, "adt_a40": 1}
    # One system row per batch in the access log, not one per message.
    batches = AccessLog.objects.filter(action="import.batch", object_type="integrations.importjob", object_id=str(job.pk))
    assert batches.count() == 1
    assert batches.get().ground == "system" and batches.get().detail["errors"] == 3


def test_importing_twice_changes_nothing(demo_units, tmp_path):
    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    _run(path)
    before = (
        Patient.objects.count(),
        CareRelationship.objects.count(),
        list(Patient.objects.order_by("pk").values_list("given_name", "address", "merged_into_id")),
    )
    job2 = _run(path)
    assert job2.created_count == 0 and job2.updated_count == 0 and job2.skipped_count == 6
    after = (
        Patient.objects.count(),
        CareRelationship.objects.count(),
        list(Patient.objects.order_by("pk").values_list("given_name", "address", "merged_into_id")),
    )
    assert before == after


def test_a08_for_unknown_patient_registers_and_a40_needs_both(demo_units, tmp_path):
    path = tmp_path / "x.hl7"
    path.write_text(
        "\n".join(
            [
                "MSH|^~\\&|X|Y|V|R|20240101||ADT^A08^ADT_A01|1|P|2.5",
                "PID|1||197511039864||Cederlund^Eva||19751103|F",
                "MSH|^~\\&|X|Y|V|R|20240101||ADT^A40^ADT_A39|2|P|2.5",
                "PID|1||197511039864||Cederlund^Eva",
                "MRG|194802299935",
                "MSH|^~\\&|X|Y|V|R|20240101||ADT^A05^ADT_A05|3|P|2.5",
                "PID|1||194802299935||Ek^Stig|||M|||||||||||||||||||||||||",
                f"PV1|1|O|{VC_HSA}",
            ]
        )
    )
    job = _run(path)
    assert Patient.objects.filter(identifier="197511039864", merged_into=None).exists()
    reasons = dict(ImportErrorRow.objects.filter(job=job).values_list("line", "reason"))
    assert "finns inte" in reasons[3]
    assert "ADT^A05 stöds inte" in reasons[6]


def test_dry_run_validates_only(demo_units, tmp_path):
    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    job = _run(path, dry_run=True)
    assert job.status == ImportJob.Status.DONE and job.dry_run
    assert Patient.objects.count() == 0
    # Exactly the bad messages are found without writing anything (the A40 of patients that the
    # file itself registers is not one of them).
    assert list(ImportErrorRow.objects.filter(job=job).values_list("line", flat=True)) == [21, 25, 29]
    assert not AccessLog.objects.filter(action="import.batch", object_id=str(job.pk)).exists()


def test_national_identity_is_picked_among_repetitions(demo_units, tmp_path):
    path = tmp_path / "r.hl7"
    path.write_text(
        "\r".join(
            [
                "MSH|^~\\&|X|Y|V|R|20240101||ADT^A04^ADT_A01|R1|P|2.5",
                "PID|1||LOCAL123^^^HOSP^MR~197511039864^^^SKV^PN||Cederlund^Eva~Alias^Namn|||F",
                f"PV1|1|O|{VC_HSA}",
            ]
        )
    )
    job = _run(path)
    assert job.error_count == 0
    eva = Patient.objects.get(identifier="197511039864")
    assert (eva.given_name, eva.family_name) == ("Eva", "Cederlund")


def test_a40_moves_the_whole_record_and_keeps_blocks(world, tmp_path):
    from journal.models import Note
    from tests import factories as f

    old = f.make_patient(unit=world.med, given_name="Dubblett")
    survivor = f.make_patient(unit=world.vc, given_name="Riktig")
    note = Note.objects.create(
        patient=old, unit=world.med, note_type="Läkaranteckning", text="Gammal anteckning", status=Note.Status.SIGNED
    )
    block = f.block(old, world.med, world.colleague.staff)
    path = tmp_path / "m.hl7"
    path.write_text(
        "\r".join(
            [
                "MSH|^~\\&|X|Y|V|R|20240101||ADT^A40^ADT_A39|M1|P|2.5",
                f"PID|1||{survivor.identifier}||Patientsson^Riktig",
                f"MRG|{old.identifier}",
            ]
        )
    )
    job = _run(path)
    assert job.error_count == 0
    note.refresh_from_db()
    block.refresh_from_db()
    assert note.patient_id == survivor.pk and block.patient_id == survivor.pk
    assert CareRelationship.objects.filter(patient=survivor, unit=world.med).exists()
    old.refresh_from_db()
    assert old.merged_into_id == survivor.pk
    # The physician at Vårdcentral Centrum now reads the survivor's record, except the blocked unit's notes.
    from vardmiljo.access import patient_access

    pa = patient_access(world.physician, survivor.pk, action="test.read")
    assert not pa.filter(Note.objects.all()).exists()
    pa_med = patient_access(world.colleague, survivor.pk, action="test.read")
    assert list(pa_med.filter(Note.objects.all())) == [note]
    row = AccessLog.objects.get(action="import.batch", object_id=str(job.pk))
    merge = row.detail["merges"][0]
    assert merge["from"] == old.pk and merge["to"] == survivor.pk
    assert merge["moved"]["journal.note.patient"] == 1 and merge["moved"]["vardmiljo.block.patient"] == 1


def test_12_10_a_nul_byte_rejects_its_message_and_the_rest_is_imported(demo_units, tmp_path):
    raw = (SAMPLES / "adt.hl7").read_bytes()
    # A NUL in the second message's patient name (its MSH is line 5).
    raw = raw.replace(b"195001019842^^^SKV^PN||Andersson", b"195001019842^^^SKV^PN||Anders\x00son", 1)
    assert raw.count(b"\x00") == 1
    path = tmp_path / "nul.hl7"
    path.write_bytes(raw)
    job = _run(path)
    assert job.status == ImportJob.Status.DONE
    errors = dict(ImportErrorRow.objects.filter(job=job).values_list("line", "reason"))
    assert "NUL-tecken (0x00) i segment 3 (PID)" in errors[5]
    assert "\\x00" in ImportErrorRow.objects.get(job=job, line=5).excerpt
    assert not Patient.objects.filter(identifier="195001019842").exists()
    # Every other message is imported as usual.
    assert Patient.objects.filter(identifier="195001019826").exists()
    assert Patient.objects.filter(identifier="198107149885").exists()
    # Line 17 merges the rejected identity (now unknown); 21, 25 and 29 are the sample's own bad messages.
    assert sorted(errors) == [5, 17, 21, 25, 29]
