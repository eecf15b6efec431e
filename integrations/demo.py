"""Demo data: the sample HL7 ADT file and the sample journal export imported
as a migration would (patients Astrid Andersson and Nils Berg with imported
notes, a diabetes and a heart-failure diagnosis, measurements and an order),
then the registries' transfers queued in the outbox. With REGISTRY_NDR_URL
pointing at the simulated endpoint they are delivered once the server runs."""

from __future__ import annotations

from pathlib import Path

from integrations import registries, services
from integrations.legacy_import import runner
from integrations.models import ImportJob
from vardmiljo.demo import DemoContext

SAMPLES = Path(__file__).resolve().parent / "samples"


def seed(ctx: DemoContext) -> None:
    if ImportJob.objects.filter(source_system__in=["ELVIS", "Melior"], status=ImportJob.Status.DONE).exists():
        return
    from lakemedel.catalogue import ensure_sample

    ensure_sample()
    for source, name, system in (("hl7", "adt.hl7", "ELVIS"), ("jsonl", "journal.jsonl", "Melior")):
        job = services.import_job_create(source=source, path=SAMPLES / name, source_system=system)
        job = runner.run_job(job.pk)
        ctx.progress(f"  import {name}: {job.created_count} skapade, {job.error_count} fel (avsiktliga, se felrapporten)")
    for name in registries.names():
        summary = services.registry_transfer_run(registry=name)
        ctx.progress(f"  register {name}: {summary.queued} överföringar köade")
