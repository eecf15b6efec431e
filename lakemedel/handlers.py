"""Outbox delivery of e-recept to the national prescription service."""

from __future__ import annotations

from typing import Any

from lakemedel import erecept
from vardmiljo import outbox
from vardmiljo.celery import QUEUE_ERECEPT
from vardmiljo.models import Outbox


@outbox.handler("erecept", local=False, queue=QUEUE_ERECEPT, timeout=erecept.timeout_seconds)
def deliver_erecept(row: Outbox) -> dict[str, Any]:
    # Runs outside any transaction; the receiver de-duplicates on the key, so a
    # retry after a crash between send and receipt cannot prescribe twice.
    receipt = erecept.send(row.payload, key=row.idempotency_key)
    from lakemedel.services import prescription_receipt_store

    prescription_receipt_store(outbox_row=row, receipt=receipt)
    return receipt
