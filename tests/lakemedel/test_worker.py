"""A real Celery worker delivers a queued e-recept (private Redis, so no other
helper's worker or queue is involved). The heavy kill-the-worker test lives in remisser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from lakemedel import catalogue
from tests.conftest import World
from tests.lakemedel.conftest import order, prescribe
from vardmiljo import embedded, outbox
from vardmiljo.models import Outbox

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _redis_binary() -> Path | None:
    b = embedded._redis_binary()
    if b is None and shutil.which("redis-server"):
        b = Path(shutil.which("redis-server"))  # type: ignore[arg-type]
    return b


def test_worker_delivers_prescription_through_simulator(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    binary = _redis_binary()
    if binary is None:
        pytest.skip("Ingen redis-server finns; workertestet hoppas över.")
    catalogue.ensure_sample()
    monkeypatch.setattr(outbox, "schedule", lambda pk, channel="": None)  # keep the shared broker out of this test
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    rx = prescribe(world.physician, world.patient.pk, o)
    assert Outbox.objects.get(pk=rx.outbox_id).status == "queued"

    tmp = Path(tempfile.mkdtemp(prefix="lmw", dir="/tmp"))
    sock = tmp / "r.sock"
    embedded.start_redis(binary, tmp, sock, persist=False)
    url = f"redis+socket://{sock}"
    env = {
        **os.environ,
        "REDIS_URL": url,
        "VARDMILJO_DB_NAME": connection.settings_dict["NAME"],
        "ERECEPT_ENDPOINT": "local:",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "vardmiljo",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        from vardmiljo.celery import app
        from vardmiljo.tasks import deliver_outbox

        with app.connection_for_write(url) as conn:
            deliver_outbox.apply_async(args=[rx.outbox_id], connection=conn)
        deadline = time.monotonic() + 60
        status = "queued"
        while time.monotonic() < deadline:
            status = Outbox.objects.get(pk=rx.outbox_id).status
            if status == "delivered" or worker.poll() is not None:
                break
            time.sleep(0.3)
        assert status == "delivered", worker.stdout.read().decode() if worker.poll() is not None else "worker still running"
        rx.refresh_from_db()
        assert rx.receipt_id.startswith("SIM-")
    finally:
        worker.terminate()
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
        embedded.stop_redis(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
