"""Two people at once, on two real database connections."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from remisser import services
from remisser.models import Priority, Referral, ReferralEvent
from tests import factories as f
from tests.conftest import World
from tests.remisser.conftest import send
from vardmiljo.errors import Conflict
from vardmiljo.models import Outbox

pytestmark = pytest.mark.django_db(transaction=True)
S = Referral.Status


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment, each on its own thread (and connection)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the result under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_triaging_at_once_one_wins_the_other_is_told(world: World) -> None:
    ref = send(world)
    assert ref.status == S.RECEIVED
    other = f.make_actor(world.med)
    results = _race(
        lambda: services.referral_accept(actor=world.colleague, referral_id=ref.pk, expected_version=ref.version),
        lambda: services.referral_reject(actor=other, referral_id=ref.pk, reason="Fel enhet", expected_version=ref.version),
    )
    wins = [r for r in results if isinstance(r, Referral)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(lost) == 1, results
    assert "ändrats av någon annan" in lost[0].message
    ref.refresh_from_db()
    assert ref.status == wins[0].status and ref.version == wins[0].version
    assert ReferralEvent.objects.filter(referral=ref, from_status=S.RECEIVED).count() == 1


def test_two_accepting_without_version_still_only_one_moves(world: World) -> None:
    ref = send(world)
    other = f.make_actor(world.med)
    results = _race(
        lambda: services.referral_accept(actor=world.colleague, referral_id=ref.pk),
        lambda: services.referral_accept(actor=other, referral_id=ref.pk),
    )
    assert sum(isinstance(r, Referral) for r in results) == 1
    assert ReferralEvent.objects.filter(referral=ref, to_status=S.ACCEPTED).count() == 1


def test_double_click_on_send_at_the_same_moment_sends_once(world: World) -> None:
    def click() -> Referral:
        return services.referral_send(
            actor=world.physician,
            patient_id=world.patient.pk,
            receiver_unit_id=world.med.pk,
            priority=Priority.AKUT,
            question="Akut",
            idempotency_key="same-form",
        )

    results = _race(click, click, click)
    assert all(isinstance(r, Referral) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Referral.objects.count() == 1 and Outbox.objects.count() == 1
