"""Fixtures of the läkemedel tests: the shipped sample catalogue and helpers."""

from __future__ import annotations

import pytest

from lakemedel import catalogue, services
from lakemedel.models import MedicationOrder, Prescription, Product
from vardmiljo.actor import Actor


@pytest.fixture
def drugs(db: None) -> None:
    catalogue.ensure_sample()


def product(name: str, strength: str = "") -> Product:
    qs = Product.objects.filter(name=name)
    if strength:
        qs = qs.filter(strength=strength)
    return qs.order_by("pk").first()  # type: ignore[return-value]


def order(actor: Actor, patient_id: int, name: str, strength: str = "", *, override: str = "", **kw: object) -> MedicationOrder:
    p = product(name, strength)
    data = {"product_id": p.pk, "dose": "1", "dose_unit": p.dose_unit, "frequency": "regular", "times": 2, "indication": "test"}
    data.update(kw)
    return services.order_create(
        actor=actor,
        patient_id=patient_id,
        data=services.OrderInput(**data),  # type: ignore[arg-type]
        override_reason=override,
    )


def prescribe(actor: Actor, patient_id: int, o: MedicationOrder, key: str | None = None, **kw: object) -> Prescription:
    data = {"packages": 1, "dispensings": 1}
    data.update(kw)
    return services.prescription_create(
        actor=actor, patient_id=patient_id, order_id=o.pk, data=services.PrescriptionInput(**data), idempotency_key=key
    )  # type: ignore[arg-type]
