"""The one function that writes the access log (åtkomstlogg).

Reads are recorded by the query that returns them, writes by the service that
makes them, in the same transaction. The row's time, sequence and hash are set
by the database (see sql/accesslog.sql).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection

if TYPE_CHECKING:
    from vardmiljo.actor import Actor

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
)
_INSERT = f"INSERT INTO vardmiljo_accesslog ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))}) RETURNING id"


def record(
    actor: Actor,
    action: str,
    *,
    patient: Any = None,
    obj: Any = None,
    ground: str = "system",
    reason: str = "",
    flagged: bool = False,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one row. `patient` is a Patient, a PatientAccess or an id."""
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
    assignment = actor.assignment
    unit = assignment.unit if assignment else None
    provider = unit.provider if unit else None
    object_type, object_id = "", ""
    if obj is not None:
        object_type = obj._meta.label_lower if hasattr(obj, "_meta") else type(obj).__name__
        object_id = str(getattr(obj, "pk", obj))
    staff = actor.staff
    row = (
        (staff.pk or 0) % settings.AUDIT_CHAINS,
        staff.pk,
        staff.hsa_id or "",
        (staff.get_full_name() or staff.username)[:200],
        assignment.pk if assignment else None,
        unit.pk if unit else None,
        unit.name if unit else "",
        provider.pk if provider else None,
        provider.name if provider else "",
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
    )
    with connection.cursor() as cur:
        cur.execute(_INSERT, row)
        return int(cur.fetchone()[0])
