"""Settings of remisser, from the environment (read when used, so tests can change them).

REMISS_PRIORITY_DAYS   "akut=1,inom_2_veckor=14,inom_3_manader=90": days from sending to the due date
REMISS_ENDPOINT_<HSA>  endpoint of another system receiving for the unit with that HSA-id
                       (non-alphanumerics as "_", e.g. REMISS_ENDPOINT_SE5560000001_P000000000011)
REMISS_TIMEOUT[_<HSA>]  seconds one network operation towards another system may take (10)
REMISS_ESCALATION_REPEAT_HOURS  how often an overdue referral is escalated again (24)
"""

from __future__ import annotations

import os
import re

from django.core.exceptions import ImproperlyConfigured

from remisser.models import Priority

DEFAULT_DAYS = {Priority.AKUT.value: 1, Priority.TWO_WEEKS.value: 14, Priority.THREE_MONTHS.value: 90}


def priority_days() -> dict[str, int]:
    raw = os.environ.get("REMISS_PRIORITY_DAYS", "")
    days = dict(DEFAULT_DAYS)
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, _, value = part.partition("=")
        if key.strip() not in days or not value.strip().isdigit():
            raise ImproperlyConfigured(f"REMISS_PRIORITY_DAYS: bad entry {part!r}")
        days[key.strip()] = int(value)
    return days


def endpoint_env_name(hsa_id: str) -> str:
    return "REMISS_ENDPOINT_" + re.sub(r"[^A-Za-z0-9]", "_", hsa_id).upper()


def endpoint_for(hsa_id: str, configured: str = "") -> str:
    return configured or os.environ.get(endpoint_env_name(hsa_id), "")


def timeout_env_name(hsa_id: str) -> str:
    return "REMISS_TIMEOUT_" + re.sub(r"[^A-Za-z0-9]", "_", hsa_id).upper()


def timeout_for(hsa_id: str) -> float:
    """Seconds one network operation towards the unit's endpoint may take:
    REMISS_TIMEOUT_<HSA> for that receiver, else REMISS_TIMEOUT, else 10."""
    for name in (timeout_env_name(hsa_id), "REMISS_TIMEOUT"):
        raw = os.environ.get(name, "").strip()
        if raw:
            try:
                return float(raw)
            except ValueError:
                raise ImproperlyConfigured(f"{name} must be a number of seconds") from None
    return 10.0


def escalation_repeat_hours() -> int:
    raw = os.environ.get("REMISS_ESCALATION_REPEAT_HOURS", "24")
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured("REMISS_ESCALATION_REPEAT_HOURS must be an integer") from None
