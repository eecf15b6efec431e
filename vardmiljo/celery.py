"""The Celery app. Each app's tasks.py is discovered; beat jobs are listed here.

Queues (issue 13 item 2): one receiver that hangs must never delay another, so
outbox deliveries are routed by channel to a queue of their own kind, each
consumed by its own worker (`WORKERS`, started by `make run` and
docker-compose.yml). Everything else (imports, sweeps, beat jobs) uses the
default queue `celery`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vardmiljo.settings")

DEFAULT_QUEUE = "celery"
QUEUE_LOCAL = "outbox.local"  # handlers writing into this database (a referral to a unit here)
QUEUE_ERECEPT = "outbox.erecept"  # the national prescription service
QUEUE_REFERRAL = "outbox.referral"  # other systems' referral endpoints
QUEUE_REGISTRY = "outbox.registry"  # quality registries
QUEUE_REMINDER = "outbox.reminder"  # the SMS/e-mail gateway
QUEUE_HL7 = "outbox.hl7"  # HL7 v2 feeds (ADT) to the systems that stay
QUEUES = (DEFAULT_QUEUE, QUEUE_LOCAL, QUEUE_ERECEPT, QUEUE_REFERRAL, QUEUE_REGISTRY, QUEUE_REMINDER, QUEUE_HL7)


@dataclass(frozen=True)
class WorkerSpec:
    name: str
    queues: tuple[str, ...]
    pool: str
    concurrency: int

    def argv(self, *extra: str) -> list[str]:
        """The `celery` command line (without the program) that starts this worker."""
        return [
            "-A",
            "vardmiljo",
            "worker",
            "-Q",
            ",".join(self.queues),
            "-n",
            f"{self.name}@%h",
            "-P",
            self.pool,
            "-c",
            str(self.concurrency),
            *extra,
        ]


# Remote receivers wait on the network, not the CPU: a few threads each are cheap; a hung
# receiver holds only its own kind's threads (and its circuit breaker soon stops even that).
WORKERS = (
    WorkerSpec("jobb", (DEFAULT_QUEUE,), "prefork", 2),
    WorkerSpec("lokal", (QUEUE_LOCAL,), "threads", 2),
    WorkerSpec("erecept", (QUEUE_ERECEPT,), "threads", 4),
    WorkerSpec("remiss", (QUEUE_REFERRAL,), "threads", 4),
    WorkerSpec("register", (QUEUE_REGISTRY,), "threads", 4),
    WorkerSpec("paminnelse", (QUEUE_REMINDER,), "threads", 4),
    WorkerSpec("hl7", (QUEUE_HL7,), "threads", 2),
)

app = Celery("vardmiljo")
app.config_from_object("django.conf:settings", namespace="CELERY")
# A worker started without -Q consumes every queue (tests, a single-process set-up).
app.conf.task_queues = [Queue(q, routing_key=q) for q in QUEUES]
app.conf.task_default_queue = DEFAULT_QUEUE
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "outbox-sweep": {"task": "vardmiljo.tasks.outbox_sweep", "schedule": 30.0},
    "audit-partitions": {"task": "vardmiljo.tasks.audit_partitions_ahead", "schedule": crontab(hour=3, minute=0)},
}


def add_beat(name: str, task: str, schedule: object) -> None:
    """Apps add their periodic jobs from their AppConfig.ready()."""
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule}


def workers_answering(queue: str = DEFAULT_QUEUE, timeout: float = 2.0) -> list[str]:
    """The workers that consume `queue` and answer within `timeout` seconds (none when the
    broker cannot be reached): a command that hands work to a worker asks first."""
    try:
        replies = app.control.inspect(timeout=timeout).active_queues() or {}
    except Exception:  # noqa: BLE001 - broker down or unreachable: nobody will answer
        return []
    return sorted(name for name, queues in replies.items() if any(q.get("name") == queue for q in queues or ()))
