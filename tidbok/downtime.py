"""Tidbok's part of a unit's downtime bundle: today's and tomorrow's day list."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tidbok.queries import downtime_daylist
from vardmiljo.models import CareUnit
from vardmiljo.registry import DowntimeTable, downtime_unit_section


@downtime_unit_section("tidbok.daylists", order=20)
def daylists(unit: CareUnit, now: dt.datetime) -> list[DowntimeTable]:
    today = timezone.localtime(now).date()
    return [downtime_daylist(unit, today), downtime_daylist(unit, today + dt.timedelta(days=1))]
