"""The demo data and the bench scenarios run (small sizes)."""

from __future__ import annotations

import pytest

from remisser import bench
from remisser import demo as remiss_demo
from remisser.models import Referral
from vardmiljo import demo
from vardmiljo.bench import BenchContext

pytestmark = pytest.mark.django_db


def test_demo_has_referrals_in_many_states_and_is_idempotent() -> None:
    ctx = demo.seed_core(60, progress=lambda s: None)
    remiss_demo.seed(ctx)
    n = Referral.objects.count()
    remiss_demo.seed(ctx)
    assert Referral.objects.count() == n
    states = set(Referral.objects.values_list("status", flat=True))
    assert {"received", "accepted", "rejected", "completion_requested", "answered", "closed"} <= states
    assert Referral.objects.filter(owner_unit=ctx.units["priv"], status="received").exists()  # forwarded and received


def test_bench_scenarios_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "INBOX_SIZE", 60)
    ctx = BenchContext(demo=demo.seed_core(60, progress=lambda s: None), patients=60)
    bench.seed_bench(ctx)
    bench.seed_bench(ctx)
    assert Referral.objects.filter(owner_unit=ctx.demo.units["vc"]).count() == 60
    for s in bench.scenarios(ctx):
        if s.prepare:
            s.prepare(3)
        for i in range(3):
            resp = s.run(i)
            assert resp.status_code in (200, 302), (s.name, resp.status_code)
