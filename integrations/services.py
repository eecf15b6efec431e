"""Writes of integrations: import jobs and registry transfers.

The work itself lives in `legacy_import/` and `registries/`; these are the
entry points the commands, the admin and the Celery tasks call.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from integrations import legacy_import, registries
from integrations.legacy_import import runner
from integrations.models import ImportJob, RegistryTransfer
from integrations.registries import transfer
from vardmiljo import audit
from vardmiljo.access import patient_access, resident_access
from vardmiljo.actor import Actor, ResidentActor
from vardmiljo.errors import DomainError
from vardmiljo.models import Patient, Staff


def import_job_create(
    *, source: str, path: str | Path, source_system: str = "legacy", dry_run: bool = False, created_by: Staff | None = None
) -> ImportJob:
    return legacy_import.job_create(source=source, path=path, source_system=source_system, dry_run=dry_run, created_by=created_by)


def import_job_run(*, job_id: int, batch_size: int = runner.DEFAULT_BATCH_SIZE) -> str:
    try:
        return runner.run_job(job_id, batch_size=batch_size).status
    except runner.JobBusy:
        return "busy"  # a redelivered task while the first run goes on: that run finishes the job


def import_job_start(*, job: ImportJob, inline: bool = False) -> None:
    """Run in a Celery worker after commit (eager when there is no broker), or here and now."""
    if inline:
        runner.run_job(job.pk)
        return
    from integrations.tasks import legacy_import_run

    transaction.on_commit(lambda: legacy_import_run.delay(job.pk))


def registry_transfer_run(*, registry: str, since: dt.date | None = None, dry_run: bool = False) -> transfer.Summary:
    return transfer.run(registry, since=since, dry_run=dry_run)


def registry_transfer_all() -> dict[str, int]:
    return {name: transfer.run(name).queued for name in registries.names()}


@transaction.atomic
def registry_objection_set(*, actor: Actor | ResidentActor, patient_id: int, objection: bool, patient_statement: str) -> Patient:
    """PDL 7 kap. 2 §: the patient objects to (or withdraws the objection to)
    registration in quality registries. An objection stops every transfer not
    yet delivered, now and at delivery. Staff record it at the patient's request; a
    resident makes it themselves in the e-services (through vardmiljo.registry)."""
    if isinstance(actor, ResidentActor):
        pa = resident_access(actor, patient_id, action="registry.objection", write=True)
    else:
        pa = patient_access(actor, patient_id, action="registry.objection", write=True)
    statement = (patient_statement or "").strip()
    if not statement:
        raise DomainError(
            _("Ange patientens besked; invändningen registreras bara på patientens begäran."), field="patient_statement"
        )
    patient = Patient.objects.select_for_update().get(pk=pa.patient_id)
    if patient.registry_objection == objection:
        raise DomainError(
            _("Patienten motsätter sig redan registrering.") if objection else _("Patienten har ingen invändning att återkalla.")
        )
    patient.registry_objection = objection
    patient.save(update_fields=["registry_objection", "updated_at"])
    cancelled = 0
    if objection:
        cancelled = RegistryTransfer.objects.filter(patient=patient, status=RegistryTransfer.Status.QUEUED).update(
            status=RegistryTransfer.Status.CANCELLED
        )
    audit.record(
        actor,
        "registry.objection.set" if objection else "registry.objection.withdrawn",
        patient=pa,
        obj=patient,
        reason=statement,
        detail={"cancelled_transfers": cancelled},
    )
    return patient


@transaction.atomic
def identity_merge(*, actor: Actor, old_identifier: str, survivor_identifier: str) -> dict[str, int]:
    """A temporary identity (a reservnummer given during a downtime, a legacy number) merged into
    the real one, as HL7 A40 does: the record follows the person. Logged on the survivor."""
    from django.core.exceptions import ValidationError

    from integrations.legacy_import.hl7adt import merge_identity
    from vardmiljo.access import Ground
    from vardmiljo.identifiers import parse_patient_id

    try:
        old_id, survivor_id = parse_patient_id(old_identifier).value, parse_patient_id(survivor_identifier).value
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from None
    found = {p.identifier: p for p in Patient.objects.select_for_update().filter(identifier__in=[old_id, survivor_id])}
    old, survivor = found.get(old_id), found.get(survivor_id)
    if old is None or survivor is None or old_id == survivor_id:
        raise DomainError(_("Hittar inte båda identiteterna, eller så är de samma."))
    if survivor.merged_into_id:
        raise DomainError(_("Den kvarstående identiteten är själv sammanslagen med en annan."))
    moved = merge_identity(old=old, survivor=survivor)
    audit.record(actor, "patient.merge", patient=survivor, ground=Ground.ADMINISTRATION, detail={"from": old.pk, "moved": moved})
    return moved
