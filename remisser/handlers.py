"""Delivery of referrals through the core outbox, and the beat job.

- `referral` (local): the receiving unit is in this installation. The receipt,
  the event and the care relationship are written in the transaction that marks
  the outbox row delivered, so a referral is received exactly once.
- `referral.remote`: the receiving unit is in another system. The adapter posts
  the referral with the outbox row's idempotency key (the receiver de-duplicates
  on it) and records the receipt it answers. Without an endpoint the row stays
  visibly queued (NotConfigured) in the sender's outbox and in referral_audit.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from remisser import conf
from remisser.models import Referral, ReferralRoute
from remisser.services import CHANNEL_LOCAL, CHANNEL_REMOTE, referral_receive
from vardmiljo import outbox
from vardmiljo.celery import QUEUE_REFERRAL, add_beat
from vardmiljo.models import Outbox


def _receiver(row: Outbox) -> tuple[Referral | None, str]:
    referral = (
        Referral.objects.select_related("patient", "sender_unit", "sender_staff", "receiver_unit")
        .filter(pk=int(row.object_id))
        .first()
    )
    if referral is None:
        return None, ""
    route = ReferralRoute.objects.filter(unit_id=referral.receiver_unit_id).first()
    return referral, conf.endpoint_for(referral.receiver_unit.hsa_id, route.endpoint if route else "")


def _remote_target(row: Outbox) -> outbox.Target:
    """One circuit breaker per receiving system (its URL), with that receiver's own time-out."""
    referral, url = _receiver(row)
    if referral is None or not url:
        return outbox.Target(key=CHANNEL_REMOTE, timeout=outbox.DEFAULT_TIMEOUT_SECONDS)
    try:
        timeout = conf.timeout_for(referral.receiver_unit.hsa_id)
    except ImproperlyConfigured:
        timeout = outbox.DEFAULT_TIMEOUT_SECONDS  # deliver_remote reports the bad setting on the row
    return outbox.Target(key=f"{CHANNEL_REMOTE}:{url}", timeout=timeout)


@outbox.handler(CHANNEL_LOCAL, local=True)
def deliver_local(row: Outbox) -> dict[str, Any]:
    return referral_receive(outbox_key=row.idempotency_key, referral_id=int(row.object_id))


def remote_message(referral: Referral, key: str) -> dict[str, Any]:
    """What another system receives: enough to triage, with both units' HSA-ids."""
    p = referral.patient
    return {
        "idempotency_key": key,
        "referral_id": referral.pk,
        "patient": {"identifier": p.identifier, "given_name": p.given_name, "family_name": p.family_name},
        "sender_unit_hsa_id": referral.sender_unit.hsa_id,
        "sender_staff_hsa_id": referral.sender_staff.hsa_id or "",
        "receiver_unit_hsa_id": referral.receiver_unit.hsa_id,
        "priority": referral.priority,
        "due_date": referral.due_date.isoformat() if referral.due_date else None,
        "question": referral.question,
    }


@outbox.handler(CHANNEL_REMOTE, local=False, queue=QUEUE_REFERRAL, target=_remote_target)
def deliver_remote(row: Outbox) -> dict[str, Any]:
    referral, url = _receiver(row)
    if referral is None:
        raise outbox.PermanentFailure(f"referral {row.object_id} does not exist")
    if referral.delivery_key != row.idempotency_key:
        # Sent again or to another unit meanwhile: this delivery must not reach anyone.
        return {"ignored": True, "superseded_by": referral.delivery_key}
    try:
        timeout = conf.timeout_for(referral.receiver_unit.hsa_id)
    except ImproperlyConfigured as exc:
        raise outbox.NotConfigured(str(exc)) from None
    if not url:
        raise outbox.NotConfigured(
            f"ingen mottagaradress för {referral.receiver_unit} ({conf.endpoint_env_name(referral.receiver_unit.hsa_id)})"
        )
    body = json.dumps(remote_message(referral, row.idempotency_key)).encode()
    req = outbox.endpoint_request(
        url, data=body, headers={"Content-Type": "application/json", "Idempotency-Key": row.idempotency_key}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (outbox.endpoint_request checked the scheme)
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code not in (408, 409, 429):
            raise outbox.PermanentFailure(f"mottagaren svarade {exc.code}") from exc
        raise outbox.TemporaryFailure(f"mottagaren svarade {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise outbox.TemporaryFailure(str(exc)) from exc
    try:
        remote = json.loads(raw or b"{}")
    except ValueError:
        remote = {"raw": raw[:500].decode(errors="replace")}
    # The receipt is recorded in its own transaction; a crash before it makes the
    # outbox retry with the same key, the receiver answers the same receipt again.
    return referral_receive(
        outbox_key=row.idempotency_key,
        referral_id=referral.pk,
        remote_detail=remote if isinstance(remote, dict) else {"answer": remote},
    )


add_beat("remisser-escalate-overdue", "remisser.tasks.escalate_overdue", crontab(minute="*/15"))
