"""Delivery and import through a REAL Celery worker against a real Redis
(its own, on a Unix socket in tmp_path) and the pytest database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from integrations import services
from integrations.models import ImportJob, RegistryTransfer, SimulatedRegistryMessage
from integrations.registries import transfer
from tests import factories as f
from tests.integrations.conftest import SAMPLES
from vardmiljo import embedded, outbox
from vardmiljo.models import AccessLog, Outbox, Patient

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s["PASSWORD"]:
        auth += f":{s['PASSWORD']}"
    host = s["HOST"]
    if host.startswith("/"):
        return f"postgresql://{auth}@/{s['NAME']}?host={host}" + (f"&port={s['PORT']}" if s["PORT"] else "")
    return f"postgresql://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait(predicate, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(tmp_path, live_server, monkeypatch):  # type: ignore[no-untyped-def]
    binary = embedded._redis_binary() or (Path(p) if (p := shutil.which("redis-server")) else None)
    if binary is None:
        pytest.skip("ingen redis-server tillgänglig")
    rdir = tmp_path / "redis"
    sock = rdir / "r.sock"
    embedded.start_redis(binary, rdir, sock, persist=False)
    proc = None
    log = (tmp_path / "worker.log").open("w")
    try:
        redis_url = f"redis+socket://{sock}"
        sim = f"{live_server.url}/integrationer/sim/registry"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "VARDMILJO_DEMO": "1",
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "REGISTRY_NDR_URL": f"{sim}/ndr/",
            "REGISTRY_HJARTSVIKT_URL": f"{sim}/hjartsvikt/?status=503",
            "DB_CONN_MAX_AGE": "0",
        }
        celery_bin = str(Path(sys.executable).with_name("celery"))
        proc = subprocess.Popen(
            [
                celery_bin,
                "-A",
                "vardmiljo",
                "worker",
                "-P",
                "solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # set_as_current=False: tasks of later tests must still go to the project's own app.
        client = Celery(broker=redis_url, set_as_current=False)
        client.worker_process = proc  # type: ignore[attr-defined]
        # After commit, the outbox asks this broker (not the eager in-process runner) to deliver.
        monkeypatch.setattr(
            outbox, "schedule", lambda pk, channel="": client.send_task("vardmiljo.tasks.deliver_outbox", args=[pk])
        )
        yield client
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
        embedded.stop_redis(rdir)
        print((tmp_path / "worker.log").read_text()[-3000:])


def _queue(registry: str, patient: Patient) -> RegistryTransfer:
    payload = {"format": "x/1", "register": registry, "personnummer": patient.identifier, "variabler": {}}
    return transfer.transfer_enqueue(registry=registry, patient=patient, payload=payload, sha256=transfer.payload_hash(payload))


def test_worker_delivers_and_failing_endpoint_stays_queued(worker):
    good = _queue("ndr", f.make_patient())
    bad = _queue("hjartsvikt", f.make_patient())
    assert _wait(lambda: Outbox.objects.get(pk=good.outbox_id).status == Outbox.Status.DELIVERED)
    assert _wait(lambda: Outbox.objects.get(pk=bad.outbox_id).attempts >= 1)
    good.refresh_from_db()
    assert good.status == RegistryTransfer.Status.DELIVERED and good.receipt["receipt_id"].startswith("SIM-NDR-")
    assert SimulatedRegistryMessage.objects.filter(registry="ndr").count() == 1
    assert AccessLog.objects.filter(action="registry.disclosure", patient_id=good.patient_id).count() == 1
    row = Outbox.objects.get(pk=bad.outbox_id)
    assert row.status == Outbox.Status.FAILED and "HTTP 503" in row.last_error
    bad.refresh_from_db()
    assert bad.status == RegistryTransfer.Status.QUEUED


def test_worker_runs_legacy_import(worker, demo_units, tmp_path):
    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    job = services.import_job_create(source="hl7", path=path, source_system="ELVIS")
    worker.send_task("integrations.tasks.legacy_import_run", args=[job.pk])
    assert _wait(lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE)
    job.refresh_from_db()
    assert job.error_count == 3 and Patient.objects.filter(identifier="198107149885").exists()


def test_16_worker_killed_mid_import_resumes_without_duplicates(worker, demo_units, tmp_path):
    """A real crash, made deterministic (item 16): the worker reads the file through a pipe
    that this test feeds with the first 10 500 lines only, so after its first committed batch
    (lines 1–5000; the second is parsed, waiting for the third to start) it is blocked reading,
    and the SIGKILL always lands mid-job. The next run of the same file continues after the
    last committed line."""
    from integrations.legacy_import import runner, synthetic
    from journal.models import Note
    from tests.integrations.conftest import VC_HSA

    total, fed = 12_000, 10_500
    path = tmp_path / "big.jsonl"
    synthetic.write_notes_file(path, notes=total, patients=120, unit_hsa=VC_HSA)
    job = services.import_job_create(source="jsonl", path=path, source_system="Melior")
    full = tmp_path / "big.full"
    path.rename(full)
    os.mkfifo(path)
    head = b"".join(full.read_bytes().splitlines(keepends=True)[:fed])
    feeder_done = threading.Event()

    def feed() -> None:
        fd = os.open(path, os.O_WRONLY)  # blocks until the worker opens the file
        try:
            os.write(fd, head)
            feeder_done.wait(timeout=300)  # hold the pipe open: the worker waits for more
        except BrokenPipeError:
            pass
        finally:
            os.close(fd)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    worker.send_task("integrations.tasks.legacy_import_run", args=[job.pk])
    assert _wait(lambda: ImportJob.objects.get(pk=job.pk).batches_done >= 1, timeout=120)
    proc = worker.worker_process
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    feeder_done.set()
    feeder.join(timeout=10)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and job.batches_done == 1 and job.lines_done == runner.DEFAULT_BATCH_SIZE
    assert Note.objects.count() == job.lines_done  # exactly the committed batch, nothing half-written
    path.unlink()
    full.rename(path)
    again = services.import_job_create(source="jsonl", path=path, source_system="Melior")
    assert again.pk == job.pk
    # The killed worker's database session holds the job lock until PostgreSQL notices
    # the dead client; an operator resuming at once is told so, and simply retries.
    deadline = time.monotonic() + 60
    while True:
        try:
            done = runner.run_job(again.pk)
            break
        except runner.JobBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    assert done.status == ImportJob.Status.DONE and done.created_count == total
    assert Note.objects.count() == total and Note.objects.values("source_id").distinct().count() == total
