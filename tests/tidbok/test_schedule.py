"""Resources, templates, exceptions and slot generation; unit-manager rights."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import World
from tests.tidbok.helpers import make_manager, make_resource
from tidbok import services
from tidbok.models import Resource, ScheduleTemplate, Slot, SlotType
from vardmiljo.actor import system_actor
from vardmiljo.errors import DomainError, PermissionDenied
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2031, 3, 3)  # a Monday far ahead, so nothing is in the past


def _template(world: World, resource: Resource, **kw) -> ScheduleTemplate:  # type: ignore[no-untyped-def]
    args = {
        "weekday": 0,
        "start_time": dt.time(8, 0),
        "end_time": dt.time(10, 0),
        "slot_type": SlotType.NEW_VISIT,
        "slot_minutes": 30,
        "valid_from": MONDAY,
    }
    args.update(kw)
    return services.template_add(actor=world.physician, resource_id=resource.pk, **args)


def test_only_unit_manager_may_create_resources(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.resource_create(actor=world.nurse, unit_id=world.vc.pk, kind="room", name="Rum 1")
    make_manager(world.physician)
    r = services.resource_create(actor=world.physician, unit_id=world.vc.pk, kind="room", name="Rum 1")
    assert r.unit_id == world.vc.pk
    assert AccessLog.objects.filter(action="tidbok.resource.create", object_id=str(r.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.resource_create(actor=world.physician, unit_id=world.med.pk, kind="room", name="Annan enhets rum")


def test_template_bad_input_is_refused(world: World) -> None:
    make_manager(world.physician)
    r = make_resource(world.vc)
    with pytest.raises(DomainError, match="Sluttiden"):
        _template(world, r, start_time=dt.time(10, 0), end_time=dt.time(9, 0))
    with pytest.raises(DomainError, match="tidstyp"):
        _template(world, r, slot_type="massage")
    assert not ScheduleTemplate.objects.exists()


def test_generate_slots_from_template_with_holiday_and_absence(world: World) -> None:
    make_manager(world.physician)
    r1, r2 = make_resource(world.vc, "Dr A"), make_resource(world.vc, "Dr B")
    _template(world, r1)  # Monday 08-10: 4 slots
    _template(
        world, r1, weekday=1, start_time=dt.time(13, 0), end_time=dt.time(14, 0), slot_type=SlotType.PHONE, slot_minutes=15
    )  # Tuesday 13-14: 4 phone slots
    _template(world, r2)
    tz = timezone.get_current_timezone()
    # Absence for Dr A on the second Monday, holiday for the whole unit on the third Monday.
    second, third = MONDAY + dt.timedelta(weeks=1), MONDAY + dt.timedelta(weeks=2)
    services.exception_add(
        actor=world.physician,
        unit_id=world.vc.pk,
        kind="absence",
        resource_id=r1.pk,
        starts_at=dt.datetime.combine(second, dt.time(0), tz),
        ends_at=dt.datetime.combine(second, dt.time(23, 59), tz),
        reason="Kurs",
    )
    services.exception_add(
        actor=world.physician,
        unit_id=world.vc.pk,
        kind="holiday",
        starts_at=dt.datetime.combine(third, dt.time(0), tz),
        ends_at=dt.datetime.combine(third, dt.time(23, 59), tz),
        reason="Annandag påsk",
    )
    created = services.slots_generate(actor=system_actor("test"), weeks=3, start=MONDAY)
    assert created == 3 * 4 + 3 * 4 + 3 * 4
    first = Slot.objects.filter(resource=r1).order_by("starts_at").first()
    assert first is not None and timezone.localtime(first.starts_at).time() == dt.time(8, 0)
    blocked = Slot.objects.filter(status=Slot.Status.BLOCKED)
    assert blocked.filter(resource=r1).count() == 8 and blocked.filter(resource=r2).count() == 4
    assert Slot.objects.filter(slot_type=SlotType.PHONE).count() == 12
    # Idempotent.
    assert services.slots_generate(actor=system_actor("test"), weeks=3, start=MONDAY) == 0
    assert AccessLog.objects.filter(action="tidbok.slots.generate").count() == 2


def test_generate_slots_command_with_progress(world: World) -> None:
    make_manager(world.physician)
    _template(world, make_resource(world.vc), weekday=2)
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_slots", "--weeks", "2", "--from", MONDAY.isoformat(), stdout=out, stderr=err)
    assert "8 nya tider" in out.getvalue()
    assert "resurser" in err.getvalue()


def test_exception_blocks_existing_free_slots_but_keeps_bookings(world: World) -> None:
    make_manager(world.physician)
    r = make_resource(world.vc)
    _template(world, r, valid_from=timezone.localdate())
    services.slots_generate(actor=world.physician, weeks=2)
    slots = list(Slot.objects.filter(resource=r).order_by("starts_at"))
    booked = services.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slots[-1].pk)
    last_day = timezone.localtime(slots[-1].starts_at).date()
    tz = timezone.get_current_timezone()
    services.exception_add(
        actor=world.physician,
        unit_id=world.vc.pk,
        kind="absence",
        resource_id=r.pk,
        starts_at=dt.datetime.combine(last_day, dt.time(0), tz),
        ends_at=dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tz),
    )
    assert Slot.objects.filter(resource=r, status=Slot.Status.BLOCKED).count() == 3
    booked.refresh_from_db()
    assert booked.is_active


def test_nurse_cannot_generate_slots(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.slots_generate(actor=world.nurse, weeks=1)
