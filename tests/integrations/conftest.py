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


@pytest.fixture
def catalogue(db):  # type: ignore[no-untyped-def]
    from lakemedel.catalogue import ensure_sample

    ensure_sample()


@pytest.fixture
def registered(demo_units, tmp_path):  # type: ignore[no-untyped-def]
    """The sample patients, registered through the ADT sample first (as a migration would)."""
    import shutil

    from integrations import services
    from integrations.legacy_import import runner

    path = tmp_path / "adt.hl7"
    shutil.copy(SAMPLES / "adt.hl7", path)
    runner.run_job(services.import_job_create(source="hl7", path=path, source_system="ELVIS").pk)
    return demo_units


@pytest.fixture
def imported(registered, catalogue, tmp_path):  # type: ignore[no-untyped-def]
    """ADT and journal samples imported: a type 2 diabetic (Astrid) and a heart-failure patient (Nils)."""
    import shutil

    from integrations import services
    from integrations.legacy_import import runner

    path = tmp_path / "journal.jsonl"
    shutil.copy(SAMPLES / "journal.jsonl", path)
    runner.run_job(services.import_job_create(source="jsonl", path=path, source_system="Melior").pk)
    return registered
