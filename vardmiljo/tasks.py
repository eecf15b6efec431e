"""Core Celery tasks: outbox delivery and its sweep, audit partitions."""

from __future__ import annotations

from celery import Task, shared_task

from vardmiljo import outbox


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_outbox(self: Task, outbox_id: int) -> str:
    return outbox.deliver(outbox_id, worker=f"{self.request.hostname or '-'}:{outbox.worker_name()}")


@shared_task(ignore_result=True)
def outbox_sweep() -> int:
    """Rows due and not in flight (a live lease means an attempt is under way: not again)."""
    rows = outbox.due_rows()
    for pk, channel in rows:
        outbox.schedule(pk, channel)
    return len(rows)


@shared_task(ignore_result=True)
def audit_partitions_ahead(months: int = 3) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT vardmiljo_audit_partition((now() + make_interval(months => m))::date) FROM generate_series(0, %s) AS m",
            [months],
        )
