"""Issue 13 item 12: booking from a referral offers only the kind of visit it asks for
(also "Första lediga"), warns when the patient already has a time at the unit that day,
and the referral shows the booking made for it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from remisser import services as remisser
from remisser.models import Referral
from tests.conftest import World, login
from tests.remisser.conftest import send
from tests.tidbok.helpers import make_resource, make_slot
from tidbok import services
from tidbok.models import Resource, SlotType
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def _accepted(world: World, waitlist: bool = False) -> Referral:
    ref = send(world)
    return remisser.referral_accept(actor=world.colleague, referral_id=ref.pk, expected_version=ref.version, waitlist=waitlist)


def test_13_12_first_available_from_a_referral_is_a_new_visit_with_a_clinician(client, world: World) -> None:  # type: ignore[no-untyped-def]
    ref = _accepted(world)
    ekg = make_resource(world.med, "Arbets-EKG", kind=Resource.Kind.EQUIPMENT)
    doctor = make_resource(world.med, "Cecilia Läkare")
    make_slot(ekg, in_minutes=60, slot_type=SlotType.NEW_VISIT)  # earliest, but a device
    make_slot(doctor, in_minutes=90, slot_type=SlotType.RETURN_VISIT)  # a clinician, wrong kind
    right = make_slot(doctor, in_minutes=180, slot_type=SlotType.NEW_VISIT)
    login(client, world.colleague)
    url = reverse("tidbok:book")
    carry = {"remiss": ref.pk, "patient": world.patient.pk}
    r = client.get(url, {**carry, "forsta": "1", "slot_type": "", "resource": "", "day": ""})
    assert [s.pk for s in r.context["slots"]] == [right.pk]
    r = client.get(url, carry)
    assert [s.pk for s in r.context["slots"]] == [right.pk]
    assert r.context["form"].initial["slot_type"] == SlotType.NEW_VISIT
    # Without a referral, every kind is offered: the device's time comes first.
    r = client.get(url, {"patient": world.patient.pk, "forsta": "1", "slot_type": "", "resource": "", "day": ""})
    assert r.context["slots"][0].resource_id == ekg.pk


def test_13_12_from_the_waiting_list_of_a_referral_too(client, world: World) -> None:  # type: ignore[no-untyped-def]
    _accepted(world, waitlist=True)
    from tidbok.models import WaitlistEntry

    entry = WaitlistEntry.objects.get()
    ekg = make_resource(world.med, "Arbets-EKG", kind=Resource.Kind.EQUIPMENT)
    make_slot(ekg, in_minutes=60, slot_type=SlotType.RETURN_VISIT)
    right = make_slot(make_resource(world.med, "Cecilia Läkare"), in_minutes=120, slot_type=SlotType.NEW_VISIT)
    login(client, world.colleague)
    r = client.get(reverse("tidbok:book"), {"vantelista": entry.pk, "forsta": "1", "slot_type": "", "resource": "", "day": ""})
    assert [s.pk for s in r.context["slots"]] == [right.pk]


def test_13_12_warns_when_the_patient_already_has_a_time_that_day(client, world: World) -> None:  # type: ignore[no-untyped-def]
    ref = _accepted(world)
    doctor = make_resource(world.med, "Cecilia Läkare")
    # Tomorrow morning, local time: "now + 24 h" and an hour later may fall on two dates late in the evening.
    morning = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    first = make_slot(doctor, at=morning, slot_type=SlotType.NEW_VISIT)
    second = make_slot(doctor, at=morning + dt.timedelta(hours=1), slot_type=SlotType.NEW_VISIT)
    services.booking_create(actor=world.colleague, patient_id=world.patient.pk, slot_id=first.pk)
    login(client, world.colleague)
    r = client.get(reverse("tidbok:book_slot", args=[second.pk]), {"remiss": ref.pk, "patient": world.patient.pk})
    body = r.content.decode()
    assert "Patienten har redan en tid på enheten samma dag" in body and "Cecilia Läkare" in body
    assert AccessLog.objects.filter(action="tidbok.booking.same_day", staff_id=world.colleague.staff.pk).exists()
    # Another day: no warning.
    other = make_slot(doctor, in_minutes=3 * 24 * 60, slot_type=SlotType.NEW_VISIT)
    r = client.get(reverse("tidbok:book_slot", args=[other.pk]), {"remiss": ref.pk, "patient": world.patient.pk})
    assert "samma dag" not in r.content.decode()


def test_13_12_the_referral_shows_its_booking(client, world: World) -> None:  # type: ignore[no-untyped-def]
    ref = _accepted(world)
    login(client, world.colleague)
    body = client.get(reverse("remisser:detail", args=[ref.pk])).content.decode()
    assert "Boka tid för remissen" in body
    slot = make_slot(make_resource(world.med, "Cecilia Läkare"), in_minutes=48 * 60, slot_type=SlotType.NEW_VISIT)
    r = client.post(
        reverse("tidbok:book_slot", args=[slot.pk]) + f"?remiss={ref.pk}&patient={world.patient.pk}", {"note": "Anemi"}
    )
    assert r.status_code == 302
    for actor in (world.colleague, world.physician):  # the receiver and the sender
        login(client, actor)
        body = client.get(reverse("remisser:detail", args=[ref.pk])).content.decode()
        assert "Bokad tid" in body and "Cecilia Läkare" in body, actor
