"""Prescribing and renewing: one step, prescriber code, idempotency, access, outbox."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from lakemedel import services
from lakemedel.models import Prescription
from tests.conftest import World
from tests.lakemedel.conftest import order, prescribe
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import AccessLog, Outbox

pytestmark = pytest.mark.django_db


def test_prescribe_in_one_step_writes_outbox_in_same_transaction(world: World, drugs: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ERECEPT_ENDPOINT", raising=False)
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1, indication="hypotyreos")
    rx = prescribe(
        world.physician,
        world.patient.pk,
        o,
        packages=2,
        package_size=100,
        dispensings=3,
        interval_days=90,
        pharmacy_message="Dosetthjälp",
    )
    assert rx.prescriber_code == "1234567" and rx.dosage_text == "1 tablett 1 gång dagligen"
    assert rx.valid_until == timezone.localdate() + dt.timedelta(days=365)
    ob = Outbox.objects.get(pk=rx.outbox_id)
    assert ob.channel == "erecept" and ob.object_id == str(rx.pk) and ob.patient_id == world.patient.pk
    assert ob.payload["product"]["npl_id"] == o.product.npl_id and ob.payload["dispensings"] == 3
    assert AccessLog.objects.filter(action="lakemedel.prescribe", object_id=str(rx.pk)).exists()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"packages": 0}, "packages"),
        ({"package_size": 7}, "package_size"),
        ({"dispensings": 3}, "interval_days"),
        ({"dispensings": 40, "interval_days": 30}, "dispensings"),
        ({"valid_until": dt.date(2000, 1, 1)}, "valid_until"),
        ({"valid_until": dt.date.today() + dt.timedelta(days=800)}, "valid_until"),
    ],
)
def test_bad_prescription_is_refused_and_nothing_stored(world: World, drugs: None, kw: dict, field: str) -> None:  # type: ignore[type-arg]
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    with pytest.raises(DomainError) as exc:
        prescribe(world.physician, world.patient.pk, o, **kw)
    assert exc.value.field == field
    assert Prescription.objects.count() == 0 and Outbox.objects.count() == 0


def test_no_prescriber_code_is_refused_in_swedish(world: World, drugs: None) -> None:
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    with pytest.raises(DomainError) as exc:
        prescribe(world.nurse, world.patient.pk, o)
    assert "förskrivarkod" in exc.value.message
    assert Prescription.objects.count() == 0 and Outbox.objects.count() == 0


@pytest.mark.parametrize("who", ["outsider", "colleague"])
def test_outsider_and_colleague_cannot_prescribe_or_renew(world: World, drugs: None, who: str) -> None:
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    rx = prescribe(world.physician, world.patient.pk, o)
    actor = getattr(world, who)
    with pytest.raises(NotFound):
        prescribe(actor, world.patient.pk, o)
    with pytest.raises(NotFound):
        services.prescriptions_renew(actor=actor, patient_id=world.patient.pk, prescription_ids=[rx.pk])
    assert Prescription.objects.count() == 1
    assert AccessLog.objects.filter(staff_id=actor.staff.pk, action="lakemedel.renew.denied").exists()


def test_prescribe_twice_with_same_key_makes_one(world: World, drugs: None) -> None:
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    a = prescribe(world.physician, world.patient.pk, o, key="formkey-123456")
    b = prescribe(world.physician, world.patient.pk, o, key="formkey-123456")
    assert a.pk == b.pk and Prescription.objects.count() == 1 and Outbox.objects.count() == 1


def test_renew_many_in_one_act_and_a_double_click_renews_once(world: World, drugs: None) -> None:
    o1 = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    o2 = order(world.physician, world.patient.pk, "Seloken ZOC", "50 mg", times=1)
    r1, r2 = prescribe(world.physician, world.patient.pk, o1), prescribe(world.physician, world.patient.pk, o2)
    first = services.prescriptions_renew(
        actor=world.physician, patient_id=world.patient.pk, prescription_ids=[r1.pk, r2.pk], idempotency_key="click-abcdef12"
    )
    again = services.prescriptions_renew(
        actor=world.physician, patient_id=world.patient.pk, prescription_ids=[r1.pk, r2.pk], idempotency_key="click-abcdef12"
    )
    assert [r.pk for r in first] == [r.pk for r in again]
    assert Prescription.objects.filter(renewed_from__isnull=False).count() == 2
    assert Outbox.objects.count() == 4
    r1.refresh_from_db()
    assert r1.status == "renewed" and first[0].renewed_from_id == r1.pk
    # Renewing the replaced prescription again (another form) is refused.
    with pytest.raises(DomainError) as exc:
        services.prescriptions_renew(
            actor=world.physician, patient_id=world.patient.pk, prescription_ids=[r1.pk], idempotency_key="other-abcdef12"
        )
    assert "redan förnyat" in exc.value.message
    audits = [
        r for r in AccessLog.objects.filter(action="lakemedel.renew", patient_id=world.patient.pk) if r.detail.get("renewed")
    ]
    assert len(audits) == 2 and audits[0].detail["renewed"] == {str(r1.pk): first[0].pk, str(r2.pk): first[1].pk}


def test_renew_refuses_discontinued_orders(world: World, drugs: None) -> None:
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    rx = prescribe(world.physician, world.patient.pk, o)
    services.order_discontinue(actor=world.physician, patient_id=world.patient.pk, order_id=o.pk, reason="klart")
    rx.refresh_from_db()
    assert rx.status == "cancelled"
    cancel = Outbox.objects.get(idempotency_key=f"erecept-makulera:{rx.pk}")
    assert cancel.payload["action"] == "makulera" and cancel.payload["reason"] == "klart"
    with pytest.raises(DomainError):
        services.prescriptions_renew(actor=world.physician, patient_id=world.patient.pk, prescription_ids=[rx.pk])


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_click_renews_once(world: World, drugs: None) -> None:
    """Two requests with the same form key at the same moment: the row lock makes the second wait and return the first."""
    from django.db import close_old_connections

    from lakemedel import catalogue

    catalogue.ensure_sample()
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    rx = prescribe(world.physician, world.patient.pk, o)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def click() -> None:
        try:
            barrier.wait()
            out = services.prescriptions_renew(
                actor=world.physician, patient_id=world.patient.pk, prescription_ids=[rx.pk], idempotency_key="dbl-click-0001"
            )
            results.append(out[0].pk)
        except Exception as exc:  # noqa: BLE001
            results.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 2 and results[0] == results[1], results
    assert Prescription.objects.filter(renewed_from=rx).count() == 1


def test_renewing_several_links_each_to_its_own_outbox_row(world: World, drugs: None) -> None:
    o1 = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    o2 = order(world.physician, world.patient.pk, "Seloken ZOC", "50 mg", times=1)
    r1, r2 = prescribe(world.physician, world.patient.pk, o1), prescribe(world.physician, world.patient.pk, o2)
    out = services.prescriptions_renew(actor=world.physician, patient_id=world.patient.pk, prescription_ids=[r2.pk, r1.pk])
    for new, src in zip(out, (r1, r2), strict=True):
        new.refresh_from_db()
        ob = Outbox.objects.get(pk=new.outbox_id)
        assert new.renewed_from_id == src.pk and new.valid_until == timezone.localdate() + dt.timedelta(days=365)
        assert ob.object_id == str(new.pk) and ob.payload["renewal_of"] == src.pk and ob.payload["prescription_id"] == new.pk
        assert ob.idempotency_key == f"erecept:{new.idempotency_key}" and new.status == "active"
        before = src.outbox_id
        src.refresh_from_db()
        assert src.status == "renewed" and src.outbox_id == before


def test_renewal_with_one_refused_prescription_renews_none(world: World, drugs: None) -> None:
    o1 = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    o2 = order(world.physician, world.patient.pk, "Seloken ZOC", "50 mg", times=1)
    r1, r2 = prescribe(world.physician, world.patient.pk, o1), prescribe(world.physician, world.patient.pk, o2)
    services.order_pause(actor=world.physician, patient_id=world.patient.pk, order_id=o2.pk, reason="uppehåll")
    with pytest.raises(DomainError) as exc:
        services.prescriptions_renew(actor=world.physician, patient_id=world.patient.pk, prescription_ids=[r1.pk, r2.pk])
    assert "kan inte förnyas" in exc.value.message
    r1.refresh_from_db()
    assert r1.status == "active" and Prescription.objects.count() == 2 and Outbox.objects.count() == 2
    # The refused attempt is still in the access log.
    assert AccessLog.objects.filter(action="lakemedel.renew", patient_id=world.patient.pk).count() == 1


def test_prescribe_and_renew_query_counts(world: World, drugs: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    """The services' own queries (the request adds the core's session and assignment):
    access decision + its log row, the row lock, the idempotency read (prescribe only:
    a renewal's key can exist only when its source is no longer active), the prescription,
    one outbox INSERT, the link to it (renew: in the same UPDATE as the source's status),
    the audit row; SAVEPOINT/RELEASE because the test itself runs in a transaction."""
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    prescribe(world.physician, world.patient.pk, o)  # warm up
    with django_assert_num_queries(10):
        rx = prescribe(world.physician, world.patient.pk, o)
    with django_assert_num_queries(9):
        services.prescriptions_renew(actor=world.physician, patient_id=world.patient.pk, prescription_ids=[rx.pk])


def test_every_prescribe_attempt_leaves_its_access_row(world: World, drugs: None) -> None:
    """The access row is written in the act's transaction; a refused write still leaves it."""
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)

    def rows() -> list[tuple[str, str, str, bool]]:
        return [
            (r.object_type, r.object_id, r.ground, bool(r.detail.get("write")))
            for r in AccessLog.objects.filter(action="lakemedel.prescribe").order_by("seq")
        ]

    rx = prescribe(world.physician, world.patient.pk, o)
    assert sorted(rows()) == sorted(
        [
            ("lakemedel.medicationorder", str(o.pk), "care_relationship", True),
            ("lakemedel.prescription", str(rx.pk), "care_relationship", False),
        ]
    )
    services.order_pause(actor=world.physician, patient_id=world.patient.pk, order_id=o.pk, reason="uppehåll")
    with pytest.raises(DomainError):
        prescribe(world.physician, world.patient.pk, o)
    assert len(rows()) == 3 and rows().count(("lakemedel.medicationorder", str(o.pk), "care_relationship", True)) == 2
    assert Prescription.objects.count() == 1
    with pytest.raises(NotFound):
        prescribe(world.outsider, world.patient.pk, o)
    assert AccessLog.objects.filter(action="lakemedel.prescribe.denied", staff_id=world.outsider.staff.pk).count() == 1
