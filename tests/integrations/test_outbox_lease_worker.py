"""Issue 13 item 1: two real Celery workers, a real Redis, a receiver that hangs.

While the first attempt hangs, the sweep and redelivered tasks hand the same row to the
workers again and again: exactly one attempt is in flight, the receiver sees one request,
and the transfer is disclosed (access log) once."""

from __future__ import annotations

import dataclasses
import time

import pytest

from integrations.models import RegistryTransfer
from integrations.registries import transfer
from tests import factories as f
from tests.worker_support import HangingReceiver, Worker, private_broker, wait_for, worker_env
from vardmiljo import outbox
from vardmiljo.celery import QUEUE_REGISTRY, WORKERS, app
from vardmiljo.models import AccessLog, Outbox, OutboxAttempt

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_13_1_two_workers_and_a_hanging_registry_one_attempt_one_disclosure(tmp_path) -> None:  # type: ignore[no-untyped-def]
    receiver = HangingReceiver(hold=90)
    spec = next(w for w in WORKERS if QUEUE_REGISTRY in w.queues)
    workers: list[Worker] = []
    try:
        with private_broker() as url:
            env = worker_env(url, REGISTRY_NDR_URL=receiver.url, REGISTRY_TIMEOUT_SECONDS="30")
            for n in (1, 2):
                argv = dataclasses.replace(spec, name=f"register{n}").argv()
                workers.append(Worker(argv, env, tmp_path / f"worker{n}.log").start())
            wait_for(lambda: len(app.control.ping(timeout=1.0)) >= 2, 60, "both workers to answer")

            patient = f.make_patient()
            payload = {"format": "x/1", "register": "ndr", "personnummer": patient.identifier, "variabler": {}}
            t = transfer.transfer_enqueue(registry="ndr", patient=patient, payload=payload, sha256=transfer.payload_hash(payload))
            assert outbox.publish_pending(timeout=10)
            wait_for(lambda: len(receiver.requests) == 1, 60, "the first attempt to reach the receiver")

            # While it hangs: the sweep runs (the row is due: its next_attempt_at has passed) and
            # redelivered tasks reach both workers.
            from vardmiljo.tasks import deliver_outbox, outbox_sweep

            Outbox.objects.filter(pk=t.outbox_id).update(next_attempt_at=Outbox.objects.get(pk=t.outbox_id).created_at)
            assert outbox_sweep() == 0, "the sweep must skip a row whose attempt is in flight"
            for _ in range(6):
                deliver_outbox.apply_async(args=[t.outbox_id], queue=QUEUE_REGISTRY)
            import redis

            r = redis.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
            wait_for(lambda: r.llen(QUEUE_REGISTRY) == 0, 30, "the workers to take every redelivered task")
            time.sleep(1.5)  # let a second attempt, if one were started, reach the receiver
            assert receiver.requests == [f"registry:ndr:{t.pk}"] and receiver.max_in_flight == 1
            row = Outbox.objects.get(pk=t.outbox_id)
            assert row.claimed_until is not None and row.claimed_by.startswith("register")
            assert OutboxAttempt.objects.filter(outbox_id=t.outbox_id).count() == 1

            receiver.release.set()
            wait_for(lambda: Outbox.objects.get(pk=t.outbox_id).status == Outbox.Status.DELIVERED, 60, "the delivery")
    finally:
        for w in workers:
            w.stop()
        receiver.close()
        for n in (1, 2):
            log = tmp_path / f"worker{n}.log"
            if log.exists():
                print(log.read_text()[-2000:])  # noqa: T201
    t.refresh_from_db()
    assert t.status == RegistryTransfer.Status.DELIVERED
    assert AccessLog.objects.filter(action="registry.disclosure", patient_id=patient.pk).count() == 1
    [attempt] = OutboxAttempt.objects.filter(outbox_id=t.outbox_id)
    assert attempt.result == OutboxAttempt.Result.DELIVERED and attempt.finished_at and attempt.worker.startswith("register")
    row = Outbox.objects.get(pk=t.outbox_id)
    assert row.attempts == 1 and row.claimed_until is None
