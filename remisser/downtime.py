"""Remisser's part of a unit's downtime bundle: the referrals the unit owns and has not closed."""

from __future__ import annotations

import datetime as dt

from remisser.queries import downtime_open_referrals
from vardmiljo.models import CareUnit
from vardmiljo.registry import DowntimeTable, downtime_unit_section


@downtime_unit_section("remisser.open", order=40)
def open_referrals(unit: CareUnit, now: dt.datetime) -> list[DowntimeTable]:
    return [downtime_open_referrals(unit)]
