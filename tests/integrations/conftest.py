from __future__ import annotations

from pathlib import Path

import pytest

from tests import factories as f
from vardmiljo.models import CareUnit

SAMPLES = Path(__file__).resolve().parents[2] / "integrations" / "samples"
VC_HSA = "SE2321000131-E000000000011"
MED_HSA = "SE2321000131-E000000000012"


@pytest.fixture
def demo_units(db: None) -> dict[str, CareUnit]:
    """Units with the HSA-ids the sample files use (those of the demo data)."""
    region = f.make_provider("Region Väst")
    return {
        "vc": CareUnit.objects.create(provider=region, hsa_id=VC_HSA, name="Vårdcentral Centrum"),
        "med": CareUnit.objects.create(provider=region, hsa_id=MED_HSA, name="Medicinkliniken"),
    }


@pytest.fixture(autouse=True)
def _celery_eager():  # type: ignore[no-untyped-def]
    """Tasks scheduled after commit run here, not in whatever worker listens on
    the shared development Redis. The worker tests replace this with their own
    broker and worker."""
    from vardmiljo.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture
def sim_url(live_server):  # type: ignore[no-untyped-def]
    def url(name: str, query: str = "") -> str:
        return f"{live_server.url}/integrationer/sim/registry/{name}/" + (f"?{query}" if query else "")

    return url
