"""Tidbok's places in the shell: the "Kommande besök" panel, the patient link, the worklist."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tidbok import queries
from vardmiljo.access import PatientAccess
from vardmiljo.actor import Actor
from vardmiljo.registry import patient_link, patient_panel, worklist


@patient_panel("tidbok.upcoming", title=str(_("Kommande besök")), template="tidbok/_panel_upcoming.html", order=40)
def upcoming(pa: PatientAccess) -> dict[str, Any]:
    rows, total = queries.upcoming_for_patient(pa)
    return {"rows": rows, "total": total, "patient_id": pa.patient_id}


patient_link("tidbok", title=str(_("Tidbok")), url_name="tidbok:patient_bookings", order=40, shortcut="alt+t")


@worklist("tidbok.waitlist", title=str(_("Väntelista")), url_name="tidbok:waitlist")
def waitlist_overdue(actor: Actor) -> int:
    return queries.waitlist_count(actor)
