"""Slutenvård's places in the shell: the stay panel on the overview, the worklist link."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from slutenvard import queries
from slutenvard.models import Ward
from vardmiljo.access import PatientAccess
from vardmiljo.actor import Actor
from vardmiljo.registry import patient_panel, worklist


@patient_panel("slutenvard.stay", title=str(_("Vårdtillfälle")), template="slutenvard/_panel_stay.html", order=15)
def stay_panel(pa: PatientAccess) -> dict[str, Any]:
    return {"stay": queries.current_stay_of(pa), "patient_id": pa.patient_id}


@worklist("slutenvard.worklist", title=str(_("Avdelningen")), url_name="slutenvard:worklist")
def ward_patients(actor: Actor) -> int:
    # A count names no patient; only staff of a ward see it.
    return queries.ward_patient_count(actor)


post_save.connect(queries.clear_ward_units, sender=Ward)
post_delete.connect(queries.clear_ward_units, sender=Ward)
