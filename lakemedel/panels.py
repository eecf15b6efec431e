"""Registrations in the shell: the medication panel, the nav link, the worklist."""

from __future__ import annotations

from typing import Any

from lakemedel import queries
from vardmiljo.access import PatientAccess
from vardmiljo.actor import Actor
from vardmiljo.registry import patient_link, patient_panel, worklist


@patient_panel("lakemedel", title="Läkemedel", template="lakemedel/_panel.html", order=20)
def medication_panel(pa: PatientAccess) -> dict[str, Any]:
    return queries.panel_context(pa)


patient_link("lakemedel", title="Läkemedel", url_name="lakemedel:list", order=20, shortcut="alt+l")


@worklist("lakemedel_failed", title="Recept som inte gått fram", url_name="lakemedel:failed")
def failed_prescriptions(actor: Actor) -> int:
    return queries.failed_prescriptions_count(actor)
