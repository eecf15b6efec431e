"""The shared outbox: delivered exactly once, or visibly queued; never lost."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.conftest import World
from vardmiljo import outbox
from vardmiljo.models import CareUnit, Outbox, OutboxAttempt, OutboxEndpoint

pytestmark = pytest.mark.django_db

DELIVERED: list[int] = []


@outbox.handler("test.local", local=True)
def _local(row: Outbox) -> dict:
    if row.payload.get("fail"):
        raise outbox.TemporaryFailure("mottagaren svarar inte")
    DELIVERED.append(row.pk)
    CareUnit.objects.filter(pk=row.payload["unit"]).update(name="levererad")
    return {"ok": True}


@outbox.handler("test.unconfigured", local=False, queue="outbox.referral")
def _remote(row: Outbox) -> dict:
    raise outbox.NotConfigured("ingen adress konfigurerad")


def test_enqueue_is_idempotent_and_delivers_once(world: World) -> None:
    with transaction.atomic():
        a = outbox.enqueue(channel="test.local", key="k1", obj=world.vc, payload={"unit": world.vc.pk})
        b = outbox.enqueue(channel="test.local", key="k1", obj=world.vc, payload={"unit": world.vc.pk})
    assert a.pk == b.pk
    assert outbox.deliver(a.pk) == "delivered"
    assert outbox.deliver(a.pk) == "delivered"
    assert DELIVERED.count(a.pk) == 1
    a.refresh_from_db()
    assert a.receipt == {"ok": True} and a.delivered_at


def test_failure_backs_off_and_stays_visible(world: World) -> None:
    row = outbox.enqueue(channel="test.local", key="k2", obj=world.vc, payload={"unit": world.vc.pk, "fail": True})
    assert outbox.deliver(row.pk) == "failed"
    row.refresh_from_db()
    first = row.next_attempt_at
    assert row.attempts == 1 and "svarar inte" in row.last_error
    outbox.deliver(row.pk)
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at > first
    assert world.vc.name != "levererad"


def test_not_configured_stays_queued(world: World) -> None:
    row = outbox.enqueue(channel="test.unconfigured", key="k3", obj=world.vc, payload={})
    assert outbox.deliver(row.pk) == "queued"
    row.refresh_from_db()
    assert row.status == Outbox.Status.QUEUED and "konfigurerad" in row.last_error


def test_schedule_publishes_from_a_thread_of_its_own(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The request hands the message over and goes on; this process's publisher thread
    talks to the broker. At exit (or here) we wait for it to finish."""
    import threading

    from vardmiljo import outbox as ob
    from vardmiljo.celery import app

    published: list[tuple[int, str]] = []
    monkeypatch.setattr(ob, "_publish", lambda pk, channel="": published.append((pk, threading.current_thread().name)))
    saved = app.conf.task_always_eager
    try:
        app.conf.task_always_eager = False
        ob.schedule(41)
        ob.schedule(42)
        assert ob.publish_pending(timeout=5)
        assert published == [(41, "outbox-publisher"), (42, "outbox-publisher")]
        app.conf.task_always_eager = True  # no broker: published right here
        ob.schedule(43)
        assert published[-1] == (43, threading.current_thread().name)
    finally:
        app.conf.task_always_eager = saved


REMOTE_CALLS: list[str] = []
NESTED: list[str] = []


@outbox.handler("test.remote", local=False, queue="outbox.registry")
def _remote_ok(row: Outbox) -> dict:
    REMOTE_CALLS.append(row.idempotency_key)
    if row.payload.get("nested"):
        # Another worker (or the sweep) tries the same row while this call is in flight.
        NESTED.append(outbox.deliver(row.pk, worker="andra-workern"))
    if row.payload.get("fail"):
        raise outbox.TemporaryFailure("mottagaren svarar inte (timeout)")
    return {"receipt": row.idempotency_key}


def test_13_1_a_live_lease_keeps_a_second_attempt_out_and_the_sweep_skips_it(world: World) -> None:
    REMOTE_CALLS.clear()
    NESTED.clear()
    row = outbox.enqueue(channel="test.remote", key="lease-1", obj=world.vc, payload={"nested": True})
    assert outbox.deliver(row.pk, worker="forsta-workern") == "delivered"
    assert NESTED == [outbox.IN_FLIGHT] and REMOTE_CALLS == ["lease-1"]
    row.refresh_from_db()
    assert row.attempts == 1 and row.claimed_until is None and row.claimed_by == ""
    [attempt] = OutboxAttempt.objects.filter(outbox=row)
    assert attempt.worker == "forsta-workern" and attempt.result == "delivered" and attempt.finished_at
    # The sweep never hands out a row whose lease is live.
    other = outbox.enqueue(channel="test.remote", key="lease-2", obj=world.vc, payload={})
    Outbox.objects.filter(pk=other.pk).update(
        claimed_until=timezone.now() + dt.timedelta(minutes=1), claimed_by="x", next_attempt_at=timezone.now()
    )
    assert other.pk not in outbox.due_ids()
    assert outbox.deliver(other.pk) == outbox.IN_FLIGHT


def test_13_1_an_expired_lease_is_taken_over_and_the_dead_attempt_recorded(world: World) -> None:
    REMOTE_CALLS.clear()
    row = outbox.enqueue(channel="test.remote", key="lease-3", obj=world.vc, payload={})
    past = timezone.now() - dt.timedelta(seconds=5)
    Outbox.objects.filter(pk=row.pk).update(claimed_until=past, claimed_by="doda-workern", attempts=1, next_attempt_at=past)
    OutboxAttempt.objects.create(outbox=row, worker="doda-workern", started_at=past - dt.timedelta(minutes=1), lease_until=past)
    assert row.pk in outbox.due_ids()
    assert outbox.deliver(row.pk, worker="ny-worker") == "delivered"
    attempts = list(OutboxAttempt.objects.filter(outbox=row).order_by("started_at").values_list("worker", "result"))
    assert attempts == [("doda-workern", "abandoned"), ("ny-worker", "delivered")]
    row.refresh_from_db()
    assert row.attempts == 2 and REMOTE_CALLS == ["lease-3"]


def test_13_2_circuit_breaker_opens_after_failures_and_keeps_messages_queued(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOX_BREAKER_FAILURES = 2
    settings.OUTBOX_BREAKER_OPEN_SECONDS = 120
    REMOTE_CALLS.clear()
    bad = outbox.enqueue(channel="test.remote", key="cb-1", obj=world.vc, payload={"fail": True})
    assert outbox.deliver(bad.pk) == "failed"
    assert outbox.deliver(bad.pk) == "failed"
    ep = OutboxEndpoint.objects.get(key="test.remote")
    assert ep.failures == 2 and ep.open_until and ep.open_until > timezone.now()
    out = io.StringIO()
    call_command("outbox", stdout=out)  # what the operator sees
    assert "mottagare test.remote: 2 fel i rad, kretsbrytaren öppen till" in out.getvalue()
    # Open: nobody calls the receiver, nothing counts as an attempt; the rows wait, saying why.
    fresh = outbox.enqueue(channel="test.remote", key="cb-2", obj=world.vc, payload={})
    assert outbox.deliver(fresh.pk) == "queued"
    assert outbox.deliver(bad.pk) == "failed"
    assert REMOTE_CALLS == ["cb-1", "cb-1"]
    fresh.refresh_from_db()
    bad.refresh_from_db()
    assert fresh.status == "queued" and fresh.attempts == 0 and "Mottagaren svarar inte" in fresh.last_error
    assert fresh.next_attempt_at >= ep.open_until and bad.attempts == 2
    assert not OutboxAttempt.objects.filter(outbox=fresh).exists()
    # The period ends: one message probes; the receiver answers, the breaker closes.
    OutboxEndpoint.objects.filter(pk=ep.pk).update(open_until=timezone.now() - dt.timedelta(seconds=1))
    assert outbox.deliver(fresh.pk) == "delivered"
    ep.refresh_from_db()
    assert ep.failures == 0 and ep.open_until is None
