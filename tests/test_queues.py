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


def test_13_2_each_registry_has_its_own_time_out(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from integrations.registries import adapters

    monkeypatch.setenv("REGISTRY_TIMEOUT_SECONDS", "10")
    monkeypatch.setenv("REGISTRY_NDR_TIMEOUT_SECONDS", "3")
    assert adapters.timeout_seconds("ndr") == 3.0 and adapters.timeout_seconds("hjartsvikt") == 10.0


def test_13_2_each_referral_receiver_has_its_own_time_out(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from remisser import conf

    monkeypatch.setenv("REMISS_TIMEOUT", "12")
    monkeypatch.setenv(conf.timeout_env_name("SE5560000001-P000000000011"), "4")
    assert conf.timeout_for("SE5560000001-P000000000011") == 4.0 and conf.timeout_for("SE2321000131-E000000000012") == 12.0
