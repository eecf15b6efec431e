"""Issue 13 item 2: every queue has a worker (make run and docker-compose.yml), every outbox
channel is routed to a declared queue, local handlers apart from every remote one."""

from __future__ import annotations

import re
from pathlib import Path

from vardmiljo import outbox
from vardmiljo.celery import QUEUE_LOCAL, QUEUES, WORKERS

ROOT = Path(__file__).resolve().parents[1]


def test_13_2_every_queue_has_its_own_worker_in_make_run_and_compose() -> None:
    consumed = [q for w in WORKERS for q in w.queues]
    assert sorted(consumed) == sorted(QUEUES), "each queue is consumed by exactly one kind of worker"
    compose = (ROOT / "docker-compose.yml").read_text()
    assert sorted(re.findall(r'"-Q", "([^"]+)"', compose)) == sorted(QUEUES)


def test_13_2_channels_are_routed_by_kind() -> None:
    queues = {
        channel: outbox.queue_for(channel) for channel in ("referral", "referral.remote", "erecept", "registry", "reminder")
    }
    assert queues["referral"] == QUEUE_LOCAL
    remote = [queues[c] for c in ("referral.remote", "erecept", "registry", "reminder")]
    assert QUEUE_LOCAL not in remote and len(set(remote)) == 4 and set(remote) <= set(QUEUES)
