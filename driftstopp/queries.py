"""How fresh each unit's downtime bundle is: for /healthz, `downtime_status` and the admin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from driftstopp.models import AfterEntryItem, DowntimeEpisode, UnitDowntime
from vardmiljo.access import record_list, require_assignment
from vardmiljo.actor import Actor
from vardmiljo.models import CareUnit, Patient


@dataclass(frozen=True)
class BundleStatus:
    unit_id: int
    hsa_id: str
    name: str
    last_success_at: dt.datetime | None
    age_minutes: int | None
    patients: int
    error: str
    stale: bool

    @property
    def text(self) -> str:
        if self.last_success_at is None:
            state = _("inget paket ännu")
        else:
            state = _("%(m)s min gammalt") % {"m": self.age_minutes}
        if self.error:
            state += " – " + _("fel: %(e)s") % {"e": self.error}
        return state


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=2 * settings.DOWNTIME_INTERVAL_MINUTES)


def bundle_status(now: dt.datetime | None = None) -> list[BundleStatus]:
    """Every active unit: a bundle older than two intervals, or none at all, is stale."""
    now = now or timezone.now()
    configs = {c.unit_id: c for c in UnitDowntime.objects.all()}
    out = []
    for unit in CareUnit.objects.filter(active=True).order_by("name"):
        cfg = configs.get(unit.pk)
        last = cfg.last_success_at if cfg else None
        age = int((now - last).total_seconds() // 60) if last else None
        out.append(
            BundleStatus(
                unit_id=unit.pk,
                hsa_id=unit.hsa_id,
                name=unit.name,
                last_success_at=last,
                age_minutes=age,
                patients=cfg.last_patients if cfg else 0,
                error=cfg.last_error if cfg else "",
                stale=last is None or now - last > stale_after(),
            )
        )
    return out


@dataclass(frozen=True)
class AfterEntryRow:
    item_id: int
    patient_id: int
    name: str
    identifier: str
    reservnummer: bool
    started_at: dt.datetime
    ended_at: dt.datetime | None


def after_entry_for(actor: Actor, *, limit: int = 500) -> list[AfterEntryRow]:
    """The unit's patients still to enter after a downtime: a list read of each of them."""
    require_assignment(actor)
    qs = (
        AfterEntryItem.objects.filter(unit_id=actor.unit_id, done_at__isnull=True)
        .select_related("patient", "episode")
        .order_by("episode__started_at", "patient__family_name", "patient__given_name")[:limit]
    )
    rows = [
        AfterEntryRow(
            item_id=i.pk,
            patient_id=i.patient_id,
            name=i.patient.full_name,
            identifier=i.patient.display_identifier,
            reservnummer=i.reservnummer,
            started_at=i.episode.started_at,
            ended_at=i.episode.ended_at,
        )
        for i in qs
    ]
    record_list(actor, "downtime.after_entry.list", [r.patient_id for r in rows])
    return rows


def after_entry_count(actor: Actor) -> int:
    if actor.unit_id is None:
        return 0
    return AfterEntryItem.objects.filter(unit_id=actor.unit_id, done_at__isnull=True).count()


def patients_named(ids: list[int]) -> dict[int, Patient]:
    """The identities a bundle names (the caller has kept only patients of the unit)."""
    return {p.pk: p for p in Patient.objects.filter(pk__in=ids)}


def episodes_with_open_counts(limit: int = 10) -> list[tuple[DowntimeEpisode, int, int]]:
    """The latest episodes with (items in all, items still to enter): counts only."""
    return [
        (e, e.n_all, e.n_open)
        for e in DowntimeEpisode.objects.annotate(
            n_all=Count("items"), n_open=Count("items", filter=Q(items__done_at__isnull=True))
        )[:limit]
    ]
