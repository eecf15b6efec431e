"""The Celery app. Each app's tasks.py is discovered; beat jobs are listed here."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vardmiljo.settings")

app = Celery("vardmiljo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "outbox-sweep": {"task": "vardmiljo.tasks.outbox_sweep", "schedule": 30.0},
    "audit-partitions": {"task": "vardmiljo.tasks.audit_partitions_ahead", "schedule": crontab(hour=3, minute=0)},
}


def add_beat(name: str, task: str, schedule: object) -> None:
    """Apps add their periodic jobs from their AppConfig.ready()."""
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule}
