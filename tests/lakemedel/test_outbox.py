"""Delivery of e-recept through the core outbox and the simulated national service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lakemedel import queries
from lakemedel.models import Prescription, SimulatedEreceptMessage
from tests.conftest import World
from tests.lakemedel.conftest import order, prescribe
from vardmiljo import outbox
from vardmiljo.models import Outbox

pytestmark = pytest.mark.django_db


def _rx(world: World, **kw: object) -> Prescription:
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    return prescribe(world.physician, world.patient.pk, o, **kw)


def test_not_configured_stays_visibly_queued(world: World, drugs: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ERECEPT_ENDPOINT", raising=False)
    rx = _rx(world)
    assert outbox.deliver(rx.outbox_id) == "queued"
    ob = Outbox.objects.get(pk=rx.outbox_id)
    assert ob.status == "queued" and "ERECEPT_ENDPOINT" in ob.last_error and ob.next_attempt_at > timezone.now()
    assert queries.failed_prescriptions_count(world.physician) == 0
    # Still queued after OUTBOX_STUCK_MINUTES: it appears in the prescriber's worklist.
    Outbox.objects.filter(pk=ob.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert queries.failed_prescriptions_count(world.physician) == 1


def test_delivered_through_the_in_process_simulator_once(world: World, drugs: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ERECEPT_ENDPOINT", "local:")
    rx = _rx(world)
    assert outbox.deliver(rx.outbox_id) == "delivered"
    rx.refresh_from_db()
    ob = Outbox.objects.get(pk=rx.outbox_id)
    assert ob.receipt["receipt_id"].startswith("SIM-") and rx.receipt_id == ob.receipt["receipt_id"] and rx.sent_at
    # Delivered once: a second delivery does nothing, and the simulator de-duplicates on the key.
    assert outbox.deliver(rx.outbox_id) == "delivered"
    from lakemedel.services import simulated_receive

    receipt, dup = simulated_receive(key=ob.idempotency_key, payload=ob.payload)
    assert dup and receipt["receipt_id"] == rx.receipt_id
    assert SimulatedEreceptMessage.objects.count() == 1


def test_unreachable_endpoint_retries_with_backoff_and_shows_in_worklist(world: World, drugs: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ERECEPT_ENDPOINT", "http://127.0.0.1:9/erecept")  # discard port: connection refused
    monkeypatch.setenv("ERECEPT_TIMEOUT", "2")
    rx = _rx(world)
    assert outbox.deliver(rx.outbox_id) == "failed"
    ob = Outbox.objects.get(pk=rx.outbox_id)
    first_wait = ob.next_attempt_at - timezone.now()
    assert ob.attempts == 1 and "TemporaryFailure" in ob.last_error
    Outbox.objects.filter(pk=ob.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(rx.outbox_id) == "failed"
    ob.refresh_from_db()
    assert ob.attempts == 2 and (ob.next_attempt_at - timezone.now()) > first_wait  # backs off
    assert queries.failed_prescriptions_count(world.physician) == 1
    assert [r.pk for r in queries.failed_prescriptions(world.physician)] == [rx.pk]
    assert queries.failed_prescriptions_count(world.nurse) == 0
    # When the service is back, the retry delivers.
    monkeypatch.setenv("ERECEPT_ENDPOINT", "local:")
    assert outbox.deliver(rx.outbox_id) == "delivered"
    assert queries.failed_prescriptions_count(world.physician) == 0


@pytest.mark.django_db(transaction=True)
def test_delivered_over_http_to_the_simulated_endpoint(world: World, live_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from lakemedel import catalogue

    catalogue.ensure_sample()
    monkeypatch.setenv("ERECEPT_ENDPOINT", f"{live_server.url}/lakemedel/sim/erecept/")
    rx = _rx(world)
    assert outbox.deliver(rx.outbox_id) == "delivered"
    rx.refresh_from_db()
    assert rx.receipt_id.startswith("SIM-")
    msg = SimulatedEreceptMessage.objects.get()
    assert msg.payload["patient"]["identifier"] == world.patient.identifier


@pytest.mark.django_db(transaction=True)
def test_rejected_by_the_service_is_dead_and_in_worklist(world: World, live_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from lakemedel import catalogue

    catalogue.ensure_sample()
    monkeypatch.setenv("ERECEPT_ENDPOINT", f"{live_server.url}/lakemedel/sim/erecept/")
    rx = _rx(world, pharmacy_message="SIMULERA-AVVISNING")
    assert outbox.deliver(rx.outbox_id) == "dead"
    assert queries.failed_prescriptions_count(world.physician) == 1
