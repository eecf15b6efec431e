"""Reminders: off by default, through the outbox, only to the configured (here: local simulated) gateway."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import World
from tests.tidbok.helpers import make_resource, make_slot
from tidbok import services
from vardmiljo import outbox
from vardmiljo.actor import system_actor
from vardmiljo.models import AccessLog, Outbox, Patient


def _booking(world: World, patient: Patient | None = None, in_minutes: int = 600):  # type: ignore[no-untyped-def]
    slot = make_slot(make_resource(world.vc), in_minutes=in_minutes)
    return services.booking_create(actor=world.nurse, patient_id=(patient or world.patient).pk, slot_id=slot.pk)


@pytest.mark.django_db
def test_reminders_are_off_by_default(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("REMINDERS_ENABLED", raising=False)
    _booking(world)
    assert services.reminders_enqueue_due(actor=system_actor("test")) == 0
    assert not Outbox.objects.filter(channel="reminder").exists()


@pytest.mark.django_db
def test_enabled_without_endpoint_stays_visibly_queued(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REMINDERS_ENABLED", "1")
    monkeypatch.delenv("REMINDER_ENDPOINT", raising=False)
    world.patient.phone = "070-1234567"
    world.patient.save()
    protected = f.make_patient(unit=world.vc, protection=Patient.Protection.PROTECTED_REGISTRATION)
    _booking(world)
    _booking(world, protected)
    _booking(world, in_minutes=60 * 24 * 5)  # outside the window
    assert services.reminders_enqueue_due(actor=system_actor("test")) == 1
    assert services.reminders_enqueue_due(actor=system_actor("test")) == 0  # idempotent
    row = Outbox.objects.get(channel="reminder")
    assert row.patient_id == world.patient.pk and "Påminnelse" in row.payload["text"]
    assert outbox.deliver(row.pk) == Outbox.Status.QUEUED
    row.refresh_from_db()
    assert "REMINDER_ENDPOINT" in row.last_error
    assert AccessLog.objects.filter(action="tidbok.reminders.enqueue", ground="system").count() == 1


@pytest.mark.django_db(transaction=True)
def test_delivered_to_local_simulated_gateway(world: World, live_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REMINDERS_ENABLED", "1")
    monkeypatch.setenv("REMINDER_SIMULATOR", "1")
    monkeypatch.setenv("REMINDER_ENDPOINT", live_server.url + reverse("tidbok:reminder_simulator"))
    world.patient.phone = "070-7654321"
    world.patient.save()
    booking = _booking(world)
    services.reminders_enqueue_due(actor=system_actor("test"))
    row = Outbox.objects.get(channel="reminder", object_id=str(booking.pk))
    outbox.deliver(row.pk)  # eager Celery may already have delivered it after commit; deliver is idempotent
    row.refresh_from_db()
    assert row.status == Outbox.Status.DELIVERED, row.last_error
    assert row.receipt["id"].startswith("sim-") and row.receipt["status"] == "accepted"


@pytest.mark.django_db
def test_cancelled_booking_is_not_reminded(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REMINDERS_ENABLED", "1")
    monkeypatch.setenv("REMINDER_ENDPOINT", "http://127.0.0.1:9/finns-inte")  # never contacted
    world.patient.phone = "070-1234567"
    world.patient.save()
    booking = _booking(world)
    services.reminders_enqueue_due(actor=system_actor("test"))
    services.booking_cancel(actor=world.nurse, booking_id=booking.pk, by="patient", reason="Frisk")
    row = Outbox.objects.get(channel="reminder")
    assert outbox.deliver(row.pk) == Outbox.Status.DELIVERED
    row.refresh_from_db()
    assert "skipped" in row.receipt


@pytest.mark.django_db
def test_simulator_is_off_unless_enabled(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("REMINDER_SIMULATOR", raising=False)
    r = client.post(reverse("tidbok:reminder_simulator"), {"to": "x"}, content_type="application/json")
    assert r.status_code == 404
