"""A hospital beside the persona world: two wards of Region Väst with beds, a ward
nurse and a ward physician at each (the outsider stays at the private clinic)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from slutenvard.models import Bed, Hospital, Ward
from tests import factories as f
from tests.conftest import World
from vardmiljo.actor import Actor
from vardmiljo.models import Staff


@dataclass
class Wards:
    hospital: Hospital
    med: Ward  # Medicinavdelning 3
    kir: Ward  # Kirurgavdelning 5
    nurse: Actor  # at med
    physician: Actor  # at med
    kir_nurse: Actor  # at kir
    med_beds: list[Bed]
    kir_beds: list[Bed]


def make_ward(hospital: Hospital, name: str, beds: int, order: int = 1) -> Ward:
    unit = f.make_unit(hospital.provider, name)
    ward = Ward.objects.create(unit=unit, hospital=hospital, short_name=name[:3].upper(), order=order)
    Bed.objects.bulk_create(
        [Bed(ward=ward, room=str(1 + i // 2), label=f"{i + 1}", order=i) for i in range(beds)]
        + [Bed(ward=ward, room="K", label="E1", order=beds, extra=True)]
    )
    return ward


@pytest.fixture
def wards(world: World) -> Wards:
    hospital = Hospital.objects.create(provider=world.region, name="Södra sjukhuset")
    med = make_ward(hospital, "Medicinavdelning 3", 6, 1)
    kir = make_ward(hospital, "Kirurgavdelning 5", 4, 2)
    return Wards(
        hospital=hospital,
        med=med,
        kir=kir,
        nurse=f.make_actor(med.unit, profession=Staff.Profession.NURSE),
        physician=f.make_actor(med.unit),
        kir_nurse=f.make_actor(kir.unit, profession=Staff.Profession.NURSE),
        med_beds=list(Bed.objects.filter(ward=med, extra=False).order_by("order")),
        kir_beds=list(Bed.objects.filter(ward=kir, extra=False).order_by("order")),
    )
