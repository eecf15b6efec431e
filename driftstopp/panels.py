"""The top bar's counter of patients still to enter after a downtime."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from driftstopp import queries
from vardmiljo.actor import Actor
from vardmiljo.registry import worklist


@worklist("driftstopp.after_entry", title=str(_("Efterregistrera")), url_name="driftstopp:after_entry")
def after_entry_count(actor: Actor) -> int:
    return queries.after_entry_count(actor)
