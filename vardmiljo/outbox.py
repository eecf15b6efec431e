"""The outbox: every message that leaves a transaction (referrals between
units and providers, prescriptions, registry transfers, reminders).

A service calls `enqueue()` inside its own transaction, so the message exists
exactly when the act does. After commit a Celery task calls `deliver()`; the
beat job `outbox_sweep` picks up whatever a crash, a killed worker or a lost
broker message left behind. Rows are never deleted: undelivered ones stay
visible to operators (`manage.py outbox`) and in the senders' worklists.

A channel registers one handler:
- local handlers (`local=True`) write into this database; they run in the same
  transaction that marks the row delivered, so delivery happens exactly once;
- remote handlers call an adapter outside any transaction with the row's
  idempotency key; the receiver de-duplicates on that key.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from vardmiljo.models import Outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600


class TemporaryFailure(Exception):
    """Try again later (timeout, 5xx, receiver busy)."""


class PermanentFailure(Exception):
    """Will never succeed as it is (receiver rejected the message); needs a person."""


class NotConfigured(Exception):
    """No endpoint is configured: the message stays queued, visibly, until one is."""


@dataclass(frozen=True)
class Handler:
    func: Callable[[Outbox], dict[str, Any] | None]
    local: bool


_HANDLERS: dict[str, Handler] = {}


def handler(
    channel: str, *, local: bool
) -> Callable[[Callable[[Outbox], dict[str, Any] | None]], Callable[[Outbox], dict[str, Any] | None]]:
    def register(func: Callable[[Outbox], dict[str, Any] | None]) -> Callable[[Outbox], dict[str, Any] | None]:
        _HANDLERS[channel] = Handler(func=func, local=local)
        return func

    return register


def enqueue(*, channel: str, key: str, obj: Any, payload: dict[str, Any], patient: Any = None) -> Outbox:
    """Write the message in the caller's transaction. Idempotent on `key`:
    a double click or a retried request finds the row already there.
    One statement when the key is new (INSERT … ON CONFLICT DO NOTHING), no savepoint."""
    row = Outbox(
        channel=channel,
        idempotency_key=key,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        patient_id=getattr(patient, "pk", patient),
        payload=payload,
    )
    fields = [f for f in Outbox._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {Outbox._meta.db_table} ({', '.join(connection.ops.quote_name(str(f.column)) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields],
        )
        created = cur.fetchone()
    if created is None:
        return Outbox.objects.get(idempotency_key=key)
    row.pk = created[0]
    row._state.adding = False
    row._state.db = connection.alias
    pk = row.pk
    transaction.on_commit(lambda: schedule(pk))
    return row


def schedule(outbox_id: int) -> None:
    """Ask a worker to deliver now. If the broker is down the row stays queued
    and the sweep delivers it later: never lost.

    The request does not wait for the broker: a thread of this process publishes
    (a Redis round trip and Celery's message building, several ms at the tail). If the
    process dies before it has, the row is still queued and the sweep delivers it."""
    from vardmiljo.celery import app

    if app.conf.task_always_eager:
        _publish(outbox_id)  # no broker: the task runs here and now, in this transaction's thread
        return
    _publisher().put(outbox_id)


def _publish(outbox_id: int) -> None:
    from vardmiljo.tasks import deliver_outbox

    try:
        deliver_outbox.delay(outbox_id)
    except Exception:  # noqa: BLE001 - any broker failure leaves the row for the sweep
        log.warning("broker unavailable; outbox %s stays queued for the sweep", outbox_id, exc_info=True)


_queue: queue.SimpleQueue[int] | None = None
_queue_pid = 0
_queue_lock = threading.Lock()
_unpublished = 0  # scheduled, not yet handed to the broker (guarded by _queue_lock)


def _publisher() -> queue.SimpleQueue[int]:
    """This process's publishing queue and thread (started on first use, again after a fork)."""
    global _queue, _queue_pid, _unpublished
    with _queue_lock:
        if _queue is None or _queue_pid != os.getpid():
            q: queue.SimpleQueue[int] = queue.SimpleQueue()

            def run() -> None:
                global _unpublished
                while True:
                    outbox_id = q.get()
                    try:
                        _publish(outbox_id)
                    finally:
                        with _queue_lock:
                            _unpublished -= 1

            threading.Thread(target=run, name="outbox-publisher", daemon=True).start()
            if _queue is None:
                atexit.register(publish_pending)
            _queue, _queue_pid, _unpublished = q, os.getpid(), 0
        _unpublished += 1
        return _queue


def publish_pending(timeout: float = 5.0) -> bool:
    """Wait until this process has handed every scheduled message to the broker (at exit,
    so a command that acts and ends leaves nothing to the sweep; and in tests).
    Returns False if some were still waiting when the timeout ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _queue_lock:
            if _unpublished <= 0:
                return True
        time.sleep(0.005)
    return False


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def deliver(outbox_id: int) -> str:
    """Deliver one row; returns its status afterwards. Safe to call twice at once."""
    with transaction.atomic():
        row = Outbox.objects.select_for_update(skip_locked=True).filter(pk=outbox_id).first()
        if row is None:
            return "busy"
        if row.status in (Outbox.Status.DELIVERED, Outbox.Status.DEAD):
            return row.status
        h = _HANDLERS.get(row.channel)
        if h is None:
            return _fail(row, NotConfigured(f"no handler for channel {row.channel}"))
        if h.local:
            sid = transaction.savepoint()
            try:
                receipt = h.func(row)
            except Exception as exc:  # noqa: BLE001 - recorded on the row, never lost
                transaction.savepoint_rollback(sid)
                return _fail(row, exc)
            transaction.savepoint_commit(sid)
            return _done(row, receipt)
        row.attempts += 1
        row.save(update_fields=["attempts"])
    # Remote: the network call happens outside any transaction.
    try:
        receipt = h.func(row)
    except Exception as exc:  # noqa: BLE001
        with transaction.atomic():
            row = Outbox.objects.select_for_update().get(pk=outbox_id)
            return _fail(row, exc, counted=True)
    with transaction.atomic():
        row = Outbox.objects.select_for_update().get(pk=outbox_id)
        if row.status == Outbox.Status.DELIVERED:
            return row.status
        return _done(row, receipt)


def _done(row: Outbox, receipt: dict[str, Any] | None) -> str:
    row.status = Outbox.Status.DELIVERED
    row.delivered_at = timezone.now()
    row.receipt = receipt or {}
    row.last_error = ""
    row.save(update_fields=["status", "delivered_at", "receipt", "last_error"])
    return row.status


def _fail(row: Outbox, exc: Exception, *, counted: bool = False) -> str:
    now = timezone.now()
    if isinstance(exc, NotConfigured):
        row.status = Outbox.Status.QUEUED
        row.next_attempt_at = now + dt.timedelta(minutes=5)
    else:
        if not counted:
            row.attempts += 1
        if isinstance(exc, PermanentFailure) or row.attempts >= MAX_ATTEMPTS:
            row.status = Outbox.Status.DEAD
        else:
            row.status = Outbox.Status.FAILED
            row.next_attempt_at = now + _backoff(row.attempts)
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    row.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    log.info("outbox %s %s: %s", row.pk, row.status, row.last_error)
    return row.status


def due_ids(limit: int = 500) -> list[int]:
    return list(
        Outbox.objects.filter(status__in=[Outbox.Status.QUEUED, Outbox.Status.FAILED], next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def requeue(outbox_id: int) -> None:
    """Operator action: try a dead message again from scratch."""
    Outbox.objects.filter(pk=outbox_id).exclude(status=Outbox.Status.DELIVERED).update(
        status=Outbox.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
