"""Tidbok's settings, read from the environment (with a Django setting of the
same name taking precedence, once the lead folds them into vardmiljo/settings.py)."""

from __future__ import annotations

import os

from django.conf import settings


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is not None:
        return int(value)
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from None


def care_guarantee_days() -> int:
    """Vårdgarantin: days from the decision (waiting-list entry) to the visit; 90 for specialist care."""
    return _int("TIDBOK_CARE_GUARANTEE_DAYS", 90)


def generate_weeks() -> int:
    """How many weeks ahead the nightly job keeps slots generated."""
    return _int("TIDBOK_GENERATE_WEEKS", 12)


def reminder_hours() -> int:
    """Reminders are queued this many hours before the visit."""
    return _int("TIDBOK_REMINDER_HOURS", 48)
