"""Booking, rebooking, cancellation and check-in, around the personas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests import factories as f
from tests.conftest import World
from tests.tidbok.helpers import make_resource, make_slot
from tidbok import services
from tidbok.models import Booking, Slot, WaitlistEntry
from vardmiljo.errors import Conflict, DomainError, NotFound
from vardmiljo.models import AccessLog, CareRelationship, Patient

pytestmark = pytest.mark.django_db


def _slot(world: World, **kw):  # type: ignore[no-untyped-def]
    return make_slot(make_resource(world.vc), **kw)


def test_booking_creates_care_relationship_and_audit(world: World) -> None:
    patient = f.make_patient()  # no relationship with the health centre yet
    slot = _slot(world)
    booking = services.booking_create(actor=world.nurse, patient_id=patient.pk, slot_id=slot.pk, note="Knäont")
    assert booking.status == Booking.Status.BOOKED and booking.starts_at == slot.starts_at
    slot.refresh_from_db()
    assert slot.status == Slot.Status.BOOKED
    assert CareRelationship.objects.filter(patient=patient, unit=world.vc, ground="booking").exists()
    row = AccessLog.objects.filter(action="tidbok.booking.create", object_type="tidbok.booking", object_id=str(booking.pk)).get()
    assert row.patient_id == patient.pk and row.staff_id == world.nurse.staff.pk


def test_slot_in_the_past_is_refused_and_nothing_written(world: World) -> None:
    slot = _slot(world, in_minutes=-60)
    with pytest.raises(DomainError, match="redan passerat"):
        services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slot.pk)
    assert not Booking.objects.exists()


def test_outside_the_schedule_is_refused(world: World) -> None:
    resource = make_resource(world.vc)
    make_slot(resource)
    at = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(DomainError, match="utanför resursens schema"):
        services.booking_create(actor=world.nurse, patient_id=world.patient.pk, resource_id=resource.pk, starts_at=at)
    blocked = make_slot(resource, in_minutes=5000, status=Slot.Status.BLOCKED)
    with pytest.raises(DomainError, match="utanför schemat"):
        services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=blocked.pk)
    assert not Booking.objects.exists()


def test_unidentified_patient_is_refused_and_no_relationship_is_left(world: World) -> None:
    patient = Patient.objects.create(
        identifier="19800101-AB12", id_kind=Patient.IdKind.RESERVNUMMER, given_name="Okänd", family_name="Man"
    )
    slot = _slot(world)
    with pytest.raises(DomainError, match="inte identifierad"):
        services.booking_create(actor=world.nurse, patient_id=patient.pk, slot_id=slot.pk)
    assert not Booking.objects.exists()
    assert not CareRelationship.objects.filter(patient=patient).exists()
    slot.refresh_from_db()
    assert slot.status == Slot.Status.FREE


def test_outsider_and_colleague_cannot_book_another_units_slot(world: World) -> None:
    slot = _slot(world)
    for actor in (world.outsider, world.colleague):
        with pytest.raises(NotFound):
            services.booking_create(actor=actor, patient_id=world.patient.pk, slot_id=slot.pk)
    assert not Booking.objects.exists()


def test_booked_slot_is_refused_with_swedish_conflict(world: World) -> None:
    slot = _slot(world)
    services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slot.pk)
    other = f.make_patient(unit=world.vc)
    with pytest.raises(Conflict, match="redan bokad"):
        services.booking_create(actor=world.physician, patient_id=other.pk, slot_id=slot.pk)
    assert Booking.objects.count() == 1


def test_database_refuses_a_second_active_booking_even_past_the_service(world: World) -> None:
    slot = _slot(world)
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slot.pk)
    with pytest.raises(IntegrityError, match="tidbok_booking_one_active_per_slot"), transaction.atomic():
        Booking.objects.create(
            slot=slot, unit=world.vc, patient=world.patient, starts_at=slot.starts_at, booked_by=world.nurse.staff
        )
    services.booking_cancel(actor=world.nurse, booking_id=b.pk, by="patient", reason="Förkyld")
    # A cancelled booking does not hold the slot.
    again = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slot.pk)
    assert again.status == Booking.Status.BOOKED


def test_cancel_by_patient_needs_reason_frees_slot_and_audits(world: World) -> None:
    slot = _slot(world)
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slot.pk)
    with pytest.raises(DomainError, match="orsak"):
        services.booking_cancel(actor=world.nurse, booking_id=b.pk, by="patient", reason="  ")
    b.refresh_from_db()
    assert b.status == Booking.Status.BOOKED
    services.booking_cancel(actor=world.nurse, booking_id=b.pk, by="patient", reason="Bortrest")
    b.refresh_from_db()
    slot.refresh_from_db()
    assert b.status == Booking.Status.CANCELLED_PATIENT and b.cancel_reason == "Bortrest"
    assert slot.status == Slot.Status.FREE
    assert AccessLog.objects.filter(action="tidbok.booking.cancel", object_id=str(b.pk), reason="Bortrest").exists()


def test_outsider_cannot_cancel(world: World) -> None:
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=_slot(world).pk)
    with pytest.raises(NotFound):
        services.booking_cancel(actor=world.outsider, booking_id=b.pk, by="unit", reason="x")
    b.refresh_from_db()
    assert b.status == Booking.Status.BOOKED


def test_check_in_then_cancel_is_refused(world: World) -> None:
    slot = _slot(world, in_minutes=3)
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slot.pk)
    services.booking_check_in(actor=world.nurse, booking_id=b.pk)
    b.refresh_from_db()
    assert b.status == Booking.Status.CHECKED_IN and b.checked_in_at is not None
    assert AccessLog.objects.filter(action="tidbok.booking.check_in", object_id=str(b.pk)).exists()
    with pytest.raises(DomainError, match="ankomstregistrerat"):
        services.booking_cancel(actor=world.nurse, booking_id=b.pk, by="unit", reason="Sjuk läkare")
    with pytest.raises(DomainError, match="redan ankomstregistrerad"):
        services.booking_check_in(actor=world.nurse, booking_id=b.pk)
    b.refresh_from_db()
    assert b.status == Booking.Status.CHECKED_IN and b.cancel_reason == ""


def test_16_check_in_creates_the_journal_encounter(world: World) -> None:
    from journal.models import Encounter

    slot = _slot(world, in_minutes=3)
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slot.pk)
    services.booking_check_in(actor=world.nurse, booking_id=b.pk)
    b.refresh_from_db()
    enc = Encounter.objects.get(pk=b.encounter_id)
    assert enc.patient_id == world.patient.pk and enc.booking_id == b.pk


def test_check_in_another_day_is_refused(world: World) -> None:
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=_slot(world, in_minutes=3 * 24 * 60).pk)
    with pytest.raises(DomainError, match="samma dag"):
        services.booking_check_in(actor=world.nurse, booking_id=b.pk)


def test_rebook_moves_booking_and_frees_old_slot(world: World) -> None:
    resource = make_resource(world.vc)
    s1, s2 = make_slot(resource, in_minutes=2000), make_slot(resource, in_minutes=3000)
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=s1.pk)
    new = services.booking_rebook(actor=world.nurse, booking_id=b.pk, slot_id=s2.pk, reason="Patienten önskar")
    b.refresh_from_db()
    s1.refresh_from_db()
    s2.refresh_from_db()
    assert b.status == Booking.Status.REBOOKED and new.rebooked_from_id == b.pk
    assert s1.status == Slot.Status.FREE and s2.status == Slot.Status.BOOKED
    assert new.source == Booking.Source.REBOOKING


def test_rebook_into_booked_slot_changes_nothing(world: World) -> None:
    resource = make_resource(world.vc)
    s1, s2 = make_slot(resource, in_minutes=2000), make_slot(resource, in_minutes=3000)
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=s1.pk)
    services.booking_create(actor=world.nurse, patient_id=f.make_patient(unit=world.vc).pk, slot_id=s2.pk)
    with pytest.raises(Conflict):
        services.booking_rebook(actor=world.nurse, booking_id=b.pk, slot_id=s2.pk)
    b.refresh_from_db()
    s1.refresh_from_db()
    assert b.status == Booking.Status.BOOKED and s1.status == Slot.Status.BOOKED


def test_book_from_waiting_list_closes_entry(world: World) -> None:
    entry = services.waitlist_add(
        actor=world.nurse,
        patient_id=world.patient.pk,
        unit_id=world.vc.pk,
        priority="two_weeks",
        due_by=timezone.localdate() + dt.timedelta(days=14),
        referral_id=77,
    )
    b = services.booking_create(
        actor=world.nurse, patient_id=world.patient.pk, slot_id=_slot(world).pk, waitlist_entry_id=entry.pk
    )
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.BOOKED and entry.booking_id == b.pk
    assert b.source == Booking.Source.WAITLIST and b.referral_id == 77
    with pytest.raises(Conflict):
        services.booking_create(
            actor=world.nurse, patient_id=world.patient.pk, slot_id=_slot(world).pk, waitlist_entry_id=entry.pk
        )


def test_book_from_referral_keeps_referral(world: World) -> None:
    b = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=_slot(world).pk, referral_id=5)
    assert b.source == Booking.Source.REFERRAL and b.referral_id == 5
