"""NEWS2 (National Early Warning Score 2, Royal College of Physicians 2017).

Pure functions, no database: the score of one set of vital signs, its clinical risk,
whether it must be escalated and when the next set is due. The bands below are the
published NEWS2 chart, parameter by parameter, each written as (upper bound, points)
so that the tests can walk every boundary.

SpO2 scale 2 is for patients with hypercapnic respiratory failure and a prescribed
target of 88–92 % only (a clinician's decision, recorded with the set); on scale 2 a
saturation of 93 % or more scores 0 on air and 1–3 on oxygen.

The monitoring frequency is a table that a region may change (environment variable
`NEWS2_DUE_MINUTES`, e.g. `0=720,1-4=240,3-single=60,5-6=60,7+=15`), read when used.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# (inclusive upper bound, points); the last band has no bound.
RESPIRATORY_RATE = ((8, 3), (11, 1), (20, 0), (24, 2), (None, 3))
SPO2_SCALE_1 = ((91, 3), (93, 2), (95, 1), (None, 0))
# Scale 2 below the target range, the same on air and oxygen.
SPO2_SCALE_2_LOW = ((83, 3), (85, 2), (87, 1), (92, 0))
# Scale 2 from 93 %: on oxygen only (on air it scores 0).
SPO2_SCALE_2_ON_OXYGEN = ((94, 1), (96, 2), (None, 3))
AIR_OR_OXYGEN = {False: 0, True: 2}
SYSTOLIC = ((90, 3), (100, 2), (110, 1), (219, 0), (None, 3))
PULSE = ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (None, 3))
TEMPERATURE = ((Decimal("35.0"), 3), (Decimal("36.0"), 1), (Decimal("38.0"), 0), (Decimal("39.0"), 1), (None, 2))
# ACVPU: alert scores 0; new confusion, voice, pain, unresponsive score 3.
CONSCIOUSNESS = {"A": 0, "C": 3, "V": 3, "P": 3, "U": 3}
CONSCIOUSNESS_LABELS = {
    "A": _("A – vaken"),
    "C": _("C – nytillkommen förvirring"),
    "V": _("V – reagerar på tilltal"),
    "P": _("P – reagerar på smärta"),
    "U": _("U – reagerar inte"),
}


class Risk:
    LOW = "low"
    LOW_MEDIUM = "low_medium"
    MEDIUM = "medium"
    HIGH = "high"


RISK_LABELS = {
    Risk.LOW: _("låg"),
    Risk.LOW_MEDIUM: _("låg–medel"),
    Risk.MEDIUM: _("medel"),
    Risk.HIGH: _("hög"),
}

# The RCP's minimum monitoring frequency; "1–4: 4–6 h" is taken as 4 h and
# "continuous" as a new set every 15 minutes. Keys are the frequency's rows.
DEFAULT_DUE_MINUTES = {"0": 720, "1-4": 240, "3-single": 60, "5-6": 60, "7+": 15}


def _band(value: int | Decimal, bands: tuple[tuple[int | Decimal | None, int], ...]) -> int:
    for upper, points in bands:
        if upper is None or value <= upper:
            return points
    raise AssertionError("the last band is open")  # pragma: no cover


def score_respiratory_rate(rate: int) -> int:
    return _band(rate, RESPIRATORY_RATE)


def score_spo2(spo2: int, *, scale: int, on_oxygen: bool) -> int:
    if scale == 1:
        return _band(spo2, SPO2_SCALE_1)
    if scale != 2:
        raise ValueError("SpO2 scale is 1 or 2")
    if spo2 <= 92:
        return _band(spo2, SPO2_SCALE_2_LOW)
    return _band(spo2, SPO2_SCALE_2_ON_OXYGEN) if on_oxygen else 0


def score_air_or_oxygen(on_oxygen: bool) -> int:
    return AIR_OR_OXYGEN[bool(on_oxygen)]


def score_systolic(systolic: int) -> int:
    return _band(systolic, SYSTOLIC)


def score_pulse(pulse: int) -> int:
    return _band(pulse, PULSE)


def score_consciousness(acvpu: str) -> int:
    return CONSCIOUSNESS[acvpu]


def score_temperature(temperature: Decimal) -> int:
    # One decimal, as charted: 36.05 is charted 36.1.
    return _band(Decimal(temperature).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), TEMPERATURE)


@dataclass(frozen=True)
class Vitals:
    """One set (one time point) of the parameters NEWS2 scores."""

    respiratory_rate: int
    spo2: int
    spo2_scale: int
    on_oxygen: bool
    systolic: int
    pulse: int
    consciousness: str
    temperature: Decimal


@dataclass(frozen=True)
class News2:
    score: int
    parts: dict[str, int]
    single_three: bool
    risk: str
    escalate: bool
    due_minutes: int

    @property
    def risk_label(self) -> str:
        return str(RISK_LABELS[self.risk])


def score(v: Vitals) -> News2:
    parts = {
        "respiratory_rate": score_respiratory_rate(v.respiratory_rate),
        "spo2": score_spo2(v.spo2, scale=v.spo2_scale, on_oxygen=v.on_oxygen),
        "air_or_oxygen": score_air_or_oxygen(v.on_oxygen),
        "systolic": score_systolic(v.systolic),
        "pulse": score_pulse(v.pulse),
        "consciousness": score_consciousness(v.consciousness),
        "temperature": score_temperature(v.temperature),
    }
    total = sum(parts.values())
    single_three = any(p == 3 for p in parts.values())
    return News2(
        score=total,
        parts=parts,
        single_three=single_three,
        risk=risk(total, single_three),
        escalate=total >= 5 or single_three,
        due_minutes=due_minutes(total, single_three),
    )


def risk(total: int, single_three: bool) -> str:
    if total >= 7:
        return Risk.HIGH
    if total >= 5:
        return Risk.MEDIUM
    if single_three:
        return Risk.LOW_MEDIUM
    return Risk.LOW


def due_minutes(total: int, single_three: bool, table: dict[str, int] | None = None) -> int:
    """Minutes until the next set is due: the shortest interval any row of the table asks for."""
    t = table or monitoring_table()
    if total >= 7:
        row = "7+"
    elif total >= 5:
        row = "5-6"
    elif total >= 1:
        row = "1-4"
    else:
        row = "0"
    minutes = t[row]
    if single_three:
        minutes = min(minutes, t["3-single"])
    return minutes


def next_due(taken_at: dt.datetime, result: News2) -> dt.datetime:
    return taken_at + dt.timedelta(minutes=result.due_minutes)


def monitoring_table() -> dict[str, int]:
    return _parse_table(os.environ.get("NEWS2_DUE_MINUTES", ""))


@lru_cache(maxsize=8)
def _parse_table(raw: str) -> dict[str, int]:
    table = dict(DEFAULT_DUE_MINUTES)
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in table or not value.strip().isdigit() or int(value) <= 0:
            raise ImproperlyConfigured(
                f"NEWS2_DUE_MINUTES: '{part}' is not <row>=<minutes> with row one of {', '.join(DEFAULT_DUE_MINUTES)}"
            )
        table[key] = int(value)
    return table
