"""The reminder adapter: SMS/e-mail through a configurable HTTP endpoint of the
region's own message gateway. OFF by default.

    REMINDERS_ENABLED=1                      switch reminders on (default off)
    REMINDER_ENDPOINT=https://sms.region.local/api/messages   the gateway (POST JSON)
    REMINDER_TIMEOUT=10                      seconds

The gateway receives `{"channel": "sms"|"email", "to": ..., "text": ..., "key": ...}`
with an `Idempotency-Key` header and answers 2xx with a JSON receipt. For demos and
tests, `/tidbok/simulator/paminnelse/` is a local simulated gateway (enabled with
DEBUG or REMINDER_SIMULATOR=1). Nothing here ever calls a host that is not configured.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from django.utils import timezone

from tidbok.models import Booking
from vardmiljo import outbox
from vardmiljo.models import Outbox
from vardmiljo.outbox import NotConfigured, PermanentFailure, TemporaryFailure


def enabled() -> bool:
    return os.environ.get("REMINDERS_ENABLED", "").strip().lower() in ("1", "true", "yes", "on")


def endpoint() -> str:
    return os.environ.get("REMINDER_ENDPOINT", "").strip()


def simulator_enabled() -> bool:
    from django.conf import settings

    return bool(settings.DEBUG) or os.environ.get("REMINDER_SIMULATOR", "").strip().lower() in ("1", "true", "yes", "on")


def payload_for(booking: Booking) -> dict[str, Any]:
    local = timezone.localtime(booking.starts_at)
    text = (
        f"Påminnelse: du har en tid hos {booking.unit.name} {local:%Y-%m-%d} kl. {local:%H:%M}. "
        f"Kan du inte komma? Lämna återbud till mottagningen."
    )
    return {
        "channel": "sms" if booking.patient.phone else "letter",
        "to": booking.patient.phone,
        "text": text,
        "booking_id": booking.pk,
        "starts_at": booking.starts_at.isoformat(),
    }


def timeout_seconds() -> float:
    try:
        return float(os.environ.get("REMINDER_TIMEOUT", "10") or 10)
    except ValueError:
        return 10.0


def send(row: Outbox) -> dict[str, Any]:
    """Deliver one outbox row (called outside any transaction by the outbox)."""
    if not enabled():
        raise NotConfigured("Påminnelser är avstängda (REMINDERS_ENABLED).")
    url = endpoint()
    if not url:
        raise NotConfigured("Ingen adress till meddelandetjänsten (REMINDER_ENDPOINT).")
    booking = Booking.objects.filter(pk=int(row.object_id)).only("status", "starts_at").first()
    if booking is None or booking.status != Booking.Status.BOOKED:
        return {"skipped": "bokningen är inte längre aktiv"}
    if booking.starts_at <= timezone.now():
        return {"skipped": "tiden har passerat"}
    if not row.payload.get("to"):
        raise PermanentFailure("Patienten saknar telefonnummer; påminnelse kan inte skickas.")
    body = json.dumps({**row.payload, "key": row.idempotency_key}).encode()
    request = outbox.endpoint_request(
        url, data=body, headers={"Content-Type": "application/json", "Idempotency-Key": row.idempotency_key}
    )
    timeout = timeout_seconds()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 (outbox.endpoint_request checked the scheme)
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise PermanentFailure(f"Meddelandetjänsten avvisade påminnelsen: HTTP {exc.code}") from None
        raise TemporaryFailure(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TemporaryFailure(str(exc)) from None
    try:
        receipt = json.loads(raw or b"{}")
    except ValueError:
        receipt = {"raw": raw[:200].decode(errors="replace")}
    return receipt if isinstance(receipt, dict) else {"receipt": receipt}
