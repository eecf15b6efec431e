"""How fresh each unit's downtime bundle is: for /healthz, `downtime_status` and the admin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from driftstopp.models import UnitDowntime
from vardmiljo.models import CareUnit


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
