"""Outbound HL7 v2 ADT for the systems that stay (built with hl7apy).

Each stay event that the systems around a hospital follow (admit A01, transfer
A02, discharge A03, update A08, and the cancellations A11, A12, A13) is built
here and queued in the outbox on channel `slutenvard.adt` in the same transaction
as the event. The receiver and its wire protocol come with the outbound feed;
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


def _location(stay: Stay, bed_id: int | None) -> str:
    from slutenvard.models import Bed

    unit = stay.ward.unit
    bed = Bed.objects.select_related("ward__unit").filter(pk=bed_id).first() if bed_id else None
    if bed is not None:
        # PL-1 point of care (the bed's ward), PL-2 room, PL-3 bed, PL-4 facility (the responsible ward's HSA-id).
        return f"{_esc(bed.ward.unit.hsa_id)}^{_esc(bed.room)}^{_esc(bed.label)}^{_esc(unit.hsa_id)}"
    return f"{_esc(unit.hsa_id)}^^^{_esc(unit.hsa_id)}"


def build(stay: Stay, event: StayEvent, code: str) -> str:
    """The ER7 text of the message for one event of the stay."""
    p = stay.patient
    msg = Message(STRUCTURES[code], version="2.5", validation_level=VALIDATION_LEVEL.TOLERANT)
    msg.msh.msh_3 = SENDING_APPLICATION
    msg.msh.msh_4 = _esc(stay.ward.hospital.name)
    msg.msh.msh_7 = _ts(event.recorded_at)
    msg.msh.msh_9 = f"ADT^{code}^{STRUCTURES[code]}"
    msg.msh.msh_10 = f"SV{event.pk}"
    msg.msh.msh_11 = "P"
    msg.evn.evn_1 = code
    msg.evn.evn_2 = _ts(event.recorded_at)
    msg.evn.evn_6 = _ts(event.at)
    kind = "PN" if p.id_kind == "personnummer" else ("SN" if p.id_kind == "samordningsnummer" else "RN")
    msg.pid.pid_3 = f"{_esc(p.identifier)}^^^SKV^{kind}"
    msg.pid.pid_5 = f"{_esc(p.family_name)}^{_esc(p.given_name)}"
    if p.birth_date:
        msg.pid.pid_7 = p.birth_date.strftime("%Y%m%d")
    if p.sex:
        msg.pid.pid_8 = p.sex
    msg.pv1.pv1_2 = "I"
    bed_id = event.to_bed_id or (stay.bed_id if code not in ("A03", "A11") else event.from_bed_id)
    msg.pv1.pv1_3 = _location(stay, bed_id)
    if event.from_bed_id and code in ("A02", "A12"):
        msg.pv1.pv1_6 = _location(stay, event.from_bed_id)
    if stay.pal_id and stay.pal and stay.pal.hsa_id:
        msg.pv1.pv1_7 = f"{_esc(stay.pal.hsa_id)}^{_esc(stay.pal.last_name)}^{_esc(stay.pal.first_name)}"
    msg.pv1.pv1_19 = str(stay.pk)
    if code == "A03" and stay.destination:
        msg.pv1.pv1_36 = DISPOSITIONS.get(stay.destination, "")
    msg.pv1.pv1_44 = _ts(stay.admitted_at)
    if code == "A03":
        msg.pv1.pv1_45 = _ts(stay.discharged_at)
    return str(msg.to_er7())
