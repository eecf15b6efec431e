"""Writes of integrations: import jobs and registry transfers.

The work itself lives in `legacy_import/` and `registries/`; these are the
entry points the commands, the admin and the Celery tasks call.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction

from integrations import legacy_import, registries
from integrations.legacy_import import runner
from integrations.models import ImportJob
from integrations.registries import transfer
from vardmiljo.models import Staff


def import_job_create(*, source: str, path: str | Path, source_system: str = "legacy", dry_run: bool = False,
                      created_by: Staff | None = None) -> ImportJob:
    return legacy_import.job_create(source=source, path=path, source_system=source_system, dry_run=dry_run,
                                    created_by=created_by)


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
