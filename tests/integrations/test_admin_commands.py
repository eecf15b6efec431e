"""Starting imports from the Django admin and from manage.py."""

from __future__ import annotations

import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.models import ImportErrorRow, ImportJob
from tests import factories as f
from tests.integrations.conftest import SAMPLES
from vardmiljo.models import Patient

pytestmark = pytest.mark.django_db


def test_admin_add_form_uploads_and_runs_the_job(client, demo_units, django_capture_on_commit_callbacks, tmp_path, monkeypatch):
    monkeypatch.setenv("VARDMILJO_IMPORT_DIR", str(tmp_path))
    admin = f.make_staff(is_staff=True, is_superuser=True)
    client.force_login(admin)
    upload = SimpleUploadedFile("adt.hl7", (SAMPLES / "adt.hl7").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/admin/integrations/importjob/add/",
            {
                "source": "hl7_adt",
                "source_system": "ELVIS",
                "upload": upload,
                "server_path": "",
            },
        )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.created_by == admin and job.error_count == 3
    assert Patient.objects.filter(identifier="198107149885").exists()
    page = client.get(f"/admin/integrations/importjob/{job.pk}/change/").content.decode()
    assert "rad 21:" in page and "Kontrollsiffran" in page


def test_admin_action_resumes_a_failed_job(client, demo_units, django_capture_on_commit_callbacks, tmp_path):
    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    from integrations import services

    job = services.import_job_create(source="hl7", path=path)
    client.force_login(f.make_staff(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/admin/integrations/importjob/", {"action": "run_selected", "_selected_action": [job.pk]})
    assert resp.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def test_admin_add_form_needs_a_file(client, db):
    client.force_login(f.make_staff(is_staff=True, is_superuser=True))
    resp = client.post("/admin/integrations/importjob/add/", {"source": "hl7_adt", "source_system": "X", "server_path": ""})
    assert resp.status_code == 200 and "Ladda upp en fil eller ange en sökväg" in resp.content.decode()
    assert not ImportJob.objects.exists()


def test_command_inline_reports_errors_and_rate(demo_units, tmp_path, capsys):
    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    call_command("legacy_import", "hl7", str(path), "--inline", "--source-system", "ELVIS", verbosity=0)
    out = capsys.readouterr().out
    assert "fel=3" in out and "rad 21: Ogiltigt personnummer" in out and "notes_per_s=" in out
    assert ImportErrorRow.objects.count() == 3


def test_command_through_the_task_dry_run(demo_units, tmp_path, capsys):
    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    call_command("legacy_import", "hl7", str(path), "--dry-run", verbosity=0)
    out = capsys.readouterr().out
    assert "status=done" in out and "(endast kontroll)" in out
    assert not Patient.objects.exists()


def test_command_refuses_missing_file(db):
    with pytest.raises(CommandError, match="finns inte"):
        call_command("legacy_import", "jsonl", "/nonexistent.jsonl", "--inline")


def test_admin_shows_registry_transfers_with_outbox_state(client, imported, monkeypatch):
    from integrations import services
    from integrations.models import RegistryTransfer

    monkeypatch.delenv("REGISTRY_NDR_URL", raising=False)
    services.registry_transfer_run(registry="ndr")
    t = RegistryTransfer.objects.get()
    client.force_login(f.make_staff(is_staff=True, is_superuser=True))
    listing = client.get("/admin/integrations/registrytransfer/").content.decode()
    assert "ndr" in listing and "Köad" in listing
    detail = client.get(f"/admin/integrations/registrytransfer/{t.pk}/change/")
    # Issue 12 item 3: the payload is shown only on the support page, with a reason.
    assert detail.status_code == 200 and "E11.9" not in detail.content.decode()
    payload = client.post(f"/admin/integrations/registrytransfer/{t.pk}/innehall/", {"reason": "Registret svarar fel"})
    assert "E11.9" in payload.content.decode()


def test_bench_command_prints_rate_and_second_run_creates_nothing(db, capsys):
    call_command("legacy_import_bench", "--notes", "600", "--patients", "30", "--batch-size", "200", "--twice")
    out = capsys.readouterr().out
    assert "run=1" in out and "created=600" in out and "run=2" in out and "created=0 skipped=600" in out
    assert out.count("notes_per_s=") == 2


@pytest.mark.parametrize(
    ("server_path", "says"),
    [
        ("/etc/passwd", "utan absolut sökväg"),
        ("../../../../etc/passwd", "utan .. och"),
        ("sub/../../adt.hl7", "utan .. och"),
        ("~root/.bashrc", "utan .. och"),
        ("..\\outside.hl7", "utan .. och"),
        ("link-out.hl7", "utanför importkatalogen"),
        ("finns-inte.hl7", "finns inte i importkatalogen"),
    ],
)
def test_12_9_admin_import_form_reads_only_files_inside_the_import_dir(client, db, tmp_path, monkeypatch, server_path, says):
    inside = tmp_path / "imports"
    inside.mkdir()
    outside = tmp_path / "outside.hl7"
    outside.write_text("MSH|^~\\&|HEMLIG RAD SOM INTE FÅR CITERAS\r")
    (inside / "link-out.hl7").symlink_to(outside)
    monkeypatch.setenv("VARDMILJO_IMPORT_DIR", str(inside))
    client.force_login(f.make_staff(is_staff=True, is_superuser=True))
    resp = client.post(
        "/admin/integrations/importjob/add/", {"source": "hl7_adt", "source_system": "X", "server_path": server_path}
    )
    page = resp.content.decode()
    assert resp.status_code == 200 and says in page
    assert "HEMLIG RAD" not in page and "root:" not in page
    assert not ImportJob.objects.exists()


def test_12_9_admin_import_form_runs_a_file_named_inside_the_import_dir(
    client, demo_units, django_capture_on_commit_callbacks, tmp_path, monkeypatch
):
    (tmp_path / "ELVIS").mkdir()
    shutil.copy(SAMPLES / "adt.hl7", tmp_path / "ELVIS" / "adt.hl7")
    monkeypatch.setenv("VARDMILJO_IMPORT_DIR", str(tmp_path))
    client.force_login(f.make_staff(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/admin/integrations/importjob/add/",
            {"source": "hl7_adt", "source_system": "ELVIS", "server_path": "ELVIS/adt.hl7"},
        )
    assert resp.status_code == 302
    job = ImportJob.objects.get()
    assert job.file_name == str((tmp_path / "ELVIS" / "adt.hl7").resolve()) and job.status == ImportJob.Status.DONE
