"""Bulk Data $export (FHIR Bulk Data Access 2.0): a Celery job writes one NDJSON file per
type; the client polls the status URL and fetches the files with its token until they
expire. Every exported patient is decided by the access module and logged once, with
the ground of the disclosure."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.fhir.models import BulkExport
from integrations.fhir.outcome import FhirError
from integrations.fhir.registry import REGISTRY, FhirRequest
from integrations.fhir.resources.clinical import RecordHandler
from integrations.fhir.resources.patient import patient_resource
from vardmiljo import audit
from vardmiljo.access import patient_access
from vardmiljo.actor import Actor
from vardmiljo.errors import NotFound
from vardmiljo.queries import RowFilter, visible_patient_ids

PAGE = 1000


def exportable() -> list[str]:
    """Patient and every type read page by page through a module query."""
    return ["Patient", *sorted(t for t, h in REGISTRY.items() if isinstance(h, RecordHandler))]


def export_dir(export: BulkExport) -> Path:
    return Path(settings.FHIR_EXPORT_DIR) / export.key


def expire_old(now: dt.datetime | None = None) -> int:
    """Delete the files of expired exports (the rows stay, as the record of what was disclosed)."""
    now = now or timezone.now()
    n = 0
    for export in BulkExport.objects.filter(expires_at__lte=now).exclude(output=[]):
        shutil.rmtree(export_dir(export), ignore_errors=True)
        BulkExport.objects.filter(pk=export.pk).update(output=[])
        n += 1
    return n


@transaction.atomic
def export_start(*, req: FhirRequest, level: str, types: list[str], since: dt.datetime | None, request_url: str) -> BulkExport:
    if req.actor.assignment is None:  # authenticate() gives every token one
        raise RuntimeError("invariant broken: req.actor.assignment is not None")
    export = BulkExport.objects.create(
        key=secrets.token_hex(16),
        access_token_client=req.actor.client,
        assignment=req.actor.assignment,
        staff=req.actor.staff,
        level=level,
        types=types,
        since=since,
        request_url=request_url,
    )
    audit.record(req.actor, "fhir.export.start", obj=export, detail={"types": types, "level": level})
    from integrations.tasks import fhir_export_run

    transaction.on_commit(lambda: fhir_export_run.delay(export.pk))
    return export


def _actor(export: BulkExport) -> Actor:
    return Actor(staff=export.staff, assignment=export.assignment, client=export.access_token_client)


def export_run(export_id: int) -> str:
    export = BulkExport.objects.select_related("staff", "assignment__unit__provider").get(pk=export_id)
    if export.status != BulkExport.Status.QUEUED:
        return export.status
    BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.Status.RUNNING)
    actor = _actor(export)
    out_dir = export_dir(export)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(export.types, 0)
    files = {t: (out_dir / f"{t}.ndjson").open("w", encoding="utf-8") for t in export.types}
    try:
        ids = visible_patient_ids(actor)
        BulkExport.objects.filter(pk=export.pk).update(patients_total=len(ids))
        for n, pid in enumerate(ids, 1):
            try:
                # The one access-log row of this patient's disclosure, with its ground.
                pa = patient_access(actor, pid, action="fhir.export", obj=export)
            except NotFound:
                continue
            for type_ in export.types:
                for resource in _resources(type_, pa, export.since):
                    files[type_].write(json.dumps(resource, ensure_ascii=False, default=str) + "\n")
                    counts[type_] += 1
            if n % 200 == 0:
                if BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.CANCELLED).exists():
                    raise InterruptedError
                BulkExport.objects.filter(pk=export.pk).update(patients_done=n)
    except InterruptedError:
        shutil.rmtree(out_dir, ignore_errors=True)
        return BulkExport.Status.CANCELLED
    except Exception as exc:
        BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.Status.FAILED, error=str(exc)[:2000])
        raise
    finally:
        for fh in files.values():
            fh.close()
    now = timezone.now()
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.Status.DONE,
        patients_done=len(ids),
        output=[{"type": t, "count": c} for t, c in counts.items()],
        finished_at=now,
        expires_at=now + dt.timedelta(hours=settings.FHIR_EXPORT_HOURS),
    )
    return BulkExport.Status.DONE


def _resources(type_: str, pa: Any, since: dt.datetime | None) -> Any:
    if type_ == "Patient":
        if since is None or (pa.patient.updated_at and pa.patient.updated_at >= since):
            yield patient_resource(pa.patient, None)  # no address in a bulk disclosure
        return
    handler = REGISTRY[type_]
    if not isinstance(handler, RecordHandler):  # an invariant of the code above
        raise RuntimeError("invariant broken: isinstance(handler, RecordHandler)")
    offset = 0
    while True:
        rows, total = handler.rows(pa, RowFilter(since=since, newest_first=False, offset=offset, limit=PAGE), {})
        for row in rows:
            yield handler.to_fhir(row)
        offset += PAGE
        if offset >= total:
            return


def export_for(req: FhirRequest, key: str) -> BulkExport:
    """The caller's own export (the same client in the same assignment); else not found."""
    export = BulkExport.objects.filter(
        key=key, access_token_client=req.actor.client, assignment_id=req.actor.assignment.pk if req.actor.assignment else 0
    ).first()
    if export is None or (export.expires_at and export.expires_at <= timezone.now()):
        raise FhirError(404, "not-found", "Exporten finns inte (eller har gått ut).")
    return export


def export_cancel(*, req: FhirRequest, key: str) -> None:
    export = export_for(req, key)
    BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.Status.CANCELLED, output=[])
    shutil.rmtree(export_dir(export), ignore_errors=True)
    audit.record(req.actor, "fhir.export.cancel", obj=export)
