"""Registry transfers: collect each qualifying patient's variables, queue what
is new in the outbox, deliver after commit, store the receipt and record the
disclosure in the access log.

A transfer is queued only when its content changed since the last one (the
payload hash is part of a unique key), so the nightly run is cheap and a
re-run sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from integrations import registries
from integrations.models import RegistryTransfer
from vardmiljo import audit, outbox
from vardmiljo.actor import system_actor
from vardmiljo.models import Outbox, Patient

CHANNEL = "registry"


@dataclass
class Planned:
    patient: Patient
    payload: dict[str, Any]
    sha256: str
    already_sent: bool


@dataclass
class Summary:
    registry: str
    qualifying: int = 0
    queued: int = 0
    unchanged: int = 0
    planned: list[Planned] = field(default_factory=list)


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def plan(registry_name: str, *, since: dt.date | None = None) -> list[Planned]:
    """What would be sent now, patient by patient (no writes)."""
    reg = registries.get(registry_name)
    from integrations.registries import record

    result: list[Planned] = []
    patients = list(reg.patients(since=since).order_by("pk"))
    # Content already queued or delivered is not sent again; a transfer stopped by a
    # withdrawn objection is (transfer_enqueue reopens it).
    sent = set(
        RegistryTransfer.objects.filter(registry=reg.name, patient__in=patients)
        .exclude(status=RegistryTransfer.Status.CANCELLED)
        .values_list("patient_id", "payload_sha256")
    )
    units = record.reporting_units(reg.diagnosis_prefixes, [p.pk for p in patients])
    for patient in patients:
        payload = reg.payload(patient, reg.variables(patient, since=since), units.get(patient.pk, ""))
        sha = payload_hash(payload)
        result.append(Planned(patient=patient, payload=payload, sha256=sha, already_sent=(patient.pk, sha) in sent))
    return result


def run(registry_name: str, *, since: dt.date | None = None, dry_run: bool = False) -> Summary:
    reg = registries.get(registry_name)
    planned = plan(reg.name, since=since)
    summary = Summary(registry=reg.name, qualifying=len(planned), planned=planned)
    for p in planned:
        if p.already_sent:
            summary.unchanged += 1
            continue
        summary.queued += 1
        if not dry_run:
            transfer_enqueue(registry=reg.name, patient=p.patient, payload=p.payload, sha256=p.sha256)
    return summary


@transaction.atomic
def transfer_enqueue(*, registry: str, patient: Patient, payload: dict[str, Any], sha256: str) -> RegistryTransfer:
    """One transfer and its outbox row, in one transaction."""
    transfer, created = RegistryTransfer.objects.get_or_create(
        registry=registry,
        patient=patient,
        payload_sha256=sha256,
        defaults={"payload": payload},
    )
    if created or transfer.outbox_id is None:
        key = f"registry:{registry}:{transfer.pk}"
    elif transfer.status == RegistryTransfer.Status.CANCELLED:
        # Stopped by an objection the patient has since withdrawn: send it after all, as a new message.
        transfer.status = RegistryTransfer.Status.QUEUED
        key = f"registry:{registry}:{transfer.pk}:{timezone.now():%Y%m%d%H%M%S%f}"
    else:
        return transfer
    row = outbox.enqueue(
        channel=CHANNEL, key=key, obj=transfer, payload={"registry": registry, "transfer_id": transfer.pk}, patient=patient
    )
    transfer.outbox = row
    transfer.save(update_fields=["outbox", "status"])
    return transfer


def deliver(row: Outbox) -> dict[str, Any]:
    """The outbox handler's work (runs outside any transaction)."""
    transfer = RegistryTransfer.objects.select_related("patient").get(pk=row.payload["transfer_id"])
    if transfer.status == RegistryTransfer.Status.DELIVERED and transfer.receipt:
        return transfer.receipt
    if transfer.status == RegistryTransfer.Status.CANCELLED:
        raise outbox.PermanentFailure("Överföringen stoppades (patienten motsatte sig registrering); inget skickades.")
    if transfer.patient.registry_objection:
        # The patient objected after the transfer was queued: nothing is sent, ever.
        RegistryTransfer.objects.filter(pk=transfer.pk).update(status=RegistryTransfer.Status.CANCELLED)
        raise outbox.PermanentFailure("Patienten motsätter sig registrering (PDL 7 kap. 2 §); inget skickades.")
    reg = registries.get(transfer.registry)
    receipt = reg.adapter().send(transfer.payload, idempotency_key=row.idempotency_key)
    with transaction.atomic():
        RegistryTransfer.objects.filter(pk=transfer.pk).update(
            status=RegistryTransfer.Status.DELIVERED, receipt=receipt, delivered_at=timezone.now()
        )
        audit.record(
            system_actor("registry"),
            "registry.disclosure",
            patient=transfer.patient,
            obj=transfer,
            ground="system",
            detail={"registry": transfer.registry, "outbox": row.pk, "receipt": receipt.get("receipt_id", "")},
        )
    return receipt
