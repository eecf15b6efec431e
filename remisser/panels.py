"""Where remisser plugs into the shell: the patient panel, the worklist counter, the patient link."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from remisser import queries
from vardmiljo.access import PatientAccess
from vardmiljo.actor import Actor
from vardmiljo.registry import patient_link, patient_panel, worklist

PANEL_ROWS = 5


@patient_panel("remisser", title=str(_("Remisser")), template="remisser/_panel.html", order=40)
def open_referrals(pa: PatientAccess) -> dict[str, Any]:
    """Bounded: the latest few open referrals and a count, whatever the patient's history."""
    rows, total = queries.patient_referrals(pa, limit=PANEL_ROWS)
    return {"rows": rows, "total": total, "patient_id": pa.patient_id}


@worklist("remisser", title=str(_("Remisser")), url_name="remisser:inbox")
def inbox_count(actor: Actor) -> int:
    return queries.inbox_count(actor)


patient_link("remisser", title=str(_("Remisser")), url_name="remisser:patient", order=40, shortcut="alt+r")
