"""Celery task: the day's bed figures are stored once a night (beat, from handlers.py)."""

from __future__ import annotations

from celery import shared_task

from slutenvard import reports


@shared_task(name="slutenvard.record_day_figures")
def record_day_figures() -> int:
    return len(reports.day_figures(record=True))
