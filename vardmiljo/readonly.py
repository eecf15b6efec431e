"""Read-only mode: when the database primary cannot be reached but a streaming replica
answers (DATABASE_REPLICA_URL), pages and the API serve reads from the replica instead of
failing, and refuse writes in Swedish.

- Each request asks `primary_up()` (the answer is kept for RECHECK_SECONDS, so an outage costs
  one connection attempt per process every few seconds, not one per request).
- While a request is served read-only, the ORM reads through `Router` and the prepared
  statements of `vardmiljo.db` use the replica's connection.
- The access log cannot be written to a replica: `audit.record` appends each row to a local
  spool file (one fsynced line per row) instead, and `flush_spool()` inserts the rows, with
  their original time, once the primary answers again (the first request that finds it up
  does so; `manage.py audit_spool` too). The database chains them as any row, so
  `audit_verify` proves the chains intact; a spool id makes a repeated flush harmless.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections, transaction

logger = logging.getLogger(__name__)

REPLICA = "replica"
RECHECK_SECONDS = 5.0

_state = threading.local()
_primary: dict[str, float | bool] = {"up": True, "checked": 0.0}
_primary_lock = threading.Lock()


def configured() -> bool:
    return REPLICA in settings.DATABASES


def active() -> bool:
    """Is this request (thread) being served from the replica?"""
    return getattr(_state, "active", False)


def activate() -> None:
    _state.active = True


def deactivate() -> None:
    _state.active = False


def alias() -> str:
    return REPLICA if active() else "default"


def primary_up(*, force: bool = False) -> bool:
    now = time.monotonic()
    with _primary_lock:
        if not force and now - float(_primary["checked"]) < RECHECK_SECONDS:
            return bool(_primary["up"])
    conn = connections["default"]
    try:
        conn.ensure_connection()
        if conn.connection is not None and conn.connection.closed:
            raise OperationalError("closed")
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
        up = True
    except Exception:  # noqa: BLE001 (any failure to reach the primary means: read from the replica)
        up = False
        try:
            conn.close()
        except Exception:  # noqa: BLE001, S110 (a broken connection may fail to close too)
            pass
    with _primary_lock:
        _primary.update(up=up, checked=time.monotonic())
    return up


def forget_primary_state() -> None:
    with _primary_lock:
        _primary.update(up=True, checked=0.0)


class Router:
    """ORM reads go to the replica while the request is served read-only."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if active() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA


# --- The access-log spool ------------------------------------------------------------------


def spool_path() -> Path:
    return Path(settings.AUDIT_SPOOL)


def spool(row: dict[str, Any]) -> None:
    """Append one access-log row to the local spool, durably, before the read is answered."""
    path = spool_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({**row, "spool_id": uuid.uuid4().hex}, default=str, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def pending() -> int:
    path = spool_path()
    if not path.exists():
        return 0
    with open(path, "rb") as fh:
        return sum(1 for _line in fh)


def flush_spool() -> int:
    """Insert the spooled rows into the access log (the primary must answer). Returns how many
    were inserted. A row already inserted by an earlier, interrupted flush is skipped."""
    path = spool_path()
    if not path.exists():
        return 0
    from vardmiljo import audit

    lock_path = path.with_suffix(".lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one flusher at a time, across processes
        if not path.exists():
            return 0
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        inserted = 0
        with transaction.atomic(using="default"):
            done = audit.spooled_ids(since=min((r["logged_at"] for r in rows), default="1970-01-01"))
            for row in rows:
                if row["spool_id"] in done:
                    continue
                audit.insert_spooled(row)
                inserted += 1
        path.unlink()
    return inserted


# --- The request path -----------------------------------------------------------------------

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_REFUSED = (
    "Systemet är i skrivskyddat läge: databasen går inte att nå, men en kopia kan läsas. "
    "Det du skrev har inte sparats. Anteckna på papper enligt reservrutinen och efterregistrera "
    "när systemet är tillbaka."
)


class ReadOnlyMiddleware:
    """Serves a request from the replica when the primary is down; refuses writes in Swedish.
    Sits right after SessionMiddleware: in read-only mode the session is read, never saved."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if not configured():
            return self.get_response(request)
        if primary_up():
            if pending():
                try:
                    flush_spool()
                except Exception:  # noqa: BLE001 (the next request tries again; the spool stays)
                    logger.warning("access-log spool not flushed yet (%s rows wait)", pending(), exc_info=True)
            return self.get_response(request)
        activate()
        try:
            request.read_only = True
            if request.method not in SAFE_METHODS:
                return _refuse(request)
            response = self.get_response(request)
            session = getattr(request, "session", None)
            if session is not None:
                session.modified = False  # the replica cannot take the session's renewal
            return response
        finally:
            deactivate()


def _refuse(request: Any) -> Any:
    from django.http import HttpResponse, JsonResponse
    from django.utils.html import escape

    if request.path.startswith(("/api/", "/fhir/")) or "json" in request.headers.get("Accept", ""):
        resp: Any = JsonResponse({"detail": WRITE_REFUSED, "code": "read_only"}, status=503)
    else:
        resp = HttpResponse(
            '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Skrivskyddat läge</title></head>'
            f'<body><main><h1>Skrivskyddat läge</h1><p>{escape(WRITE_REFUSED)}</p><p><a href="/">Till startsidan</a></p>'
            "</main></body></html>",
            status=503,
        )
    resp["Retry-After"] = "60"
    return resp
