from __future__ import annotations

from collections.abc import Iterator

import pytest

from remisser import services
from remisser.models import Priority, Referral
from tests.conftest import World
from vardmiljo import outbox


@pytest.fixture(autouse=True)
def eager_celery(request: pytest.FixtureRequest) -> Iterator[None]:
    """Outside the worker test, a delivery scheduled after commit runs in-process,
    never on the shared development broker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from vardmiljo.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def deliver_all() -> int:
    """Run the outbox as the worker would (for tests inside one transaction)."""
    n = 0
    for pk in outbox.due_ids():
        outbox.deliver(pk)
        n += 1
    return n


def send(
    world: World,
    *,
    question: str = "Bedömning av bröstsmärta?",
    priority: str = Priority.TWO_WEEKS,
    deliver: bool = True,
    key: str = "",
) -> Referral:
    ref = services.referral_send(
        actor=world.physician,
        patient_id=world.patient.pk,
        receiver_unit_id=world.med.pk,
        priority=priority,
        question=question,
        idempotency_key=key,
    )
    if deliver:
        deliver_all()
        ref.refresh_from_db()
    return ref
