"""Outbound HL7 v2 ADT for the systems that stay (built with hl7apy).

Each stay event that the systems around a hospital follow (admit A01, transfer
A02, discharge A03, update A08, and the cancellations A11, A12, A13) is queued in
the outbox on channel `slutenvard.adt` in the same transaction as the event, as a
snapshot of what the message says; the ER7 message is built from it by the
delivery (`build`), outside the request. The receiver and its wire protocol come with the outbound feed;
until one is configured the messages stay visibly queued (`manage.py outbox`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message

if TYPE_CHECKING:
    from slutenvard.models import Stay, StayEvent

CHANNEL = "slutenvard.adt"
SENDING_APPLICATION = "VARDMILJO"

# StayEvent.Kind → ADT trigger event.
EVENT_CODES = {
    "admit": "A01",
    "place": "A08",
    "transfer": "A02",
    "bed_move": "A02",
    "outlie": "A02",
    "update": "A08",
    "discharge": "A03",
    "cancel_admit": "A11",
    "cancel_transfer": "A12",
    "cancel_discharge": "A13",
}
# The message structure of each trigger event (HL7 v2.5, chapter 3).
STRUCTURES = {
    "A01": "ADT_A01",
    "A02": "ADT_A02",
    "A03": "ADT_A03",
    "A08": "ADT_A01",
    "A11": "ADT_A09",
    "A12": "ADT_A12",
    "A13": "ADT_A01",
}
# PV1-36 discharge disposition (HL7 table 0112, as the regions' systems use it).
DISPOSITIONS = {"home": "01", "hospital": "02", "municipal": "03", "deceased": "20"}


def _ts(value: object) -> str:
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S") if value else ""  # type: ignore[arg-type]


def _esc(text: str) -> str:
    # The message's own delimiters never appear inside a field.
    return "".join(" " if ch in "|^~\\&\r\n" else ch for ch in text)


def snapshot(stay: Stay, event: StayEvent, code: str) -> dict[str, str]:
    """What the message says, taken in the event's own transaction: the stay as it is at
    this event (a later event changes the stay, never this message). Plain strings, one
    query for the beds' locations."""
    from slutenvard.models import Bed

    p = stay.patient
    bed_id = event.to_bed_id or (stay.bed_id if code not in ("A03", "A11") else event.from_bed_id)
    prior_id = event.from_bed_id if code in ("A02", "A12") else None
    beds = {
        pk: (hsa, room, label)
        for pk, hsa, room, label in Bed.objects.filter(pk__in=[b for b in (bed_id, prior_id) if b]).values_list(
            "pk", "ward__unit__hsa_id", "room", "label"
        )
    }
    unit_hsa = stay.ward.unit.hsa_id

    def location(pk: int | None) -> str:
        if pk in beds:
            hsa, room, label = beds[pk]
            # PL-1 point of care (the bed's ward), PL-2 room, PL-3 bed, PL-4 facility (the responsible ward).
            return f"{_esc(hsa)}^{_esc(room)}^{_esc(label)}^{_esc(unit_hsa)}"
        return f"{_esc(unit_hsa)}^^^{_esc(unit_hsa)}"

    pal = stay.pal if stay.pal_id else None
    return {
        "code": code,
        "control_id": f"SV{event.pk}",
        "facility": _esc(stay.ward.hospital.name),
        "recorded_at": _ts(event.recorded_at),
        "event_at": _ts(event.at),
        "identifier": _esc(p.identifier),
        "id_kind": "PN" if p.id_kind == "personnummer" else ("SN" if p.id_kind == "samordningsnummer" else "RN"),
        "family_name": _esc(p.family_name),
        "given_name": _esc(p.given_name),
        "birth_date": p.birth_date.strftime("%Y%m%d") if p.birth_date else "",
        "sex": p.sex or "",
        "location": location(bed_id),
        "prior_location": location(prior_id) if prior_id else "",
        "attending": f"{_esc(pal.hsa_id)}^{_esc(pal.last_name)}^{_esc(pal.first_name)}" if pal and pal.hsa_id else "",
        "visit_number": str(stay.pk),
        "disposition": DISPOSITIONS.get(stay.destination, "") if code == "A03" else "",
        "admitted_at": _ts(stay.admitted_at),
        "discharged_at": _ts(stay.discharged_at) if code == "A03" else "",
    }


def build(snap: dict[str, str]) -> str:
    """The ER7 text of one message, built with hl7apy from the event's snapshot. Done at
    delivery, outside the request: building a message with hl7apy costs more than the
    whole admission's transaction."""
    code = snap["code"]
    msg = Message(STRUCTURES[code], version="2.5", validation_level=VALIDATION_LEVEL.TOLERANT)
    msg.msh.msh_3 = SENDING_APPLICATION
    msg.msh.msh_4 = snap["facility"]
    msg.msh.msh_7 = snap["recorded_at"]
    msg.msh.msh_9 = f"ADT^{code}^{STRUCTURES[code]}"
    msg.msh.msh_10 = snap["control_id"]
    msg.msh.msh_11 = "P"
    msg.evn.evn_1 = code
    msg.evn.evn_2 = snap["recorded_at"]
    msg.evn.evn_6 = snap["event_at"]
    msg.pid.pid_3 = f"{snap['identifier']}^^^SKV^{snap['id_kind']}"
    msg.pid.pid_5 = f"{snap['family_name']}^{snap['given_name']}"
    if snap["birth_date"]:
        msg.pid.pid_7 = snap["birth_date"]
    if snap["sex"]:
        msg.pid.pid_8 = snap["sex"]
    msg.pv1.pv1_2 = "I"
    msg.pv1.pv1_3 = snap["location"]
    if snap["prior_location"]:
        msg.pv1.pv1_6 = snap["prior_location"]
    if snap["attending"]:
        msg.pv1.pv1_7 = snap["attending"]
    msg.pv1.pv1_19 = snap["visit_number"]
    if snap["disposition"]:
        msg.pv1.pv1_36 = snap["disposition"]
    msg.pv1.pv1_44 = snap["admitted_at"]
    if snap["discharged_at"]:
        msg.pv1.pv1_45 = snap["discharged_at"]
    return str(msg.to_er7())
