"""The one function that writes the access log (åtkomstlogg).

Reads are recorded by the query that returns them, writes by the service that
makes them, in the same transaction. The row's time, sequence and hash are set
by the database (see sql/accesslog.sql).
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from vardmiljo import db, readonly

if TYPE_CHECKING:
    from vardmiljo.actor import Actor, ResidentActor

_COLUMNS = (
    "chain",
    "staff_id",
    "staff_hsa_id",
    "staff_name",
    "assignment_id",
    "unit_id",
    "unit_name",
    "provider_id",
    "provider_name",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "ground",
    "reason",
    "flagged",
    "protected_patient",
    "client_ip",
    "detail",
    "patient_ids",
)
# patient_ids is cast so that the prepared statement's parameter type never depends on
# how large the ids in one list happen to be.
_INSERT = (
    f"INSERT INTO vardmiljo_accesslog ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * (len(_COLUMNS) - 1))}, %s::bigint[]) RETURNING id"
)


def record(
    actor: Actor | ResidentActor,
    action: str,
    *,
    patient: Any = None,
    obj: Any = None,
    ground: str = "system",
    reason: str = "",
    flagged: bool = False,
    detail: dict[str, Any] | None = None,
    patient_ids: list[int] | None = None,
) -> int:
    """Append one row. `patient` is a Patient, a PatientAccess or an id. `patient_ids`
    names every patient a list read showed (use access.record_list for lists)."""
    from vardmiljo.access import PatientAccess

    protected = False
    if isinstance(patient, PatientAccess):
        ground = patient.ground
        reason = reason or patient.reason
        flagged = flagged or patient.flagged
        patient = patient.patient
    patient_id = getattr(patient, "pk", patient)
    if patient is not None and hasattr(patient, "is_protected"):
        protected = patient.is_protected
    object_type, object_id = "", ""
    if obj is not None:
        object_type = obj._meta.label_lower if hasattr(obj, "_meta") else type(obj).__name__
        object_id = str(getattr(obj, "pk", obj))
    # Who acted: a member of staff in an assignment, or a resident in the e-services (no staff,
    # unit or provider; chained by the resident's own id).
    who: tuple[Any, ...]
    if actor.staff is None:
        resident = getattr(actor, "patient", None)
        chain_key = resident.pk if resident else 0
        who = (None, "", (resident.full_name if resident else "Invånare")[:200], None, None, "", None, "")
        detail = {**(detail or {}), "resident_id": resident.pk if resident else None}
    else:
        assignment = actor.assignment
        unit = assignment.unit if assignment else None
        provider = unit.provider if unit else None
        staff = actor.staff
        chain_key = staff.pk or 0
        who = (
            staff.pk,
            staff.hsa_id or "",
            (staff.get_full_name() or staff.username)[:200],
            assignment.pk if assignment else None,
            unit.pk if unit else None,
            unit.name if unit else "",
            provider.pk if provider else None,
            provider.name if provider else "",
        )
        if actor.client:
            detail = {**(detail or {}), "client": actor.client}
    row = (
        chain_key % settings.AUDIT_CHAINS,
        *who,
        action[:60],
        object_type[:60],
        object_id[:60],
        patient_id,
        ground,
        reason,
        flagged,
        protected,
        actor.client_ip,
        json.dumps(detail or {}, default=str),
        patient_ids or None,
    )
    if readonly.active():
        # Served from the replica: the row waits in the local spool (durably) for the primary.
        readonly.spool({**dict(zip(_COLUMNS, row, strict=True)), "logged_at": timezone.now().isoformat()})
        return 0
    with db.cursor() as cur:  # prepared: it runs on every request
        cur.execute(_INSERT, row)
        return int(cur.fetchone()[0])


_INSERT_SPOOLED = (
    f"INSERT INTO vardmiljo_accesslog (logged_at, {', '.join(_COLUMNS)}) "
    f"VALUES (%s, {', '.join(['%s'] * (len(_COLUMNS) - 1))}, %s::bigint[])"
)


def spooled_ids(*, since: str) -> set[str]:
    """Spool ids of rows already inserted (by an earlier flush that was interrupted)."""
    with connection.cursor() as cur:
        cur.execute("SELECT detail->>'spool_id' FROM vardmiljo_accesslog WHERE detail ? 'spool_id' AND logged_at >= %s", [since])
        return {r[0] for r in cur.fetchall()}


def insert_spooled(row: dict[str, Any]) -> None:
    """A row written to the spool during read-only mode, with its original time; its detail
    says so (and carries the spool id that makes a repeated flush harmless)."""
    detail = {**json.loads(row["detail"] or "{}"), "spool_id": row["spool_id"], "read_only_mode": True}
    values = [row["logged_at"], *(json.dumps(detail, default=str) if c == "detail" else row[c] for c in _COLUMNS)]
    with connection.cursor() as cur:
        cur.execute(_INSERT_SPOOLED, values)


# Refusals recorded inside a transaction that may yet roll back: a refused write raises
# NotFound inside the write's own transaction, and the rollback would take the row with it.
_refusals = threading.local()


def record_refusal(actor: Actor | ResidentActor, action: str, **kwargs: Any) -> int:
    """Record a refused access, and make sure it outlives the caller's transaction."""
    row_id = record(actor, action, **kwargs)
    if connection.in_atomic_block:
        pending: list[tuple[int, Actor | ResidentActor, str, dict[str, Any]]] = _refusals.__dict__.setdefault("rows", [])
        pending.append((row_id, actor, action, kwargs))
    return row_id


def keep_refusals() -> int:
    """At the end of a request: record again each refusal whose row a rollback removed.
    Returns how many were recorded again."""
    pending = _refusals.__dict__.pop("rows", [])
    if not pending:
        return 0
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM vardmiljo_accesslog WHERE id = ANY(%s)", [[row_id for row_id, *_ in pending]])
        kept = {r[0] for r in cur.fetchall()}
    lost = [(actor, action, kwargs) for row_id, actor, action, kwargs in pending if row_id not in kept]
    for actor, action, kwargs in lost:
        record(actor, action, **kwargs)
    return len(lost)


def forget_refusals() -> None:
    _refusals.__dict__.pop("rows", None)
