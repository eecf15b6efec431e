"""NEWS2 scoring (issue 14, "Vital signs and NEWS2"): every band boundary of every
parameter, both SpO2 scales, risk, escalation and the monitoring frequency, against the
Royal College of Physicians' NEWS2 chart (2017)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from journal import news2

RR = [(0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3)]
SPO2_1 = [(50, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
# (spo2, on oxygen, points) on scale 2
SPO2_2 = [
    (50, False, 3),
    (83, False, 3),
    (83, True, 3),
    (84, False, 2),
    (85, True, 2),
    (86, False, 1),
    (87, True, 1),
    (88, False, 0),
    (88, True, 0),
    (92, True, 0),
    (92, False, 0),
    (93, False, 0),
    (97, False, 0),
    (100, False, 0),
    (93, True, 1),
    (94, True, 1),
    (95, True, 2),
    (96, True, 2),
    (97, True, 3),
    (100, True, 3),
]
SYSTOLIC = [(40, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3), (300, 3)]
PULSE = [(20, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3), (250, 3)]
TEMP = [
    ("30.0", 3),
    ("35.0", 3),
    ("35.1", 1),
    ("36.0", 1),
    ("36.1", 0),
    ("38.0", 0),
    ("38.1", 1),
    ("39.0", 1),
    ("39.1", 2),
    ("42.0", 2),
]
ACVPU = [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3)]


@pytest.mark.parametrize(("rate", "points"), RR)
def test_respiratory_rate_bands(rate: int, points: int) -> None:
    assert news2.score_respiratory_rate(rate) == points


@pytest.mark.parametrize(("spo2", "points"), SPO2_1)
@pytest.mark.parametrize("on_oxygen", [False, True])
def test_spo2_scale_1_bands_same_on_air_and_oxygen(spo2: int, points: int, on_oxygen: bool) -> None:
    assert news2.score_spo2(spo2, scale=1, on_oxygen=on_oxygen) == points


@pytest.mark.parametrize(("spo2", "on_oxygen", "points"), SPO2_2)
def test_spo2_scale_2_bands_with_the_on_oxygen_rules(spo2: int, on_oxygen: bool, points: int) -> None:
    assert news2.score_spo2(spo2, scale=2, on_oxygen=on_oxygen) == points


def test_spo2_scale_must_be_1_or_2() -> None:
    with pytest.raises(ValueError):
        news2.score_spo2(95, scale=3, on_oxygen=False)


@pytest.mark.parametrize(("on_oxygen", "points"), [(False, 0), (True, 2)])
def test_air_or_oxygen(on_oxygen: bool, points: int) -> None:
    assert news2.score_air_or_oxygen(on_oxygen) == points


@pytest.mark.parametrize(("systolic", "points"), SYSTOLIC)
def test_systolic_bands(systolic: int, points: int) -> None:
    assert news2.score_systolic(systolic) == points


@pytest.mark.parametrize(("pulse", "points"), PULSE)
def test_pulse_bands(pulse: int, points: int) -> None:
    assert news2.score_pulse(pulse) == points


@pytest.mark.parametrize(("acvpu", "points"), ACVPU)
def test_consciousness_new_confusion_scores_3(acvpu: str, points: int) -> None:
    assert news2.score_consciousness(acvpu) == points


@pytest.mark.parametrize(("temp", "points"), TEMP)
def test_temperature_bands(temp: str, points: int) -> None:
    assert news2.score_temperature(Decimal(temp)) == points


def test_temperature_is_charted_to_one_decimal() -> None:
    assert news2.score_temperature(Decimal("36.05")) == 0  # charted 36.1
    assert news2.score_temperature(Decimal("35.04")) == 3  # charted 35.0


def vitals(**kw: object) -> news2.Vitals:
    base: dict[str, object] = {
        "respiratory_rate": 16,
        "spo2": 97,
        "spo2_scale": 1,
        "on_oxygen": False,
        "systolic": 125,
        "pulse": 72,
        "consciousness": "A",
        "temperature": Decimal("36.8"),
    }
    base.update(kw)
    return news2.Vitals(**base)  # type: ignore[arg-type]


# (changes to a normal set, total, single 3, risk, escalate, minutes to next set)
TOTALS = [
    ({}, 0, False, "low", False, 720),
    ({"pulse": 95}, 1, False, "low", False, 240),
    ({"pulse": 95, "temperature": Decimal("38.5"), "spo2": 95, "systolic": 105}, 4, False, "low", False, 240),
    ({"consciousness": "C"}, 3, True, "low_medium", True, 60),
    ({"respiratory_rate": 25}, 3, True, "low_medium", True, 60),
    ({"on_oxygen": True, "spo2": 94, "pulse": 95, "temperature": Decimal("38.5")}, 5, False, "medium", True, 60),
    ({"on_oxygen": True, "spo2": 93, "respiratory_rate": 22}, 6, False, "medium", True, 60),
    ({"on_oxygen": True, "spo2": 93, "respiratory_rate": 22, "pulse": 95}, 7, False, "high", True, 15),
    (
        {
            "respiratory_rate": 30,
            "spo2": 88,
            "on_oxygen": True,
            "systolic": 85,
            "pulse": 140,
            "consciousness": "V",
            "temperature": Decimal("34.0"),
        },
        20,
        True,
        "high",
        True,
        15,
    ),
]


@pytest.mark.parametrize(("changes", "total", "single", "risk", "escalate", "minutes"), TOTALS)
def test_total_risk_escalation_and_next_due(
    changes: dict[str, object], total: int, single: bool, risk: str, escalate: bool, minutes: int
) -> None:
    result = news2.score(vitals(**changes))
    assert (result.score, result.single_three, result.risk, result.escalate, result.due_minutes) == (
        total,
        single,
        risk,
        escalate,
        minutes,
    )
    taken = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)
    assert news2.next_due(taken, result) == taken + dt.timedelta(minutes=minutes)


def test_scale_2_patient_on_air_at_95_scores_nothing_but_on_oxygen_scores_2() -> None:
    assert news2.score(vitals(spo2_scale=2, spo2=95)).score == 0
    # on oxygen: 2 for the oxygen and 2 for 95 % on scale 2
    assert news2.score(vitals(spo2_scale=2, spo2=95, on_oxygen=True)).score == 4


def test_monitoring_table_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS2_DUE_MINUTES", "0=480, 1-4=360")
    assert news2.score(vitals()).due_minutes == 480
    assert news2.score(vitals(pulse=95)).due_minutes == 360
    assert news2.score(vitals(consciousness="C")).due_minutes == 60


@pytest.mark.parametrize("raw", ["0=abc", "12h=60", "5-6", "7+=0"])
def test_a_bad_monitoring_table_stops_with_the_variable_named(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("NEWS2_DUE_MINUTES", raw)
    with pytest.raises(ImproperlyConfigured, match="NEWS2_DUE_MINUTES"):
        news2.score(vitals())
