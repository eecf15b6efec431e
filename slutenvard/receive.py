"""The receiving end of a discharge summary sent inside this installation."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from journal.models import Acknowledgement, Note
from slutenvard.models import Stay
from vardmiljo import outbox
from vardmiljo.actor import system_actor
from vardmiljo.audit import record
from vardmiljo.models import CareUnit, Outbox


def summary_receive(row: Outbox) -> dict[str, Any]:
    """The health centre gets the summary as an item to acknowledge (vidimering)."""
    stay = Stay.objects.select_related("ward__unit").filter(pk=int(row.object_id)).first()
    note = Note.objects.filter(pk=row.payload.get("note_id")).first()
    unit = CareUnit.objects.filter(pk=row.payload.get("to_unit_id")).first()
    if stay is None or note is None or unit is None:
        raise outbox.PermanentFailure("vårdtillfälle, epikris eller mottagare finns inte")
    ack, _created = Acknowledgement.objects.get_or_create(
        unit=unit,
        object_type="journal.note",
        object_id=str(note.pk),
        patient_id=stay.patient_id,
        defaults={
            "kind": Acknowledgement.Kind.NOTE,
            "summary": f"Epikris från {stay.ward.unit.name}"[:300],
        },
    )
    record(
        system_actor("slutenvard"), "slutenvard.summary.received", patient=stay.patient_id, obj=ack, detail={"unit_id": unit.pk}
    )
    return {"received_at": timezone.now().isoformat(), "unit_hsa_id": unit.hsa_id, "acknowledgement_id": ack.pk}
