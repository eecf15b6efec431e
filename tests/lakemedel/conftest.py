"""Fixtures of the läkemedel tests: the shipped sample catalogue and helpers."""

from __future__ import annotations

import pytest

from lakemedel import catalogue, services
from lakemedel.models import MedicationOrder, Prescription, Product
from tests.browser import conftest as browser_conftest
from tests.browser.conftest import page  # noqa: F401 - the page fixture, for test_browser.py
from vardmiljo.actor import Actor


def _other_browser_defs(request) -> list:  # type: ignore[no-untyped-def,type-arg]
    fm = request._fixturemanager
    by_node = getattr(fm, "_arg2node2fixturedefs", None)
    if by_node is not None:
        return [d for defs in by_node.get("browser", {}).values() for d in defs]
    return list(getattr(fm, "_arg2fixturedefs", {}).get("browser", []))


@pytest.fixture(scope="module")
def browser(request):  # type: ignore[no-untyped-def]
    """tests/browser's session fixture is not visible from this folder, and a process can run
    only one sync Playwright. Reuse tests/browser's browser when it is already running, else
    run one for this module only (closed before any later module starts its own)."""
    for fdef in _other_browser_defs(request):
        cached = getattr(fdef, "cached_result", None)
        if cached is not None and cached[2] is None:
            yield cached[0]
            return
    gen = browser_conftest.browser._get_wrapped_function()()
    try:
        yield next(gen)
    finally:
        gen.close()


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
    data = {"product_id": p.pk, "dose": "1", "dose_unit": p.dose_unit, "frequency": "regular", "times": 2,
            "indication": "test"}
    data.update(kw)
    return services.order_create(actor=actor, patient_id=patient_id, data=services.OrderInput(**data),  # type: ignore[arg-type]
                                 override_reason=override)


def prescribe(actor: Actor, patient_id: int, o: MedicationOrder, key: str | None = None, **kw: object) -> Prescription:
    data = {"packages": 1, "dispensings": 1}
    data.update(kw)
    return services.prescription_create(actor=actor, patient_id=patient_id, order_id=o.pk,
                                        data=services.PrescriptionInput(**data), idempotency_key=key)  # type: ignore[arg-type]
