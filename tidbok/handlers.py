"""Outbox handler and periodic jobs of tidbok (imported by TidbokConfig.ready())."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from vardmiljo import outbox
from vardmiljo.celery import QUEUE_REMINDER, add_beat
from vardmiljo.models import Outbox


def _reminder_timeout() -> float:
    from tidbok import reminders

    return reminders.timeout_seconds()


@outbox.handler("reminder", local=False, queue=QUEUE_REMINDER, timeout=_reminder_timeout)
def deliver_reminder(row: Outbox) -> dict[str, Any]:
    from tidbok import reminders

    return reminders.send(row)


# Keep slots generated ahead every night; queue reminders every hour (no-op while reminders are off).
add_beat("tidbok-slots-generate", "tidbok.tasks.slots_generate_ahead", crontab(hour=2, minute=15))
add_beat("tidbok-reminders", "tidbok.tasks.reminders_enqueue", crontab(minute=5))
