"""Orders (ordinationer) persona by persona: create, change, pause, discontinue, review."""

from __future__ import annotations

import datetime as dt

import pytest

from lakemedel import queries, services
from lakemedel.models import MedicationOrder, MedicationOrderVersion, MedicationReview, SafetyAlert
from tests import factories as f
from tests.conftest import World
from tests.lakemedel.conftest import order, product
from vardmiljo.errors import Conflict, DomainError, NotFound
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def _nothing_stored() -> None:
    assert MedicationOrder.objects.count() == 0
    assert MedicationOrderVersion.objects.count() == 0
    assert SafetyAlert.objects.count() == 0
    assert not AccessLog.objects.filter(action="lakemedel.order.create", object_type="lakemedel.medicationorder").exists()


def test_physician_orders_and_it_is_versioned_and_audited(world: World, drugs: None) -> None:
    o = order(
        world.physician,
        world.patient.pk,
        "Alvedon",
        "500 mg",
        frequency="prn",
        times=None,
        prn_max_per_day=4,
        indication="smärta",
    )
    assert o.dosage_text == "1 tablett vid behov, högst 4 per dygn"
    assert o.unit_id == world.vc.pk and o.prescriber == world.physician.staff and o.version == 1
    v = MedicationOrderVersion.objects.get(order=o)
    assert v.kind == "created" and v.version == 1
    row = AccessLog.objects.get(action="lakemedel.order.create", object_id=str(o.pk))
    assert row.staff_id == world.physician.staff.pk and row.patient_id == world.patient.pk


@pytest.mark.parametrize(
    ("kw", "field", "word"),
    [
        ({"dose_unit": ""}, "dose_unit", "enhet"),
        ({"times": None}, "times", "kan inte läsas ut"),
        ({"frequency": "prn", "times": None, "prn_max_per_day": None}, "prn_max_per_day", "högsta"),
        ({"start_date": dt.date(2026, 5, 1), "planned_end_date": dt.date(2026, 4, 1)}, "planned_end_date", "före startdatum"),
        ({"product_id": 999999}, "product", "Okänt läkemedel"),
        ({"product_id": "inte-ett-id"}, "product", "produktregistret"),
        ({"route": "öronlapp"}, "route", "administrationsväg"),
    ],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_stored(
    world: World, drugs: None, kw: dict, field: str, word: str
) -> None:  # type: ignore[type-arg]
    with pytest.raises(DomainError) as exc:
        order(world.physician, world.patient.pk, "Alvedon", "500 mg", **kw)
    assert exc.value.field == field
    assert word.lower() in exc.value.message.lower()
    _nothing_stored()


def test_nurse_without_prescriber_code_cannot_order(world: World, drugs: None) -> None:
    with pytest.raises(DomainError) as exc:
        order(world.nurse, world.patient.pk, "Alvedon", "500 mg")
    assert "förskrivarkod" in exc.value.message
    _nothing_stored()


@pytest.mark.parametrize("who", ["outsider", "colleague"])
def test_outsider_and_colleague_are_refused_and_the_refusal_is_logged(world: World, drugs: None, who: str) -> None:
    actor = getattr(world, who)
    with pytest.raises(NotFound):
        order(actor, world.patient.pk, "Alvedon", "500 mg")
    assert MedicationOrder.objects.count() == 0
    row = AccessLog.objects.get(staff_id=actor.staff.pk, patient_id=world.patient.pk)
    assert row.action == "lakemedel.order.create.denied" and row.ground == "denied"
    with pytest.raises(NotFound):
        queries.medication_list(actor, world.patient.pk)


def test_change_makes_a_new_version_and_history_is_date_by_date(world: World, drugs: None) -> None:
    o = order(world.physician, world.patient.pk, "Metformin Teva", "500 mg", indication="diabetes")
    p = product("Metformin Teva", "500 mg")
    services.order_change(
        actor=world.physician,
        patient_id=world.patient.pk,
        order_id=o.pk,
        expected_version=1,
        reason="dosökning",
        data=services.OrderInput(
            product_id=p.pk, dose="2", dose_unit="tablett", frequency="regular", times=2, indication="diabetes"
        ),
    )
    o.refresh_from_db()
    assert o.version == 2 and o.dosage_text == "2 tabletter 2 gånger dagligen"
    pa, _o, versions = queries.order_history(world.physician, world.patient.pk, o.pk)
    assert [(v.version, v.kind) for v in versions] == [(2, "changed"), (1, "created")]
    assert versions[1].dosage_text == "1 tablett 2 gånger dagligen"
    assert AccessLog.objects.filter(action="lakemedel.order.history", patient_id=world.patient.pk).exists()
    # A stale form answers Conflict and changes nothing.
    with pytest.raises(Conflict):
        services.order_change(
            actor=world.physician,
            patient_id=world.patient.pk,
            order_id=o.pk,
            expected_version=1,
            data=services.OrderInput(
                product_id=p.pk, dose="3", dose_unit="tablett", frequency="regular", times=2, indication="diabetes"
            ),
        )
    o.refresh_from_db()
    assert o.version == 2


def test_pause_resume_and_discontinue_need_a_reason(world: World, drugs: None) -> None:
    o = order(world.physician, world.patient.pk, "Simvastatin Actavis", "20 mg", times=1)
    services.order_pause(actor=world.physician, patient_id=world.patient.pk, order_id=o.pk, reason="inför operation")
    with pytest.raises(DomainError):
        services.order_pause(actor=world.physician, patient_id=world.patient.pk, order_id=o.pk)
    services.order_resume(actor=world.physician, patient_id=world.patient.pk, order_id=o.pk)
    with pytest.raises(DomainError) as exc:
        services.order_discontinue(actor=world.physician, patient_id=world.patient.pk, order_id=o.pk, reason="  ")
    assert exc.value.field == "reason" and "skäl" in exc.value.message
    o.refresh_from_db()
    assert o.status == "active" and o.version == 3
    services.order_discontinue(actor=world.physician, patient_id=world.patient.pk, order_id=o.pk, reason="muskelvärk")
    o.refresh_from_db()
    assert o.status == "discontinued" and o.discontinued_reason == "muskelvärk"
    assert list(MedicationOrderVersion.objects.filter(order=o).order_by("version").values_list("kind", flat=True)) == [
        "created",
        "paused",
        "resumed",
        "discontinued",
    ]
    assert AccessLog.objects.filter(action="lakemedel.order.discontinue", object_id=str(o.pk), reason="muskelvärk").exists()
    ml = queries.medication_list(world.physician, world.patient.pk, include_past=True)
    assert ml.current == [] and [x.pk for x in ml.past] == [o.pk]


def test_medication_review_marks_the_list(world: World, drugs: None) -> None:
    services.medication_review_record(actor=world.physician, patient_id=world.patient.pk, note="inga ändringar")
    r = MedicationReview.objects.get()
    assert r.reviewed_by == world.physician.staff
    assert queries.medication_list(world.physician, world.patient.pk).review == r
    assert AccessLog.objects.filter(action="lakemedel.review", object_id=str(r.pk)).exists()


def test_colleague_at_other_unit_sees_list_once_related(world: World, drugs: None) -> None:
    order(world.physician, world.patient.pk, "Alvedon", "500 mg")
    f.relate(world.patient, world.med)
    assert len(queries.medication_list(world.colleague, world.patient.pk).current) == 1
