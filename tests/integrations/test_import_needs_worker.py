"""Issue 13 item 9: `legacy_import` asks a worker to answer before it hands the job over; with
none it says so at once (in Swedish) and offers --inline, instead of waiting forever."""

from __future__ import annotations

import io
import shutil
import time

import pytest
from django.core.management import CommandError, call_command

from integrations.models import ImportJob
from tests.integrations.conftest import SAMPLES
from tests.worker_support import Worker, private_broker, wait_for, worker_env
from vardmiljo.celery import DEFAULT_QUEUE, WORKERS, app
from vardmiljo.models import Patient

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_13_9_without_a_worker_the_import_says_so_at_once_and_offers_inline(demo_units, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    with private_broker():  # a broker that works, and no worker on it
        started = time.monotonic()
        with pytest.raises(CommandError) as exc:
            call_command("legacy_import", "hl7", str(path), "--worker-timeout", "1", stdout=io.StringIO())
        assert time.monotonic() - started < 30
        assert "Ingen Celery-worker svarar" in str(exc.value) and "--inline" in str(exc.value)
        assert not ImportJob.objects.exists(), "nothing may be queued for a worker that is not there"

        # At a terminal the operator is asked, and "j" runs it here.
        monkeypatch.setattr("sys.stdin.isatty", lambda: True)
        monkeypatch.setattr("builtins.input", lambda prompt: "j")
        out = io.StringIO()
        call_command("legacy_import", "hl7", str(path), "--worker-timeout", "1", stdout=out)
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert Patient.objects.filter(identifier="198107149885").exists()


def test_13_9_with_a_worker_answering_the_job_goes_to_it(demo_units, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    spec = next(w for w in WORKERS if DEFAULT_QUEUE in w.queues)
    with private_broker() as url:
        worker = Worker(spec.argv(), worker_env(url), tmp_path / "worker.log").start()
        try:
            wait_for(lambda: len(app.control.ping(timeout=1.0)) >= 1, 60, "the worker to answer")
            out = io.StringIO()
            call_command("legacy_import", "hl7", str(path), "--timeout", "120", stdout=out)
        finally:
            worker.stop()
    assert "körs av en Celery-worker" in out.getvalue()
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
