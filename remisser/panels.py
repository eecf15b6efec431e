"""Where remisser plugs into the shell: the patient panel, the worklist counter, the patient link."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from remisser import queries
from remisser.models import RECEIVER_OPEN, Priority, Referral
from vardmiljo.access import PatientAccess
from vardmiljo.actor import Actor
from vardmiljo.registry import patient_link, patient_panel, worklist

PANEL_ROWS = 5


@patient_panel("remisser", title=str(_("Remisser")), template="remisser/_panel.html", order=40)
def open_referrals(pa: PatientAccess) -> dict[str, Any]:
    """Bounded: the latest few open referrals and a count, whatever the patient's history.
    One query; the rows come ready to print (the overview shows every panel at once)."""
    refs, total = queries.patient_open_referrals(pa, limit=PANEL_ROWS)
    today = timezone.localdate()
    # A referral's page is /remisser/<id>/, under the inbox: one reverse() per panel, not per row.
    inbox_url = reverse("remisser:inbox")
    priorities = {value: str(label).lower() for value, label in Priority.choices}
    statuses = {value: str(label) for value, label in Referral.Status.choices}
    rows = [
        {
            "url": f"{inbox_url}{r['id']}/",
            "receiver": r["receiver_unit__name"],
            "status": statuses.get(r["status"], r["status"]),
            "priority": priorities.get(r["priority"], r["priority"]),
            # Only when it is back with someone else than the addressee (sender, or forwarded).
            "owner": r["owner_unit__name"] if r["owner_unit_id"] != r["receiver_unit_id"] else "",
            "overdue": r["status"] in RECEIVER_OPEN and r["due_date"] is not None and r["due_date"] < today,
        }
        for r in refs
    ]
    return {
        "rows": rows,
        "total": total,
        "more": total > len(rows),
        "patient_id": pa.patient_id,
        "new_url": reverse("remisser:new", args=[pa.patient_id]),
        "list_url": reverse("remisser:patient", args=[pa.patient_id]),
    }


@worklist("remisser", title=str(_("Remisser")), url_name="remisser:inbox")
def inbox_count(actor: Actor) -> int:
    return queries.inbox_count(actor)


@worklist("remisser.undelivered", title=str(_("Remisser som inte gått fram")), url_name="remisser:undelivered")
def undelivered_count(actor: Actor) -> int:
    return queries.undelivered_count(actor)


patient_link("remisser", title=str(_("Remisser")), url_name="remisser:patient", order=40, shortcut="alt+r")
