"""Celery tasks of remisser: take ids (or nothing), call a service."""

from __future__ import annotations

from celery import shared_task

from remisser import services


@shared_task(ignore_result=True, acks_late=True)
def escalate_overdue() -> int:
    return services.referral_escalate_overdue()
