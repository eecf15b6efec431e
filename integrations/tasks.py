"""Celery tasks of integrations: take ids or names, call a service."""

from __future__ import annotations

from celery import shared_task

from integrations import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def legacy_import_run(job_id: int) -> str:
    # acks_late: a worker killed mid-import gets the task again; the job resumes at its last batch.
    return services.import_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def registry_transfer_all() -> dict[str, int]:
    return services.registry_transfer_all()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def fhir_export_run(export_id: int) -> str:
    from integrations.fhir.export import export_run

    return export_run(export_id)


@shared_task(ignore_result=True)
def fhir_export_expire() -> int:
    from integrations.fhir.export import expire_old

    return expire_old()
