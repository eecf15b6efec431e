"""Small makers for tidbok tests: one call, one row."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from guardian.shortcuts import assign_perm

from tidbok.models import Resource, Slot, SlotType
from vardmiljo.actor import Actor
from vardmiljo.models import CareUnit


def make_resource(unit: CareUnit, name: str = "Dr Test", kind: str = Resource.Kind.STAFF) -> Resource:
    return Resource.objects.create(unit=unit, name=name, kind=kind)


def make_slot(
    resource: Resource,
    *,
    in_minutes: int = 24 * 60,
    minutes: int = 30,
    slot_type: str = SlotType.NEW_VISIT,
    status: str = Slot.Status.FREE,
    at: dt.datetime | None = None,
) -> Slot:
    start = at or (timezone.now() + dt.timedelta(minutes=in_minutes)).replace(second=0, microsecond=0)
    return Slot.objects.create(
        resource=resource,
        unit_id=resource.unit_id,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        slot_type=slot_type,
        status=status,
    )


def make_manager(actor: Actor) -> Actor:
    assign_perm("vardmiljo.manage_unit", actor.staff, actor.unit)
    # guardian caches permissions on the user object
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(actor.staff, attr):
            delattr(actor.staff, attr)
    return actor
