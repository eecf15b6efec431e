from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from vardmiljo.identifiers import luhn_digit, make_personnummer, parse_personnummer, validate_hsa_id


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)), st.integers(0, 999))
def test_generated_personnummer_round_trips(birth: dt.date, serial: int) -> None:
    pnr = make_personnummer(birth, serial)
    parsed = parse_personnummer(pnr)
    assert parsed.value == pnr and parsed.birth_date == birth
    # Without century and with a dash, it parses to the same person (when under 100).
    if (dt.date.today() - birth).days < 99 * 365:
        assert parse_personnummer(f"{pnr[2:8]}-{pnr[8:]}").value == pnr


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)), st.integers(0, 999), st.integers(1, 9))
def test_wrong_check_digit_is_refused(birth: dt.date, serial: int, delta: int) -> None:
    pnr = make_personnummer(birth, serial)
    bad = pnr[:-1] + str((int(pnr[-1]) + delta) % 10)
    with pytest.raises(ValidationError) as exc:
        parse_personnummer(bad)
    assert exc.value.code == "check_digit"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)), st.integers(0, 999))
def test_samordningsnummer_is_day_plus_60(birth: dt.date, serial: int) -> None:
    yymmdd = f"{birth:%y%m}{birth.day + 60:02d}"
    s = f"{serial:03d}"
    raw = f"{birth:%Y}{yymmdd[2:]}{s}{luhn_digit(yymmdd + s)}"
    parsed = parse_personnummer(raw)
    assert parsed.kind == "samordningsnummer" and parsed.birth_date == birth


def test_invalid_date_says_so() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_personnummer("19990230-0000")
    assert exc.value.code == "date" and "datum" in exc.value.messages[0]


@given(st.text(max_size=40))
def test_hsa_validator_never_crashes(text: str) -> None:
    try:
        validate_hsa_id(text)
    except ValidationError:
        pass


def test_hsa_examples() -> None:
    validate_hsa_id("SE2321000131-E000000000001")
    for bad in ("SE232100013-E1", "XX2321000131-E1", "SE2321000131-" + "A" * 30, "SE2321000131E1"):
        with pytest.raises(ValidationError):
            validate_hsa_id(bad)
