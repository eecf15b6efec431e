"""HL7 v2 ADT A01, A02, A03, A11, A12, A13 accepted by legacy_import (idempotent, each
refusal a line in the error report), and the outbound messages built for each event."""

from __future__ import annotations

from pathlib import Path

import pytest
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from integrations import services as import_services
from integrations.legacy_import import runner
from integrations.models import ImportErrorRow
from slutenvard import adt, services
from slutenvard.models import Bed, Stay, StayEvent
from tests import factories as f
from tests.conftest import World
from tests.slutenvard.helpers import Wards
from vardmiljo.models import Outbox

pytestmark = pytest.mark.django_db
PNR = "194802299935"


def _msg(n: int, event: str, pv1: str, extra: str = "") -> list[str]:
    structure = {"A11": "ADT_A09", "A12": "ADT_A12", "A02": "ADT_A02", "A03": "ADT_A03"}.get(event, "ADT_A01")
    lines = [
        f"MSH|^~\\&|ELVIS|SAS|VARDMILJO|R|20261129080000||ADT^{event}^{structure}|C{n}|P|2.5",
        f"EVN|{event}|2026112908{n:02d}00",
        f"PID|1||{PNR}^^^SKV^PN||Ek^Stig||19480229|M",
        pv1,
    ]
    return lines + ([extra] if extra else [])


def _run(tmp_path: Path, name: str, lines: list[str]):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text("\r".join(lines))
    job = import_services.import_job_create(source="hl7", path=path, source_system="ELVIS")
    return runner.run_job(job.pk)


def _pv1(ward_hsa: str, bed: str = "", bed_ward: str = "", visit: str = "V100", extra: str = "") -> str:
    return f"PV1|1|I|{bed_ward or ward_hsa}^^{bed}^{ward_hsa}||||||||||||||||{visit}{extra}"


def test_a01_a02_a03_and_cancellations_through_the_services(world: World, wards: Wards, tmp_path: Path) -> None:
    med, kir = wards.med.unit.hsa_id, wards.kir.unit.hsa_id
    lines = (
        _msg(1, "A01", _pv1(med, "1"), "PV2|||^Pneumoni")
        + _msg(2, "A02", _pv1(kir, "2"))
        + _msg(3, "A12", _pv1(kir))
        + _msg(4, "A03", _pv1(med, "1") + "|||||||||||||||||01")
        + _msg(5, "A13", _pv1(med))
    )
    job = _run(tmp_path, "adt.hl7", lines)
    assert not list(ImportErrorRow.objects.filter(job=job).values_list("reason", flat=True))
    stay = Stay.objects.get(patient__identifier=PNR)
    assert (stay.source_system, stay.source_id, stay.reason) == ("ELVIS", "V100", "Pneumoni")
    assert stay.status == Stay.Status.ADMITTED and stay.ward == wards.med and stay.bed.label == "1"
    kinds = list(StayEvent.objects.filter(stay=stay).order_by("pk").values_list("kind", "cancelled_by__kind"))
    assert kinds == [
        ("admit", None),
        ("transfer", "cancel_transfer"),
        ("cancel_transfer", None),
        ("discharge", "cancel_discharge"),
        ("cancel_discharge", None),
    ]
    assert job.counts == {"adt_a01": 1, "adt_a02": 1, "adt_a12": 1, "adt_a03": 1, "adt_a13": 1}
    # The same file again: every message skipped, nothing changed.
    events, messages = StayEvent.objects.count(), Outbox.objects.count()
    job2 = _run(tmp_path, "adt2.hl7", lines)
    assert job2.skipped_count == 5 and StayEvent.objects.count() == events and Outbox.objects.count() == messages
    # A11 cancels the admission.
    _run(tmp_path, "a11.hl7", _msg(6, "A11", _pv1(med)))
    stay.refresh_from_db()
    assert stay.status == Stay.Status.CANCELLED and Bed.objects.get(ward=wards.med, label="1").state == Bed.State.FREE


def test_bad_inpatient_messages_are_reported_and_change_nothing(world: World, wards: Wards, tmp_path: Path) -> None:
    services.stay_admit(
        actor=wards.nurse, patient_id=f.make_patient().pk, ward_id=wards.med.pk, bed_id=wards.med_beds[0].pk, reason="x"
    )
    med = wards.med.unit.hsa_id
    lines = (
        _msg(1, "A02", _pv1(med, visit="V9"))  # line 1: nobody admitted
        + _msg(2, "A01", _pv1(world.vc.hsa_id, visit="V9"))  # line 5: not a ward
        + _msg(3, "A01", _pv1(med, "1", visit="V9"))  # line 9: bed occupied
        + _msg(4, "A01", _pv1(med, "99", visit="V9"))  # line 13: no such bed
    )
    job = _run(tmp_path, "bad.hl7", lines)
    reasons = dict(ImportErrorRow.objects.filter(job=job).values_list("line", "reason"))
    assert "inget vårdtillfälle" in reasons[1]
    assert "ingen känd vårdavdelning" in reasons[5]
    assert "är upptagen" in reasons[9]
    assert "säng 99 finns inte" in reasons[13]
    assert not Stay.objects.filter(patient__identifier=PNR).exists()


def test_outbound_adt_messages_parse_and_carry_the_event(world: World, wards: Wards) -> None:
    p = f.make_patient()
    stay = services.stay_admit(
        actor=wards.nurse,
        patient_id=p.pk,
        ward_id=wards.med.pk,
        bed_id=wards.med_beds[0].pk,
        reason="x",
        pal_id=wards.physician.staff.pk,
    )
    services.stay_transfer(actor=wards.nurse, stay_id=stay.pk, to_ward_id=wards.kir.pk, bed_id=wards.kir_beds[0].pk)
    services.stay_cancel_transfer(actor=wards.nurse, stay_id=stay.pk, reason="Fel")
    services.stay_discharge(actor=wards.nurse, stay_id=stay.pk, destination="deceased")
    services.stay_cancel_discharge(actor=wards.nurse, stay_id=stay.pk, reason="Fel")
    services.stay_cancel_admit(actor=wards.nurse, stay_id=stay.pk, reason="Fel")
    rows = list(Outbox.objects.filter(channel="slutenvard.adt", patient=p).order_by("pk"))
    assert [r.payload["event"] for r in rows] == ["A01", "A02", "A12", "A03", "A13", "A11"]
    for r in rows:
        msg = parse_message(adt.build(r.payload["snapshot"]), find_groups=False, validation_level=VALIDATION_LEVEL.TOLERANT)
        assert msg.msh.msh_9.to_er7().split("^")[1] == r.payload["event"]
        assert p.identifier in msg.to_er7() and f"|{stay.pk}|" in msg.to_er7()
        assert r.status == Outbox.Status.QUEUED  # no receiver yet: visibly queued, never lost
    a03 = adt.build(rows[3].payload["snapshot"])
    assert "|20|" in a03  # PV1-36 discharge disposition: deceased
