"""Downtime bundles (issue 18): written per unit, encrypted, atomic, the last N kept; opened
by `downtime_open` with no database; one access-log row per unit and patient set; failures
leave the previous bundle and raise the staleness alarm."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from driftstopp import bundle, services
from driftstopp.models import UnitDowntime
from driftstopp.open import OpenError, newest, open_bundle
from journal import services as journal
from lakemedel import catalogue
from tests import factories as f
from tests.conftest import World
from tests.lakemedel.conftest import order
from tests.tidbok.helpers import make_resource, make_slot
from tidbok import services as tidbok
from vardmiljo.models import AccessLog, Block
from vardmiljo.registry import DOWNTIME_UNIT_SECTIONS, DowntimeTable, downtime_unit_section

BIN = Path(sys.executable).parent / "downtime_open"


@pytest.fixture
def bundles(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DOWNTIME_DIR = str(tmp_path / "driftstopp")
    settings.DOWNTIME_KEEP = 2
    return tmp_path / "driftstopp"


def _signed_note(actor, patient_id: int, text: str) -> None:  # type: ignore[no-untyped-def]
    note = journal.note_create(
        actor=actor, patient_id=patient_id, note_type="Besöksanteckning", headings=[{"heading": "Aktuellt", "text": text}]
    )
    journal.note_sign(actor=actor, note_id=note.pk, revision=note.revision)


@pytest.fixture
def ward_day(world: World, bundles: Path) -> World:
    """Karin: a booking today at Vårdcentral Centrum, an allergy, a medication, a signed note,
    and a note at Medicinkliniken (same provider)."""
    catalogue.ensure_sample()
    res = make_resource(world.vc, "Dr Andersson")
    slot = make_slot(res, in_minutes=60)  # today or, late in the evening, tomorrow: both are in the bundle
    tidbok.booking_create(actor=world.physician, patient_id=world.patient.pk, slot_id=slot.pk)
    journal.allergy_record(actor=world.physician, patient_id=world.patient.pk, substance="Penicillin")
    order(world.physician, world.patient.pk, "Waran")
    _signed_note(world.physician, world.patient.pk, "Blodtryck välinställt, fortsätt som tidigare.")
    f.relate(world.patient, world.med)
    _signed_note(world.colleague, world.patient.pk, "Hjärtekokardiografi utan anmärkning.")
    return world


def _key(unit) -> str:  # type: ignore[no-untyped-def]
    return UnitDowntime.objects.get(unit=unit).key


def _open(world: World, path: Path) -> dict[str, bytes]:
    from cryptography.fernet import Fernet, MultiFernet

    manifest, files = open_bundle(path, MultiFernet([Fernet(_key(world.vc).encode())]))
    assert manifest["unit"]["hsa_id"] == world.vc.hsa_id  # type: ignore[index]
    return files


def test_bundle_holds_what_the_unit_needs_and_what_the_database_says(ward_day: World, bundles: Path) -> None:
    w = ward_day
    written = services.bundle_write(unit=w.vc)
    assert written.error == "" and written.path is not None and written.path.parent == bundles / w.vc.hsa_id
    files = _open(w, written.path)
    html = files["index.html"].decode()
    for expected in (
        w.patient.full_name,
        w.patient.display_identifier,
        "Penicillin",
        "Waran",
        "Blodtryck välinställt",
        "Dr Andersson",
    ):
        assert expected in html
        assert expected in files["sammanfattning.txt"].decode()
    # Medicinkliniken's note is the same provider's data: readable by the unit without consent.
    assert "Hjärtekokardiografi" in html
    assert files["oversikt.pdf"].startswith(b"%PDF") and files["patienter.pdf"].startswith(b"%PDF")


def test_html_is_static_and_self_contained(ward_day: World) -> None:
    html = _open(ward_day, services.bundle_write(unit=ward_day.vc).path).__getitem__("index.html").decode()  # type: ignore[arg-type]
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html and "src=" not in html


def test_a_block_keeps_the_blocked_units_notes_out_of_the_bundle(ward_day: World) -> None:
    w = ward_day
    Block.objects.create(
        patient=w.patient,
        provider=w.region,
        unit=w.med,
        set_by=w.physician.staff,
        requested_by_patient_note="på patientens begäran",
    )
    html = _open(w, services.bundle_write(unit=w.vc).path)["index.html"].decode()  # type: ignore[arg-type]
    assert "Blodtryck välinställt" in html  # the unit's own note stays
    assert "Hjärtekokardiografi" not in html


def test_a_section_cannot_name_a_patient_without_a_care_relationship(ward_day: World) -> None:
    stranger = f.make_patient(given_name="Okänd", family_name="Främling")

    @downtime_unit_section("test.stranger", order=99)
    def stranger_section(unit, now):  # type: ignore[no-untyped-def]
        return [DowntimeTable(title="Test", columns=["Namn"], rows=[[stranger.full_name]], patient_ids=[stranger.pk])]

    try:
        html = _open(ward_day, services.bundle_write(unit=ward_day.vc).path)["index.html"].decode()  # type: ignore[arg-type]
    finally:
        DOWNTIME_UNIT_SECTIONS.pop("test.stranger")
    assert "Främling" not in html


def test_one_access_log_row_per_unit_and_patient_set(ward_day: World, audit_rows) -> None:  # type: ignore[no-untyped-def]
    before = AccessLog.objects.count()
    services.bundle_write(unit=ward_day.vc)
    rows = audit_rows(action="downtime.bundle")
    assert len(rows) == 1 and AccessLog.objects.count() == before + 1
    assert rows[0].patient_ids == [ward_day.patient.pk]
    assert rows[0].object_id == str(ward_day.vc.pk) and rows[0].ground == "system"


def test_last_n_kept_and_written_atomically(ward_day: World, bundles: Path) -> None:
    now = timezone.now()
    for minutes in (0, 10, 20):
        services.bundle_write(unit=ward_day.vc, now=now + dt.timedelta(minutes=minutes))
    folder = bundles / ward_day.vc.hsa_id
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and not any(n.startswith(".") for n in names)
    assert newest(folder).name == bundle.file_name(ward_day.vc, now + dt.timedelta(minutes=20))


def test_downtime_open_reads_a_bundle_without_the_database(ward_day: World, bundles: Path, tmp_path: Path) -> None:
    services.bundle_write(unit=ward_day.vc)
    key_file = tmp_path / "vc.key"
    key_file.write_text(_key(ward_day.vc) + "\n")
    # No Django settings, no database URL: the downtime PC has neither.
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    out = subprocess.run(
        [str(BIN), str(bundles / ward_day.vc.hsa_id), "--key-file", str(key_file), "--extract", str(tmp_path / "ut")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "Vårdcentral Centrum" in out.stdout and "1 patienter" in out.stdout
    assert ward_day.patient.full_name in (tmp_path / "ut" / "index.html").read_text()
    printed = subprocess.run(
        [str(BIN), str(bundles / ward_day.vc.hsa_id), "--key-file", str(key_file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "Waran" in printed.stdout


def test_wrong_key_and_corrupt_bundle_give_a_clear_message(ward_day: World, bundles: Path, tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    path = services.bundle_write(unit=ward_day.vc).path
    assert path is not None
    wrong = subprocess.run(
        [str(BIN), str(path), "--key", Fernet.generate_key().decode()], capture_output=True, text=True, timeout=60
    )
    assert wrong.returncode == 2 and "fel nyckel" in wrong.stderr
    damaged = tmp_path / "skadad.vmdt"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    corrupt = subprocess.run([str(BIN), str(damaged), "--key", _key(ward_day.vc)], capture_output=True, text=True, timeout=60)
    assert corrupt.returncode == 2 and "skadad" in corrupt.stderr
    with pytest.raises(OpenError, match="finns inte"):
        newest(tmp_path / "saknas.vmdt")


def test_unwritable_directory_keeps_the_previous_bundle_and_raises_the_alarm(ward_day: World, bundles: Path, client) -> None:  # type: ignore[no-untyped-def]
    first = services.bundle_write(unit=ward_day.vc, now=timezone.now() - dt.timedelta(minutes=25))
    assert first.path is not None
    blocker = bundles / "en-fil"
    blocker.write_text("inte en katalog")
    UnitDowntime.objects.filter(unit=ward_day.vc).update(directory=str(blocker / "under"))
    failed = services.bundle_write(unit=ward_day.vc)
    assert failed.path is None and "kunde inte skapas" in failed.error or "skriva" in failed.error
    assert first.path.exists()
    cfg = UnitDowntime.objects.get(unit=ward_day.vc)
    assert cfg.last_error and cfg.last_bundle == str(first.path)
    resp = client.get("/healthz")
    assert resp.status_code == 503 and ward_day.vc.hsa_id in resp.json()["checks"]["downtime"]
    with pytest.raises(SystemExit) as exit_:
        call_command("downtime_status")
    assert exit_.value.code == 1


def test_full_disk_leaves_the_previous_bundle(ward_day: World, bundles: Path) -> None:
    now = timezone.now()
    first = services.bundle_write(unit=ward_day.vc, now=now - dt.timedelta(minutes=10))
    assert first.path is not None
    # The next write goes to /dev/full, which answers every write with ENOSPC.
    os.symlink("/dev/full", first.path.parent / f".{bundle.file_name(ward_day.vc, now)}.tmp")
    failed = services.bundle_write(unit=ward_day.vc, now=now)
    assert failed.error.startswith("Disken är full")
    assert first.path.exists() and newest(first.path.parent) == first.path
    assert not any(p.name.startswith(".") for p in first.path.parent.iterdir())


def test_status_reports_age_and_fails_when_older_than_two_intervals(ward_day: World, settings, capsys) -> None:  # type: ignore[no-untyped-def]
    settings.DOWNTIME_INTERVAL_MINUTES = 10
    services.bundles_write_all()
    call_command("downtime_status")  # every unit fresh: exit 0
    assert "ok  " in capsys.readouterr().out
    UnitDowntime.objects.filter(unit=ward_day.vc).update(last_success_at=timezone.now() - dt.timedelta(minutes=21))
    with pytest.raises(SystemExit):
        call_command("downtime_status")
    assert "FEL" in capsys.readouterr().out


def test_bundles_command_prints_its_figure(ward_day: World, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("downtime_bundles")
    out = capsys.readouterr().out
    assert "downtime.bundles units=3 failed=0" in out and "seconds=" in out


def test_key_export_is_logged(ward_day: World, capsys, audit_rows) -> None:  # type: ignore[no-untyped-def]
    call_command("downtime_key", ward_day.vc.hsa_id)
    assert capsys.readouterr().out.strip() == _key(ward_day.vc)
    assert len(audit_rows(action="downtime.key.export")) == 1
