"""The shared outbox: delivered exactly once, or visibly queued; never lost."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.conftest import World
from vardmiljo import outbox
from vardmiljo.models import CareUnit, Outbox

pytestmark = pytest.mark.django_db

DELIVERED: list[int] = []


@outbox.handler("test.local", local=True)
def _local(row: Outbox) -> dict:
    if row.payload.get("fail"):
        raise outbox.TemporaryFailure("mottagaren svarar inte")
    DELIVERED.append(row.pk)
    CareUnit.objects.filter(pk=row.payload["unit"]).update(name="levererad")
    return {"ok": True}


@outbox.handler("test.unconfigured", local=False)
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
    monkeypatch.setattr(ob, "_publish", lambda pk: published.append((pk, threading.current_thread().name)))
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
