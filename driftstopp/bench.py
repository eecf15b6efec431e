"""`make bench` scenario: every active unit's downtime bundle, written as the beat job does
(goal: 40 wards and 200 outpatient units within 60 s on the 2-core machine). The figure is
the whole run's time in ms; `manage.py downtime_bundles` prints the same on any database."""

from __future__ import annotations

import tempfile
import time
from types import SimpleNamespace
from typing import Any

from django.conf import settings

from driftstopp.services import bundles_write_all
from vardmiljo.bench import BenchContext, Scenario
from vardmiljo.models import CareUnit


def scenarios(ctx: BenchContext) -> list[Scenario]:
    target = tempfile.mkdtemp(prefix="vardmiljo-bench-driftstopp-")

    def all_units(i: int) -> Any:
        settings.DOWNTIME_DIR = target
        start = time.perf_counter()
        done = bundles_write_all()
        ms = (time.perf_counter() - start) * 1000
        failed = [w for w in done if w.error]
        print(
            f"  driftstopp: {len(done)} units ({CareUnit.objects.filter(active=True).count()} active), "
            f"{sum(w.patients for w in done)} patients, {sum(w.bytes for w in done) // 1024} KiB, {ms / 1000:.1f} s"
        )
        return SimpleNamespace(server_ms=ms, status_code=500 if failed else 200)

    return [Scenario(name="driftstopp.bundles_all", run=all_units, n=1)]
