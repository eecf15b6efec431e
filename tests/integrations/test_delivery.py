"""Registry transfers through the outbox to the local simulated endpoint."""

from __future__ import annotations

import time

import pytest

from integrations.models import RegistryTransfer, SimulatedRegistryMessage
from integrations.registries import transfer
from tests import factories as f
from vardmiljo import outbox
from vardmiljo.models import AccessLog, Outbox

pytestmark = pytest.mark.django_db(transaction=True)


def _queue(patient, registry="ndr"):  # type: ignore[no-untyped-def]
    payload = {"format": "ndr-json/1", "register": registry, "personnummer": patient.identifier, "variabler": {"hba1c": 52}}
    t = transfer.transfer_enqueue(registry=registry, patient=patient, payload=payload, sha256=transfer.payload_hash(payload))
    return RegistryTransfer.objects.get(pk=t.pk), Outbox.objects.get(pk=t.outbox_id)


def test_delivered_after_commit_with_receipt_and_disclosure(monkeypatch, sim_url):
    monkeypatch.setenv("REGISTRY_NDR_URL", sim_url("ndr"))
    patient = f.make_patient(unit=f.make_unit())
    t, row = _queue(patient)
    # The eager task ran after commit: delivered, receipt on both rows, the disclosure logged.
    assert row.status == Outbox.Status.DELIVERED and row.channel == "registry"
    assert row.receipt["receipt_id"].startswith("SIM-NDR-")
    assert t.status == RegistryTransfer.Status.DELIVERED and t.receipt["receipt_id"] == row.receipt["receipt_id"]
    msg = SimulatedRegistryMessage.objects.get()
    assert msg.payload["personnummer"] == patient.identifier and msg.idempotency_key == row.idempotency_key
    log = AccessLog.objects.get(action="registry.disclosure", patient_id=patient.pk)
    assert log.patient_id == patient.pk and log.ground == "system" and log.detail["registry"] == "ndr"
    # Delivering again sends nothing more.
    assert outbox.deliver(row.pk) == Outbox.Status.DELIVERED
    assert SimulatedRegistryMessage.objects.count() == 1


def test_same_content_is_queued_once(monkeypatch, sim_url):
    monkeypatch.setenv("REGISTRY_NDR_URL", sim_url("ndr"))
    patient = f.make_patient()
    _queue(patient)
    _queue(patient)
    assert RegistryTransfer.objects.count() == 1 and Outbox.objects.filter(channel="registry").count() == 1


@pytest.mark.parametrize("query, expected", [("status=503", "HTTP 503"), ("status=500", "HTTP 500")])
def test_endpoint_error_leaves_transfer_queued_and_visible(monkeypatch, sim_url, query, expected):
    monkeypatch.setenv("REGISTRY_NDR_URL", sim_url("ndr", query))
    t, row = _queue(f.make_patient())
    assert row.status == Outbox.Status.FAILED and row.attempts == 1 and expected in row.last_error
    assert row.next_attempt_at > row.created_at  # retried with backoff by the sweep
    assert t.status == RegistryTransfer.Status.QUEUED and t.receipt is None
    assert not AccessLog.objects.filter(action="registry.disclosure", patient_id=t.patient_id).exists()
    assert row.pk in [r.pk for r in Outbox.objects.exclude(status=Outbox.Status.DELIVERED)]


def test_endpoint_timeout_leaves_transfer_queued(monkeypatch, sim_url):
    monkeypatch.setenv("REGISTRY_NDR_URL", sim_url("ndr", "sleep=1"))
    monkeypatch.setenv("REGISTRY_TIMEOUT_SECONDS", "0.3")
    t, row = _queue(f.make_patient())
    assert row.status == Outbox.Status.FAILED and "Tidsgräns" in row.last_error
    assert t.status == RegistryTransfer.Status.QUEUED
    # The endpoint recovers: the next attempt delivers.
    monkeypatch.setenv("REGISTRY_NDR_URL", sim_url("ndr"))
    assert outbox.deliver(row.pk) == Outbox.Status.DELIVERED
    time.sleep(1)  # let the live server finish the slow request before the database goes away


def test_unconfigured_endpoint_stays_queued(monkeypatch):
    monkeypatch.delenv("REGISTRY_NDR_URL", raising=False)
    t, row = _queue(f.make_patient())
    assert row.status == Outbox.Status.QUEUED and "REGISTRY_NDR_URL" in row.last_error
    assert t.status == RegistryTransfer.Status.QUEUED


def test_rejected_by_registry_needs_a_person(monkeypatch, sim_url):
    monkeypatch.setenv("REGISTRY_NDR_URL", sim_url("ndr", "status=422"))
    t, row = _queue(f.make_patient())
    assert row.status == Outbox.Status.DEAD and "HTTP 422" in row.last_error


def test_objection_after_queueing_stops_the_transfer(monkeypatch, sim_url):
    monkeypatch.setenv("REGISTRY_NDR_URL", sim_url("ndr", "status=503"))
    patient = f.make_patient()
    t, row = _queue(patient)
    patient.registry_objection = True
    patient.save(update_fields=["registry_objection"])
    monkeypatch.setenv("REGISTRY_NDR_URL", sim_url("ndr"))
    assert outbox.deliver(row.pk) == Outbox.Status.DEAD
    t.refresh_from_db()
    assert t.status == RegistryTransfer.Status.CANCELLED
    assert not SimulatedRegistryMessage.objects.exists()
    assert not AccessLog.objects.filter(action="registry.disclosure", patient_id=patient.pk).exists()
