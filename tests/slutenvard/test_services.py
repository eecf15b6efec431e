"""ADT services: each act, its trail, its audit row, and every bad input refused in
Swedish with nothing changed (issue 14, "Bad input and safety")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from journal import services as journal_services
from journal.models import Encounter, Note
from slutenvard import adt, services
from slutenvard.models import Bed, Stay, StayEvent
from tests import factories as f
from tests.conftest import World
from tests.slutenvard.helpers import Wards
from vardmiljo import outbox
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import AccessLog, CareRelationship, Outbox

pytestmark = pytest.mark.django_db


def _admit(wards: Wards, patient_id: int, bed: Bed | None = None, **kw: object) -> Stay:
    return services.stay_admit(
        actor=wards.nurse,
        patient_id=patient_id,
        ward_id=wards.med.pk,
        bed_id=bed.pk if bed else None,
        reason="Pneumoni",
        pal_id=wards.physician.staff.pk,
        pas_id=wards.nurse.staff.pk,
        **kw,  # type: ignore[arg-type]
    )


def _snapshot() -> tuple[int, int, int, int, list[str]]:
    return (
        Stay.objects.count(),
        StayEvent.objects.count(),
        Encounter.objects.count(),
        Outbox.objects.count(),
        list(Bed.objects.order_by("pk").values_list("state", flat=True)),
    )


def _refused(fn, *args, match: str = "", **kw):  # type: ignore[no-untyped-def]
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        with transaction.atomic():
            fn(*args, **kw)
    assert match in exc.value.message
    assert _snapshot() == before
    return exc.value


def test_admit_creates_relationship_encounter_event_adt_and_audit(world: World, wards: Wards) -> None:
    p = f.make_patient(given_name="Ingrid", family_name="Inlagd")
    stay = _admit(wards, p.pk, wards.med_beds[0], expected_discharge=timezone.localdate() + dt.timedelta(days=3))
    assert stay.status == Stay.Status.ADMITTED and stay.bed_id == wards.med_beds[0].pk
    assert Bed.objects.get(pk=wards.med_beds[0].pk).state == Bed.State.OCCUPIED
    rel = CareRelationship.objects.get(patient=p, unit=wards.med.unit)
    assert rel.ground == CareRelationship.Ground.ADMISSION
    enc = Encounter.objects.get(pk=stay.encounter_id)
    assert enc.kind == Encounter.Kind.ADMISSION and enc.unit_id == wards.med.unit_id and enc.responsible == wards.physician.staff
    assert enc.started_at == stay.admitted_at
    assert stay.pal == wards.physician.staff and stay.pas == wards.nurse.staff
    assert list(stay.events.values_list("kind", flat=True)) == ["admit"]
    msg = Outbox.objects.get(channel="slutenvard.adt", patient=p)
    er7 = adt.build(msg.payload["snapshot"])
    assert msg.payload["event"] == "A01" and "ADT^A01" in er7 and p.identifier in er7
    assert AccessLog.objects.filter(action="slutenvard.stay.admit", patient_id=p.pk, staff_id=wards.nurse.staff.pk).exists()


def test_14_admit_to_occupied_bed_is_refused(world: World, wards: Wards) -> None:
    bed = wards.med_beds[0]
    _admit(wards, f.make_patient().pk, bed)
    exc = _refused(_admit, wards, f.make_patient().pk, bed, match="är upptagen")
    assert exc.field == "bed"


def test_14_admit_to_closed_or_uncleaned_bed_is_refused(world: World, wards: Wards) -> None:
    closed, dirty = wards.med_beds[1], wards.med_beds[2]
    services.bed_set_state(actor=wards.nurse, bed_id=closed.pk, state=Bed.State.CLOSED)
    services.bed_set_state(actor=wards.nurse, bed_id=dirty.pk, state=Bed.State.CLEANING)
    _refused(_admit, wards, f.make_patient().pk, closed, match="är stängd")
    _refused(_admit, wards, f.make_patient().pk, dirty, match="väntar på städning")


def test_14_double_click_on_admit_makes_one_stay(world: World, wards: Wards) -> None:
    p = f.make_patient()
    _admit(wards, p.pk, wards.med_beds[0])
    _refused(_admit, wards, p.pk, wards.med_beds[1], match="redan inskriven")
    assert Stay.objects.filter(patient=p).count() == 1


def test_14_database_holds_one_patient_per_bed(world: World, wards: Wards) -> None:
    bed = wards.med_beds[0]
    s1 = _admit(wards, f.make_patient().pk, bed)
    with pytest.raises(IntegrityError, match="slutenvard_stay_one_per_bed"), transaction.atomic():
        Stay.objects.create(patient=f.make_patient(), ward=wards.med, bed=bed, reason="x", created_by=wards.nurse.staff)
    assert Stay.objects.filter(bed=bed).count() == 1 and s1.bed_id == bed.pk


def test_14_admit_needs_reason_and_a_past_time(world: World, wards: Wards) -> None:
    p = f.make_patient()
    _refused(services.stay_admit, actor=wards.nurse, patient_id=p.pk, ward_id=wards.med.pk, reason=" ", match="orsak")
    _refused(_admit, wards, p.pk, admitted_at=timezone.now() + dt.timedelta(hours=2), match="framtiden")


def test_admit_without_bed_waits_and_is_placed(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk)
    assert stay.waiting_for_bed
    services.stay_place(actor=wards.nurse, stay_id=stay.pk, bed_id=wards.med_beds[3].pk)
    stay.refresh_from_db()
    assert stay.bed_id == wards.med_beds[3].pk and not stay.waiting_for_bed


def test_transfer_moves_responsibility_and_relationship(world: World, wards: Wards) -> None:
    p = f.make_patient()
    stay = _admit(wards, p.pk, wards.med_beds[0])
    services.stay_transfer(actor=wards.nurse, stay_id=stay.pk, to_ward_id=wards.kir.pk, bed_id=wards.kir_beds[0].pk)
    stay.refresh_from_db()
    assert stay.ward == wards.kir and stay.bed_id == wards.kir_beds[0].pk
    assert Bed.objects.get(pk=wards.med_beds[0].pk).state == Bed.State.CLEANING
    assert CareRelationship.objects.filter(patient=p, unit=wards.kir.unit, ground="admission").exists()
    assert Encounter.objects.get(pk=stay.encounter_id).unit_id == wards.kir.unit_id
    assert Outbox.objects.filter(channel="slutenvard.adt", patient=p, payload__event="A02").exists()
    assert AccessLog.objects.filter(action="slutenvard.stay.transfer", patient_id=p.pk).exists()


def test_14_transfer_of_a_patient_not_admitted_is_refused(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0])
    services.stay_discharge(actor=wards.nurse, stay_id=stay.pk, destination="home")
    _refused(services.stay_transfer, actor=wards.nurse, stay_id=stay.pk, to_ward_id=wards.kir.pk, match="redan utskriven")
    cancelled = _admit(wards, f.make_patient().pk, wards.med_beds[1])
    services.stay_cancel_admit(actor=wards.nurse, stay_id=cancelled.pk, reason="Fel patient")
    # The cancelled admission also ended the ward's ground for reading the patient.
    with pytest.raises(NotFound):
        services.stay_transfer(actor=wards.nurse, stay_id=cancelled.pk, to_ward_id=wards.kir.pk)


def test_14_double_click_on_transfer_is_refused(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0])
    services.stay_transfer(actor=wards.nurse, stay_id=stay.pk, to_ward_id=wards.kir.pk)
    _refused(services.stay_transfer, actor=wards.kir_nurse, stay_id=stay.pk, to_ward_id=wards.kir.pk, match="redan på")


def test_move_bed_and_outlying_keep_the_own_ward_responsible(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0])
    services.stay_move_bed(actor=wards.nurse, stay_id=stay.pk, bed_id=wards.med_beds[1].pk)
    _refused(services.stay_move_bed, actor=wards.nurse, stay_id=stay.pk, bed_id=wards.kir_beds[0].pk, match="utlokalisera")
    services.stay_move_bed(actor=wards.nurse, stay_id=stay.pk, bed_id=wards.kir_beds[0].pk, outlying=True)
    stay = Stay.objects.select_related("bed").get(pk=stay.pk)
    assert stay.ward == wards.med and stay.is_outlying
    # The nurse of the ward whose bed it is may move the patient back (she cares for it there).
    services.stay_move_bed(actor=wards.kir_nurse, stay_id=stay.pk, bed_id=wards.med_beds[2].pk)
    assert [e.kind for e in stay.events.all()] == ["admit", "bed_move", "outlie", "bed_move"]


def test_leave_keeps_the_bed_and_ends(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0])
    until = timezone.now() + dt.timedelta(hours=20)
    services.stay_leave(actor=wards.nurse, stay_id=stay.pk, until=until)
    _refused(services.stay_leave, actor=wards.nurse, stay_id=stay.pk, until=until, match="redan på permission")
    assert Bed.objects.get(pk=wards.med_beds[0].pk).state == Bed.State.OCCUPIED
    services.stay_leave_end(actor=wards.nurse, stay_id=stay.pk)
    stay.refresh_from_db()
    assert stay.status == Stay.Status.ADMITTED and stay.leave_until is None


def test_discharge_ends_contact_frees_bed_and_queues_a03(world: World, wards: Wards) -> None:
    p = f.make_patient()
    stay = _admit(wards, p.pk, wards.med_beds[0])
    services.stay_discharge(actor=wards.physician, stay_id=stay.pk, destination="municipal")
    stay.refresh_from_db()
    assert stay.status == Stay.Status.DISCHARGED and stay.destination == "municipal"
    assert Encounter.objects.get(pk=stay.encounter_id).ended_at == stay.discharged_at
    assert Bed.objects.get(pk=wards.med_beds[0].pk).state == Bed.State.CLEANING
    a03 = Outbox.objects.get(channel="slutenvard.adt", patient=p, payload__event="A03")
    er7 = adt.build(a03.payload["snapshot"])
    assert "PV1" in er7 and "|03|" in er7


def test_14_discharge_before_admission_time_is_refused(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0], admitted_at=timezone.now() - dt.timedelta(hours=3))
    exc = _refused(
        services.stay_discharge,
        actor=wards.nurse,
        stay_id=stay.pk,
        destination="home",
        at=timezone.now() - dt.timedelta(hours=5),
        match="före inskrivningen",
    )
    assert exc.field == "at"


def test_14_discharge_with_unsigned_notes_is_refused(world: World, wards: Wards) -> None:
    p = f.make_patient()
    stay = _admit(wards, p.pk, wards.med_beds[0])
    note = journal_services.note_create(
        actor=wards.physician, patient_id=p.pk, note_type="Daganteckning", headings=[{"heading": "Aktuellt", "text": "Bättre"}]
    )
    _refused(services.stay_discharge, actor=wards.physician, stay_id=stay.pk, destination="home", match="osignerade")
    journal_services.note_sign(actor=wards.physician, note_id=note.pk, revision=note.revision)
    services.stay_discharge(actor=wards.physician, stay_id=stay.pk, destination="home")


def test_14_double_click_on_discharge_is_refused(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0])
    services.stay_discharge(actor=wards.nurse, stay_id=stay.pk, destination="home")
    _refused(services.stay_discharge, actor=wards.nurse, stay_id=stay.pk, destination="home", match="redan utskriven")


def test_14_discharge_needs_a_destination(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0])
    _refused(services.stay_discharge, actor=wards.nurse, stay_id=stay.pk, destination="", match="Välj vart")


def test_cancel_admit_keeps_trail_frees_bed_and_ends_relationship(world: World, wards: Wards) -> None:
    p = f.make_patient()
    stay = _admit(wards, p.pk, wards.med_beds[0])
    _refused(services.stay_cancel_admit, actor=wards.nurse, stay_id=stay.pk, reason="", match="makuleras")
    services.stay_cancel_admit(actor=wards.nurse, stay_id=stay.pk, reason="Fel patient")
    stay.refresh_from_db()
    assert stay.status == Stay.Status.CANCELLED
    assert Bed.objects.get(pk=wards.med_beds[0].pk).state == Bed.State.FREE
    admit, cancel = list(stay.events.order_by("pk"))
    assert admit.cancelled_by_id == cancel.pk and cancel.cancels_id == admit.pk
    assert CareRelationship.objects.get(patient=p, unit=wards.med.unit).valid_to is not None
    assert Outbox.objects.filter(channel="slutenvard.adt", patient=p, payload__event="A11").exists()


def test_cancel_transfer_returns_patient_to_ward_and_bed(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0])
    services.stay_transfer(actor=wards.nurse, stay_id=stay.pk, to_ward_id=wards.kir.pk, bed_id=wards.kir_beds[0].pk)
    services.stay_cancel_transfer(actor=wards.kir_nurse, stay_id=stay.pk, reason="Fel avdelning")
    stay.refresh_from_db()
    assert stay.ward == wards.med and stay.bed_id == wards.med_beds[0].pk
    assert Bed.objects.get(pk=wards.kir_beds[0].pk).state == Bed.State.FREE
    transfer = stay.events.get(kind="transfer")
    assert transfer.cancelled_by is not None
    _refused(services.stay_cancel_transfer, actor=wards.nurse, stay_id=stay.pk, reason="igen", match="ingen överflyttning")


def test_cancel_discharge_readmits_into_the_same_bed(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0])
    services.stay_discharge(actor=wards.nurse, stay_id=stay.pk, destination="home")
    services.stay_cancel_discharge(actor=wards.nurse, stay_id=stay.pk, reason="Skrevs ut för tidigt")
    stay.refresh_from_db()
    assert stay.status == Stay.Status.ADMITTED and stay.bed_id == wards.med_beds[0].pk and stay.discharged_at is None
    assert Encounter.objects.get(pk=stay.encounter_id).ended_at is None
    _refused(services.stay_cancel_discharge, actor=wards.nurse, stay_id=stay.pk, reason="x", match="inte utskriven")


def test_outsider_and_other_unit_cannot_touch_a_stay(world: World, wards: Wards) -> None:
    stay = _admit(wards, f.make_patient().pk, wards.med_beds[0])
    for actor in (world.outsider, world.colleague):
        with pytest.raises(NotFound):
            services.stay_discharge(actor=actor, stay_id=stay.pk, destination="home")
        with pytest.raises(NotFound):
            services.stay_transfer(actor=actor, stay_id=stay.pk, to_ward_id=wards.kir.pk)
    with pytest.raises(DomainError, match="vårdavdelning hos din vårdgivare"):
        services.stay_admit(actor=world.outsider, patient_id=world.patient.pk, ward_id=wards.med.pk, reason="x")


def test_bed_state_refuses_occupied_bed(world: World, wards: Wards) -> None:
    _admit(wards, f.make_patient().pk, wards.med_beds[0])
    _refused(services.bed_set_state, actor=wards.nurse, bed_id=wards.med_beds[0].pk, state="closed", match="är belagd")
    with pytest.raises(NotFound):
        services.bed_set_state(actor=wards.kir_nurse, bed_id=wards.med_beds[1].pk, state="closed")


def test_handover_is_a_signed_sbar_note_of_the_ward(world: World, wards: Wards) -> None:
    p = f.make_patient()
    stay = _admit(wards, p.pk, wards.med_beds[0])
    note = services.handover_write(
        actor=wards.nurse,
        stay_id=stay.pk,
        situation="Feber",
        background="KOL",
        assessment="Stabil",
        recommendation="Kontroller x4",
    )
    assert note.status == Note.Status.SIGNED and note.unit_id == wards.med.unit_id and note.encounter_id == stay.encounter_id
    assert [h["heading"] for h in note.headings] == ["Situation", "Bakgrund", "Aktuellt tillstånd", "Rekommendation"]
    _refused(
        services.handover_write,
        actor=wards.nurse,
        stay_id=stay.pk,
        situation="",
        background="",
        assessment="",
        recommendation="",
        match="minst ett",
    )


def test_summary_draft_sign_send_is_receipted_at_the_health_centre(world: World, wards: Wards) -> None:
    from journal.models import Acknowledgement, Diagnosis

    p = f.make_patient(unit=world.vc)
    stay = _admit(wards, p.pk, wards.med_beds[0], primary_care_unit_id=world.vc.pk)
    journal_services.diagnosis_add(actor=wards.physician, patient_id=p.pk, code="J18.9")
    draft = services.summary_draft(actor=wards.physician, stay_id=stay.pk)
    assert services.summary_draft(actor=wards.physician, stay_id=stay.pk).pk == draft.pk  # a second click
    text = {h["heading"]: h["text"] for h in draft.headings}
    assert text["Orsak till inskrivning"] == "Pneumoni" and "J18.9" in text["Diagnoser"]
    assert Diagnosis.objects.filter(patient=p).exists()
    _refused(services.summary_send, actor=wards.physician, stay_id=stay.pk, match="signerad")
    headings = [{**h, "text": h["text"] or "Åter till vårdcentralen om 2 veckor"} for h in draft.headings]
    journal_services.note_sign(actor=wards.physician, note_id=draft.pk, revision=draft.revision, headings=headings)
    row = services.summary_send(actor=wards.physician, stay_id=stay.pk)
    assert services.summary_send(actor=wards.physician, stay_id=stay.pk).pk == row.pk  # idempotent
    outbox.deliver(row.pk)  # what the worker does after commit
    outbox.deliver(row.pk)  # a redelivery changes nothing
    row.refresh_from_db()
    assert row.status == Outbox.Status.DELIVERED and row.receipt["unit_hsa_id"] == world.vc.hsa_id
    ack = Acknowledgement.objects.get(unit=world.vc, patient=p)  # exactly one
    assert "Epikris" in ack.summary and ack.object_id == str(draft.pk)


def test_planned_admission_closes_the_waiting_list_entry(world: World, wards: Wards) -> None:
    from tidbok import services as tidbok_services
    from tidbok.models import WaitlistEntry

    p = f.make_patient()
    f.relate(p, wards.med.unit)
    entry = tidbok_services.waitlist_add(
        actor=wards.nurse, patient_id=p.pk, unit_id=wards.med.unit_id, priority="two_weeks", due_by=timezone.localdate()
    )
    other = f.make_patient()
    _refused(_admit, wards, other.pk, waitlist_entry_id=entry.pk, match="gäller inte patienten")
    stay = _admit(wards, p.pk, wards.med_beds[0], waitlist_entry_id=entry.pk)
    entry.refresh_from_db()
    assert stay.source == Stay.Source.PLANNED and entry.status == WaitlistEntry.Status.REMOVED
