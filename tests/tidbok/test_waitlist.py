"""The waiting list: priority, due date, care guarantee, the remisser contract."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from tests.conftest import World
from tidbok import queries, services
from tidbok.models import WaitlistEntry
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def _add(world: World, **kw):  # type: ignore[no-untyped-def]
    args = {
        "actor": world.nurse,
        "patient_id": world.patient.pk,
        "unit_id": world.vc.pk,
        "priority": "three_months",
        "due_by": timezone.localdate() + dt.timedelta(days=60),
    }
    args.update(kw)
    return services.waitlist_add(**args)


def test_waitlist_add_signature_and_audit(world: World) -> None:
    entry = _add(world, referral_id=12, note="Från remiss")
    assert isinstance(entry, WaitlistEntry) and entry.status == WaitlistEntry.Status.WAITING
    assert AccessLog.objects.filter(action="tidbok.waitlist.add", object_id=str(entry.pk)).exists()
    # The same referral accepted twice (retry, double click) gives the same entry.
    assert _add(world, referral_id=12).pk == entry.pk


def test_priority_aliases_and_unknown_priority(world: World) -> None:
    assert _add(world, priority="akut").priority == "acute"
    assert _add(world, priority="Inom 2 veckor").priority == "two_weeks"
    # remisser's Referral.Priority values
    assert _add(world, priority="inom_3_manader").priority == "three_months"
    assert _add(world, priority="inom_2_veckor").priority == "two_weeks"
    with pytest.raises(DomainError, match="Okänd prioritet"):
        _add(world, priority="snart")


def test_outsider_cannot_add_or_read(world: World) -> None:
    with pytest.raises(DomainError):
        _add(world, actor=world.outsider)
    with pytest.raises(NotFound):
        _add(world, actor=world.outsider, unit_id=world.priv.pk)
    assert not WaitlistEntry.objects.exists()
    _add(world)
    rows, total = queries.waitlist_for(world.outsider)
    assert rows == [] and total == 0


def test_past_care_guarantee_is_flagged_and_sorted_by_priority(world: World) -> None:
    old = _add(world, priority="three_months")
    # 92 days: a day clear of the 90-day guarantee whatever the hour and the daylight-saving change.
    WaitlistEntry.objects.filter(pk=old.pk).update(added_at=timezone.now() - dt.timedelta(days=92))
    urgent = _add(
        world, patient_id=f.make_patient(unit=world.vc).pk, priority="acute", due_by=timezone.localdate() - dt.timedelta(days=1)
    )
    rows, total = queries.waitlist_for(world.nurse)
    assert total == 2
    assert [r.entry.pk for r in rows] == [urgent.pk, old.pk]
    assert rows[0].past_due and not rows[0].past_guarantee
    assert rows[1].past_guarantee
    assert queries.waitlist_count(world.nurse) == 2
    assert AccessLog.objects.filter(action="tidbok.waitlist.read").exists()


def test_remove_needs_reason(world: World) -> None:
    entry = _add(world)
    with pytest.raises(DomainError, match="varför"):
        services.waitlist_remove(actor=world.nurse, entry_id=entry.pk, reason="")
    services.waitlist_remove(actor=world.nurse, entry_id=entry.pk, reason="Fått tid på annan enhet")
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.REMOVED


def test_waitlist_query_count_is_flat(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        _add(world, patient_id=f.make_patient(unit=world.vc).pk)
    with django_assert_max_num_queries(3):
        queries.waitlist_for(world.nurse)
    for _ in range(20):
        _add(world, patient_id=f.make_patient(unit=world.vc).pk)
    with django_assert_max_num_queries(3):
        queries.waitlist_for(world.nurse)
