"""Tidbok's part of a unit's downtime bundle: today's and tomorrow's day list.

A system disclosure to the unit (see vardmiljo/registry.py): the unit's own bookings only.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from tidbok.models import ACTIVE_BOOKING, Booking
from vardmiljo.models import CareUnit
from vardmiljo.registry import DowntimeTable, downtime_unit_section


def daylist_rows(unit: CareUnit, day: dt.date) -> DowntimeTable:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    bookings = (
        Booking.objects.filter(
            unit=unit, status__in=ACTIVE_BOOKING, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        )
        .select_related("slot__resource", "patient")
        .order_by("starts_at", "slot__resource__name")
    )
    rows, ids = [], []
    for b in bookings:
        p = b.patient
        ids.append(p.pk)
        rows.append(
            [
                f"{timezone.localtime(b.starts_at):%H:%M}–{timezone.localtime(b.slot.ends_at):%H:%M}",
                b.slot.resource.name,
                p.full_name,
                p.display_identifier,
                b.slot.get_slot_type_display(),
                b.get_status_display(),
                b.note,
            ]
        )
    title = _("Dagslista %(day)s") % {"day": f"{day:%Y-%m-%d}"}
    columns = [_("Tid"), _("Resurs"), _("Patient"), _("Personnummer"), _("Typ"), _("Status"), _("Kommentar")]
    return DowntimeTable(title=title, columns=columns, rows=rows, patient_ids=ids)


@downtime_unit_section("tidbok.daylists", order=20)
def daylists(unit: CareUnit, now: dt.datetime) -> list[DowntimeTable]:
    today = timezone.localtime(now).date()
    return [daylist_rows(unit, today), daylist_rows(unit, today + dt.timedelta(days=1))]
