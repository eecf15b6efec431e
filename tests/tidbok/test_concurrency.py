"""Two receptionists book the same slot at the same moment: exactly one wins."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from tests import factories as f
from tests.conftest import World
from tests.tidbok.helpers import make_resource, make_slot
from tidbok import services
from tidbok.models import Booking, Slot
from vardmiljo.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)


def _race(world: World, slot: Slot, patients: list[int]) -> list[Any]:
    barrier = threading.Barrier(len(patients))
    results: list[Any] = [None] * len(patients)

    def book(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = services.booking_create(
                actor=world.nurse if i % 2 else world.physician, patient_id=patients[i], slot_id=slot.pk
            )
        except Exception as exc:  # noqa: BLE001 - the loser's error is the point of the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(len(patients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_concurrent_bookings_of_one_slot_exactly_one_wins(world: World) -> None:
    slot = make_slot(make_resource(world.vc))
    patients = [world.patient.pk, f.make_patient(unit=world.vc).pk]
    results = _race(world, slot, patients)
    wins = [r for r in results if isinstance(r, Booking)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "bokad" in losses[0].message
    assert Booking.objects.filter(slot=slot).count() == 1


def test_database_constraint_decides_when_both_pass_the_application_check(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without the row lock both transactions see a free slot; the partial unique
    index still lets only one commit, and the loser gets a Swedish Conflict."""
    slot = make_slot(make_resource(world.vc))
    patients = [world.patient.pk, f.make_patient(unit=world.vc).pk]
    both_checked = threading.Barrier(2)

    def lock_without_row_lock(actor, *, slot_id, resource_id, starts_at):  # type: ignore[no-untyped-def]
        s = Slot.objects.select_related("resource").get(pk=slot_id)
        assert s.status == Slot.Status.FREE
        both_checked.wait(timeout=10)
        return s

    monkeypatch.setattr(services, "_lock_slot", lock_without_row_lock)
    results = _race(world, slot, patients)
    wins = [r for r in results if isinstance(r, Booking)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].message == "Tiden bokades precis av någon annan. Välj en annan tid."
    assert Booking.objects.filter(slot=slot).count() == 1
