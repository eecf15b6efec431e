"""The slutenvård benchmark seeds and runs its scenarios (on a small hospital here;
`make bench` runs it at region size and prints the figures)."""

from __future__ import annotations

import pytest

from slutenvard import bench
from slutenvard.models import Bed, Stay, Ward
from vardmiljo import demo
from vardmiljo.bench import BenchContext

pytestmark = pytest.mark.django_db


def test_bench_seeds_and_every_scenario_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "WARDS", 3)
    monkeypatch.setattr(bench, "YEAR_DAYS", 20)
    monkeypatch.setattr(bench, "FLOW_BEDS", 30)
    ctx = BenchContext(demo=demo.seed_core(200, progress=lambda m: None), patients=200)
    bench.seed_bench(ctx)
    assert Ward.objects.filter(unit__name__startswith="Bench-avdelning").count() == 3
    assert Bed.objects.filter(ward__unit__name__startswith="Bench-avdelning").count() == 3 * bench.BEDS_PER_WARD
    assert Stay.objects.filter(ward__unit__name="Bench-avdelning 01", status="admitted").count() == 24
    assert Stay.objects.filter(status="discharged").count() > 3 * bench.BEDS_PER_WARD
    for s in bench.scenarios(ctx):
        if s.prepare:
            s.prepare(5)
        for i in range(5):
            r = s.run(i)
            assert r.status_code < 400, (s.name, r.content[:300])
    assert Stay.objects.filter(ward__unit__name="Bench-flöde B", status="discharged").count() == 5
