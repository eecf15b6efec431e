"""Celery tasks of tidbok: they take ids (or nothing) and call a service."""

from __future__ import annotations

from celery import shared_task

from tidbok import conf, services
from vardmiljo.actor import system_actor


@shared_task(ignore_result=True)
def slots_generate_ahead(weeks: int = 0) -> int:
    return services.slots_generate(actor=system_actor("tidbok"), weeks=weeks or conf.generate_weeks())


@shared_task(ignore_result=True)
def reminders_enqueue() -> int:
    return services.reminders_enqueue_due(actor=system_actor("tidbok"))
