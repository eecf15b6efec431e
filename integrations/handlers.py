"""Outbox handler and beat job of integrations (imported by AppConfig.ready())."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from vardmiljo import outbox
from vardmiljo.celery import QUEUE_REGISTRY, add_beat
from vardmiljo.models import Outbox


def _registry_target(row: Outbox) -> outbox.Target:
    from integrations.registries import adapters

    # One breaker per registry: NDR down must not hold back the heart failure registry.
    try:
        timeout = adapters.timeout_seconds(str(row.payload.get("registry", "")))
    except outbox.NotConfigured:
        timeout = outbox.DEFAULT_TIMEOUT_SECONDS  # the adapter itself reports the bad setting on the row
    return outbox.Target(key=f"registry:{row.payload.get('registry', '')}", timeout=timeout)


@outbox.handler("registry", local=False, queue=QUEUE_REGISTRY, target=_registry_target)
def deliver_registry_transfer(row: Outbox) -> dict[str, Any]:
    from integrations.registries import transfer

    return transfer.deliver(row)


# Nightly: collect and queue every registry's new data; the outbox delivers and retries.
add_beat("registry-transfers", "integrations.tasks.registry_transfer_all", crontab(hour=1, minute=30))
# Bulk-export files are deleted when they expire (FHIR_EXPORT_HOURS).
add_beat("fhir-export-expiry", "integrations.tasks.fhir_export_expire", crontab(minute="*/15"))
