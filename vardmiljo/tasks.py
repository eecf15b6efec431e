"""Core Celery tasks: outbox delivery and its sweep, audit partitions."""

from __future__ import annotations

from celery import shared_task

from vardmiljo import outbox


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_outbox(outbox_id: int) -> str:
    return outbox.deliver(outbox_id)


@shared_task(ignore_result=True)
def outbox_sweep() -> int:
    ids = outbox.due_ids()
    for pk in ids:
        outbox.schedule(pk)
    return len(ids)


@shared_task(ignore_result=True)
def audit_partitions_ahead(months: int = 3) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT vardmiljo_audit_partition((now() + make_interval(months => m))::date) FROM generate_series(0, %s) AS m",
            [months],
        )
