"""Issue 13 item 2: one hung receiver never delays another. The workers `make run` starts (one per
kind of receiver, vardmiljo.celery.WORKERS) on a real Redis; another system's referral endpoint
hangs with several referrals in flight to it; a referral to a unit in this installation is
still received while they hang."""

from __future__ import annotations

import pytest

from remisser import services
from remisser.models import Priority, ReferralReceipt, ReferralRoute
from tests import factories as f
from tests.conftest import World
from tests.worker_support import HangingReceiver, Worker, private_broker, wait_for, worker_env
from vardmiljo import outbox
from vardmiljo.celery import QUEUE_LOCAL, QUEUE_REFERRAL, WORKERS, app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_13_2_a_hanging_referral_endpoint_does_not_hold_back_a_local_referral(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    receiver = HangingReceiver(hold=120)
    ext = f.make_unit(f.make_provider("Annat system AB"), "Extern mottagning")
    ReferralRoute.objects.create(unit=ext, mode=ReferralRoute.Mode.REMOTE, endpoint=receiver.url)
    specs = [w for w in WORKERS if {QUEUE_LOCAL, QUEUE_REFERRAL} & set(w.queues)]
    workers: list[Worker] = []
    try:
        with private_broker() as url:
            env = worker_env(url, REMISS_TIMEOUT="60")
            workers = [Worker(s.argv(), env, tmp_path / f"{s.name}.log").start() for s in specs]
            wait_for(lambda: len(app.control.ping(timeout=1.0)) >= len(specs), 60, "the workers to answer")
            remote = [
                services.referral_send(
                    actor=world.physician,
                    patient_id=world.patient.pk,
                    receiver_unit_id=ext.pk,
                    priority=Priority.TWO_WEEKS,
                    question=f"Extern {i}",
                )
                for i in range(6)  # more than the referral worker's threads: its whole queue is stuck
            ]
            assert outbox.publish_pending(timeout=10)
            wait_for(lambda: len(receiver.requests) >= 2, 60, "the remote referrals to hang in the receiver")
            local = services.referral_send(
                actor=world.physician,
                patient_id=world.patient.pk,
                receiver_unit_id=world.med.pk,
                priority=Priority.AKUT,
                question="Lokal, brådskande",
            )
            assert outbox.publish_pending(timeout=10)
            wait_for(lambda: ReferralReceipt.objects.filter(referral=local).exists(), 30, "the local referral's receipt")
            # Received while every remote one still hangs (nothing has been released yet).
            assert receiver.in_flight >= 2 and not ReferralReceipt.objects.filter(referral__in=remote).exists()
            receiver.release.set()
            wait_for(lambda: ReferralReceipt.objects.filter(referral__in=remote).count() == 6, 60, "the remote receipts")
    finally:
        for w in workers:
            w.stop()
        receiver.close()
