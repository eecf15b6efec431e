"""Remisser's part of a unit's downtime bundle: the referrals the unit owns and has not closed."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from remisser.models import CLOSED_STATUSES, Referral
from vardmiljo.models import CareUnit
from vardmiljo.registry import DowntimeTable, downtime_unit_section

LIMIT = 500  # a unit's open work for a shift; the count says when there are more


@downtime_unit_section("remisser.open", order=40)
def open_referrals(unit: CareUnit, now: dt.datetime) -> list[DowntimeTable]:
    qs = (
        Referral.objects.filter(owner_unit=unit)
        .exclude(status__in=[*CLOSED_STATUSES, Referral.Status.DRAFT])
        .select_related("patient", "sender_unit", "receiver_unit")
        .order_by("priority_rank", "due_date", "id")
    )
    rows, ids = [], []
    for r in qs[:LIMIT]:
        ids.append(r.patient_id)
        rows.append(
            [
                r.get_priority_display(),
                f"{r.due_date:%Y-%m-%d}" if r.due_date else "",
                r.patient.full_name,
                r.patient.display_identifier,
                r.sender_unit.name if r.receiver_unit_id == unit.pk else _("till %(u)s") % {"u": r.receiver_unit.name},
                r.get_status_display(),
                r.question[:300],
            ]
        )
    columns = [_("Prioritet"), _("Senast"), _("Patient"), _("Personnummer"), _("Från/till"), _("Status"), _("Frågeställning")]
    return [DowntimeTable(title=_("Öppna remisser"), columns=columns, rows=rows, patient_ids=ids)]
