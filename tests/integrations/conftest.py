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
