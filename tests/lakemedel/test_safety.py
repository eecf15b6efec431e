"""Safety checks at ordering: interactions, duplicates, indication, allergy; overrides recorded."""

from __future__ import annotations

import pytest

from journal.models import Allergy
from lakemedel import safety
from lakemedel.models import MedicationOrder, SafetyAlert
from tests.conftest import World
from tests.lakemedel.conftest import order, product
from vardmiljo.access import patient_access
from vardmiljo.errors import DomainError
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def test_severe_interaction_requires_override_and_is_recorded(world: World, drugs: None) -> None:
    order(world.physician, world.patient.pk, "Waran", indication="förmaksflimmer")
    with pytest.raises(DomainError) as exc:
        order(world.physician, world.patient.pk, "Ipren", "400 mg", indication="smärta")
    assert exc.value.code == "override_required" and "Interaktion D" in exc.value.message
    assert MedicationOrder.objects.count() == 1
    o = order(world.physician, world.patient.pk, "Ipren", "400 mg", indication="smärta", override="kort kur, PK-INR följs")
    alert = SafetyAlert.objects.get(order=o, kind="interaction")
    assert alert.severe and alert.severity == "D" and alert.override_reason == "kort kur, PK-INR följs"
    row = AccessLog.objects.get(action="lakemedel.safety.override", object_id=str(o.pk))
    assert row.reason == "kort kur, PK-INR följs"


def test_moderate_interaction_is_shown_but_not_blocking(world: World, drugs: None) -> None:
    order(world.physician, world.patient.pk, "Enalapril Sandoz", "10 mg", times=1)
    o = order(world.physician, world.patient.pk, "Spironolakton Orion", "25 mg", times=1)
    alert = SafetyAlert.objects.get(order=o)
    assert alert.kind == "interaction" and alert.severity == "C" and not alert.severe and alert.override_reason == ""


def test_duplicate_therapy_same_atc_level_4(world: World, drugs: None) -> None:
    order(world.physician, world.patient.pk, "Omeprazol Actavis", "20 mg", times=1)
    pa = patient_access(world.physician, world.patient.pk, action="test")
    res = safety.check_order(pa, product("Nexium", "20 mg"))
    assert [a.kind for a in res.alerts] == ["duplicate"] and res.needs_override
    o = order(world.physician, world.patient.pk, "Nexium", "20 mg", times=1, override="byte pågår")
    assert SafetyAlert.objects.get(order=o).kind == "duplicate"
    # A change of the same order is not a duplicate of itself.
    assert safety.check_order(pa, product("Nexium", "40 mg"), exclude_order_id=o.pk).alerts[0].text.startswith("Dubbel")


def test_missing_required_indication(world: World, drugs: None) -> None:
    with pytest.raises(DomainError) as exc:
        order(world.physician, world.patient.pk, "Kåvepenin", "1 g", times=3, indication="")
    assert "Indikation saknas" in exc.value.message
    assert MedicationOrder.objects.count() == 0


def test_15_allergy_from_the_journal_for_real(world: World, drugs: None) -> None:
    """Item 15/16: the allergy check reads the journal's allergy list plainly; a hypersensitivity
    in the ATC class needs an override, a signal of another kind does not count."""
    Allergy.objects.create(
        patient=world.patient,
        unit=world.vc,
        substance="Penicillin",
        atc_code="J01C",
        severity="severe",
        recorded_by=world.physician.staff,
    )
    Allergy.objects.create(
        patient=world.patient,
        unit=world.vc,
        kind="infection",
        substance="Amoxicillin-resistent",
        atc_code="",
        recorded_by=world.physician.staff,
    )
    with pytest.raises(DomainError) as exc:
        order(world.physician, world.patient.pk, "Kåvepenin", "1 g", times=3, indication="tonsillit")
    assert "Allergi" in exc.value.message and "Penicillin" in exc.value.message
    o = order(
        world.physician,
        world.patient.pk,
        "Kåvepenin",
        "1 g",
        times=3,
        indication="tonsillit",
        override="tålt penicillin 2024 utan reaktion",
    )
    assert SafetyAlert.objects.get(order=o, kind="allergy").override_reason.startswith("tålt")
    order(world.physician, world.patient.pk, "Doxyferm", times=1, indication="borrelia")  # other class: no alert


def test_15_allergy_by_substance_name_when_no_atc_code(world: World, drugs: None) -> None:
    Allergy.objects.create(
        patient=world.patient, unit=world.vc, substance="fenoximetylpenicillin", atc_code="", recorded_by=world.physician.staff
    )
    pa = patient_access(world.physician, world.patient.pk, action="test")
    res = safety.check_order(pa, product("Kåvepenin", "1 g"), indication="tonsillit")
    assert [a.kind for a in res.alerts] == ["allergy"] and res.needs_override and res.notices == []
    assert safety.check_order(pa, product("Doxyferm"), indication="borrelia").alerts == []
