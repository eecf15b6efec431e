"""Outbox channels of slutenvård.

- `slutenvard.adt`: outbound HL7 ADT for the systems that stay. The receiver comes
  with the FHIR issue's outbound feed; until then each message stays queued,
  visibly (NotConfigured), never lost.
- `slutenvard.epikris` (local): the discharge summary to the patient's listed
  health centre in this installation. Delivery puts an acknowledgement item
  (vidimering) in the health centre's list and answers a receipt, in the
  transaction that marks the row delivered: received exactly once.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from slutenvard import adt, services
from vardmiljo import outbox
from vardmiljo.celery import QUEUE_HL7, add_beat
from vardmiljo.models import Outbox


@outbox.handler(adt.CHANNEL, local=False, queue=QUEUE_HL7)
def deliver_adt(row: Outbox) -> dict[str, Any]:
    try:
        adt.build(row.payload["snapshot"])
    except Exception as exc:  # noqa: BLE001 - a message that cannot be built needs a person
        raise outbox.PermanentFailure(f"HL7-meddelandet kunde inte byggas: {exc}") from exc
    raise outbox.NotConfigured("ingen mottagare för HL7 ADT ännu (kommer med det utgående flödet)")


@outbox.handler(services.CHANNEL_SUMMARY, local=True)
def deliver_summary(row: Outbox) -> dict[str, Any]:
    return services.summary_receive(row)


# The day's figures as the regions report them: stored each morning at 06:00.
add_beat("slutenvard-day-figures", "slutenvard.record_day_figures", crontab(hour=6, minute=0))
