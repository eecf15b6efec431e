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
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from vardmiljo.models import Outbox, OutboxAttempt, OutboxEndpoint

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
DEFAULT_TIMEOUT_SECONDS = 10.0
IN_FLIGHT = "in_flight"  # deliver()'s answer while another worker's attempt holds the lease
BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600


class TemporaryFailure(Exception):
    """Try again later (timeout, 5xx, receiver busy)."""


class PermanentFailure(Exception):
    """Will never succeed as it is (receiver rejected the message); needs a person."""


def endpoint_request(url: str, *, data: bytes, headers: dict[str, str], method: str = "POST") -> urllib.request.Request:
    """A request to an endpoint the region configured: http(s) only, never file: or another
    scheme that urllib would also open (a mistyped setting must fail, not read a local file)."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise PermanentFailure(f"mottagaradressen måste börja med http:// eller https:// (inte {scheme or 'utan schema'}:)")
    return urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 (scheme checked)


class NotConfigured(Exception):
    """No endpoint is configured: the message stays queued, visibly, until one is."""


@dataclass(frozen=True)
class Target:
    """Where a row goes: the circuit breaker's key (one receiver) and how long one network
    operation towards it may take (the receiver's own time-out setting)."""

    key: str
    timeout: float


HandlerFunc = Callable[[Outbox], dict[str, Any] | None]


@dataclass(frozen=True)
class Handler:
    func: HandlerFunc
    local: bool
    queue: str
    target: Callable[[Outbox], Target]


_HANDLERS: dict[str, Handler] = {}


def handler(
    channel: str,
    *,
    local: bool,
    queue: str = "",
    target: Callable[[Outbox], Target] | None = None,
    timeout: Callable[[], float] | None = None,
) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register a channel's delivery. A remote channel names its Celery queue (one per kind of
    receiver, see vardmiljo.celery) and how to find its receiver (`target`) or, for a single
    receiver, its time-out setting (`timeout`)."""
    from vardmiljo.celery import QUEUE_LOCAL, QUEUES

    if local:
        queue = queue or QUEUE_LOCAL
    elif queue not in QUEUES:
        raise ValueError(f"remote channel {channel} needs one of the queues {QUEUES}, got {queue!r}")

    def single(row: Outbox) -> Target:
        return Target(key=channel, timeout=timeout() if timeout else DEFAULT_TIMEOUT_SECONDS)

    def register(func: HandlerFunc) -> HandlerFunc:
        _HANDLERS[channel] = Handler(func=func, local=local, queue=queue, target=target or single)
        return func

    return register


def queue_for(channel: str) -> str:
    from vardmiljo.celery import DEFAULT_QUEUE

    h = _HANDLERS.get(channel)
    return h.queue if h else DEFAULT_QUEUE


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
    transaction.on_commit(lambda: schedule(pk, channel))
    return row


def schedule(outbox_id: int, channel: str = "") -> None:
    """Ask a worker to deliver now. If the broker is down the row stays queued
    and the sweep delivers it later: never lost.

    The request does not wait for the broker: a thread of this process publishes
    (a Redis round trip and Celery's message building, several ms at the tail). If the
    process dies before it has, the row is still queued and the sweep delivers it."""
    from vardmiljo.celery import app

    if app.conf.task_always_eager:
        _publish(outbox_id, channel)  # no broker: the task runs here and now, in this transaction's thread
        return
    _publisher().put((outbox_id, channel))


def _publish(outbox_id: int, channel: str = "") -> None:
    from vardmiljo.tasks import deliver_outbox

    try:
        # Each kind of receiver has its own queue and worker: a hung one delays only its own kind.
        deliver_outbox.apply_async(args=[outbox_id], queue=queue_for(channel))
    except Exception:  # noqa: BLE001 - any broker failure leaves the row for the sweep
        log.warning("broker unavailable; outbox %s stays queued for the sweep", outbox_id, exc_info=True)


_queue: queue.SimpleQueue[tuple[int, str]] | None = None
_queue_pid = 0
_queue_lock = threading.Lock()
_unpublished = 0  # scheduled, not yet handed to the broker (guarded by _queue_lock)


def _publisher() -> queue.SimpleQueue[tuple[int, str]]:
    """This process's publishing queue and thread (started on first use, again after a fork)."""
    global _queue, _queue_pid, _unpublished
    with _queue_lock:
        if _queue is None or _queue_pid != os.getpid():
            q: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()

            def run() -> None:
                global _unpublished
                while True:
                    outbox_id, channel = q.get()
                    try:
                        _publish(outbox_id, channel)
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


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def deliver(outbox_id: int, *, worker: str = "") -> str:
    """Deliver one row; returns its status afterwards (or IN_FLIGHT, "busy").
    Safe to call any number of times at once: a remote attempt holds a lease on the row, so
    exactly one attempt is in flight per row; the lease of a worker that died expires and the
    next call takes it over. Every attempt is recorded (OutboxAttempt)."""
    worker = worker or worker_name()
    with transaction.atomic():
        row = Outbox.objects.select_for_update(skip_locked=True).filter(pk=outbox_id).first()
        if row is None:
            return "busy"
        if row.status in (Outbox.Status.DELIVERED, Outbox.Status.DEAD):
            return row.status
        now = timezone.now()
        if row.claimed_until is not None:
            if row.claimed_until > now:
                return IN_FLIGHT
            _abandon(row, now)
        h = _HANDLERS.get(row.channel)
        if h is None:
            return _fail(row, NotConfigured(f"no handler for channel {row.channel}"))
        if h.local:
            # Local: the row lock is held through the handler's transaction; no lease needed.
            attempt = OutboxAttempt(outbox=row, worker=worker, started_at=now)
            sid = transaction.savepoint()
            try:
                receipt = h.func(row)
            except Exception as exc:  # noqa: BLE001 - recorded on the row, never lost
                transaction.savepoint_rollback(sid)
                _attempt_finish(attempt, exc)
                return _fail(row, exc)
            transaction.savepoint_commit(sid)
            _attempt_finish(attempt, None)
            return _done(row, receipt)
        target = h.target(row)
        lease = now + dt.timedelta(seconds=3 * target.timeout + settings.OUTBOX_LEASE_MARGIN_SECONDS)
        if not _breaker_admits(row, target, now, lease):
            return row.status
        row.attempts += 1
        row.claimed_until, row.claimed_by = lease, worker
        row.save(update_fields=["attempts", "claimed_until", "claimed_by"])
        attempt = OutboxAttempt.objects.create(outbox=row, worker=worker, started_at=now, lease_until=lease)
    # Remote: the network call happens outside any transaction, under the lease.
    error: Exception | None = None
    receipt = None
    try:
        receipt = h.func(row)
    except Exception as exc:  # noqa: BLE001 - recorded on the row and the attempt
        error = exc
    with transaction.atomic():
        row = Outbox.objects.select_for_update().get(pk=outbox_id)
        attempt.refresh_from_db()
        taken_over = attempt.finished_at is not None
        _attempt_finish(attempt, error, note=" (efter att leasen tagits över)" if taken_over else "")
        _breaker_record(row, target, error)
        if taken_over:
            # Another attempt holds the row now; a receipt we got is still true (the receiver de-duplicates).
            if error is None and row.status != Outbox.Status.DELIVERED:
                return _done(row, receipt, release=False)
            return row.status
        row.claimed_until, row.claimed_by = None, ""
        if row.status == Outbox.Status.DELIVERED:
            row.save(update_fields=["claimed_until", "claimed_by"])
            return row.status
        if error is None:
            return _done(row, receipt)
        return _fail(row, error, counted=True)


def _abandon(row: Outbox, now: dt.datetime) -> None:
    """The lease ran out: its worker died or hung past every time-out. Close its attempt, take over."""
    OutboxAttempt.objects.filter(outbox=row, finished_at__isnull=True).update(
        finished_at=now,
        result=OutboxAttempt.Result.ABANDONED,
        error=f"leasen gick ut {row.claimed_until:%Y-%m-%d %H:%M:%S} ({row.claimed_by})",
    )
    log.warning("outbox %s: lease of %s expired; taken over", row.pk, row.claimed_by)
    row.claimed_until, row.claimed_by = None, ""


def _attempt_finish(attempt: OutboxAttempt, exc: Exception | None, *, note: str = "") -> None:
    attempt.finished_at = timezone.now()
    if exc is None:
        attempt.result = OutboxAttempt.Result.DELIVERED
    elif isinstance(exc, NotConfigured):
        attempt.result = OutboxAttempt.Result.NOT_CONFIGURED
    elif isinstance(exc, PermanentFailure):
        attempt.result = OutboxAttempt.Result.PERMANENT
    else:
        attempt.result = OutboxAttempt.Result.TEMPORARY
    attempt.error = (f"{type(exc).__name__}: {exc}" if exc else "")[:2000] + note
    attempt.save()


def _breaker_admits(row: Outbox, target: Target, now: dt.datetime, lease: dt.datetime) -> bool:
    """Closed: go. Open: the row waits (visibly queued, no attempt counted) until the breaker
    half-opens. Half-open: this row probes the receiver; the others wait while it is in flight."""
    ep = OutboxEndpoint.objects.select_for_update().filter(key=target.key).first()
    if ep is None or ep.failures < settings.OUTBOX_BREAKER_FAILURES:
        return True
    if ep.open_until is not None and ep.open_until > now:
        row.next_attempt_at = max(row.next_attempt_at, ep.open_until)
        row.last_error = (
            f"Mottagaren svarar inte ({ep.failures} misslyckade försök i rad, senast: {ep.last_error[:200]}); "
            f"väntar till {timezone.localtime(ep.open_until):%H:%M:%S} innan nästa försök."
        )
        row.save(update_fields=["next_attempt_at", "last_error"])
        return False
    ep.open_until = lease
    ep.save(update_fields=["open_until", "updated_at"])
    return True


def _breaker_record(row: Outbox, target: Target, exc: Exception | None) -> None:
    if isinstance(exc, NotConfigured):
        return
    if exc is None or isinstance(exc, PermanentFailure):
        # The receiver answered (a rejection is an answer too): closed again.
        OutboxEndpoint.objects.filter(key=target.key).exclude(failures=0, open_until=None).update(
            failures=0, open_until=None, last_error="", updated_at=timezone.now()
        )
        return
    ep, _ = OutboxEndpoint.objects.select_for_update().get_or_create(key=target.key[:300], defaults={"channel": row.channel})
    ep.failures += 1
    ep.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if ep.failures >= settings.OUTBOX_BREAKER_FAILURES:
        ep.open_until = timezone.now() + dt.timedelta(seconds=settings.OUTBOX_BREAKER_OPEN_SECONDS)
        log.warning(
            "outbox: receiver %s open for %s s after %s failures", target.key, settings.OUTBOX_BREAKER_OPEN_SECONDS, ep.failures
        )
    ep.save()


def _done(row: Outbox, receipt: dict[str, Any] | None, *, release: bool = True) -> str:
    row.status = Outbox.Status.DELIVERED
    row.delivered_at = timezone.now()
    row.receipt = receipt or {}
    row.last_error = ""
    fields = ["status", "delivered_at", "receipt", "last_error"]
    if release:
        row.claimed_until, row.claimed_by = None, ""
        fields += ["claimed_until", "claimed_by"]
    row.save(update_fields=fields)
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
    row.claimed_until, row.claimed_by = None, ""
    row.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "claimed_until", "claimed_by"])
    log.info("outbox %s %s: %s", row.pk, row.status, row.last_error)
    return row.status


def due_rows(limit: int = 500) -> list[tuple[int, str]]:
    """What the sweep hands to the workers: due, and not held by a live lease."""
    now = timezone.now()
    return list(
        Outbox.objects.filter(status__in=[Outbox.Status.QUEUED, Outbox.Status.FAILED], next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", "channel")[:limit]
    )


def due_ids(limit: int = 500) -> list[int]:
    return [pk for pk, _ in due_rows(limit)]


def requeue(outbox_id: int) -> None:
    """Operator action: try a dead message again from scratch."""
    Outbox.objects.filter(pk=outbox_id).exclude(status=Outbox.Status.DELIVERED).update(
        status=Outbox.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
