from __future__ import annotations

from decimal import Decimal

import pytest

from lakemedel.dosage import render_dosage
from vardmiljo.errors import DomainError


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((1, "tablett", "regular", 2, "day", None), "1 tablett 2 gånger dagligen"),
        ((2, "tablett", "regular", 1, "day", None), "2 tabletter 1 gång dagligen"),
        ((Decimal("0.5"), "tablett", "regular", 1, "day", None), "0,5 tablett 1 gång dagligen"),
        ((1, "tablett", "prn", None, "day", 4), "1 tablett vid behov, högst 4 per dygn"),
        ((10, "ml", "regular", 3, "day", None), "10 ml 3 gånger dagligen"),
        ((70, "mg", "regular", 1, "week", None), "70 mg 1 gång i veckan"),
        ((2, "puff", "prn", None, "day", 8), "2 puffar vid behov, högst 8 per dygn"),
    ],
)
def test_dosage_reads_back_in_swedish(args: tuple, text: str) -> None:  # type: ignore[type-arg]
    assert render_dosage(*args) == text


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((1, "", "regular", 2, "day", None), "dose_unit"),  # dose without unit
        (("", "tablett", "regular", 2, "day", None), "dose"),
        (("abc", "tablett", "regular", 2, "day", None), "dose"),
        ((0, "tablett", "regular", 2, "day", None), "dose"),
        ((1, "tablett", "regular", None, "day", None), "times"),  # how often?
        ((1, "tablett", "regular", 40, "day", None), "times"),  # 40 times a day cannot be read
        ((1, "tablett", "prn", None, "day", None), "prn_max_per_day"),
        ((1, "tablett", "sometimes", 1, "day", None), "frequency"),
        ((1, "tablett", "regular", 1, "month", None), "period"),
        ((1, "skopa", "regular", 1, "day", None), "dose_unit"),
    ],
)
def test_unreadable_dosage_is_refused_in_swedish(args: tuple, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(DomainError) as exc:
        render_dosage(*args)
    assert exc.value.field == field
    assert any(w in exc.value.message for w in ("Ange", "Dos", "kan inte", "Vid behov", "Okänd", "enhet"))
