"""A local simulated registry endpoint for tests and the demo (never the internet).

Enabled in demo mode, or anywhere with REGISTRY_SIMULATOR=1. It stores what it
receives, de-duplicates on the Idempotency-Key header and answers with a
receipt. `?status=503` makes it answer that status, `?sleep=2` makes it wait,
so tests can see errors and timeouts leave the transfer queued.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from integrations.models import SimulatedRegistryMessage


def enabled() -> bool:
    raw = os.environ.get("REGISTRY_SIMULATOR")
    if raw is None or raw == "":
        return bool(settings.DEMO)
    return raw.lower() in ("1", "true", "yes", "on")


def receive(*, registry: str, idempotency_key: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Store one message once; a retry with the same key gets the same receipt."""
    try:
        with transaction.atomic():
            msg = SimulatedRegistryMessage.objects.create(
                registry=registry, idempotency_key=idempotency_key[:100], payload=payload
            )
        duplicate = False
    except IntegrityError:
        msg = SimulatedRegistryMessage.objects.get(idempotency_key=idempotency_key[:100])
        duplicate = True
    return {
        "status": "accepted",
        "registry": registry,
        "receipt_id": f"SIM-{registry.upper()}-{msg.pk:08d}",
        "received_at": msg.received_at.isoformat(),
        "duplicate": duplicate,
    }
