"""Seed a benchmark database at scale and time each scenario through the full
request path. Run it on its own database: `make bench` sets
VARDMILJO_DB_NAME=vardmiljo_bench (embedded) so demo data is not touched."""

from __future__ import annotations

import gc
import time
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vardmiljo import demo
from vardmiljo.bench import BenchContext, Scenario, percentile


class Command(BaseCommand):
    help = "Benchmark: prints `<scenario> n=<requests> p50=<ms> p95=<ms> p99=<ms>` per scenario."

    def add_arguments(self, parser: CommandParser) -> None:
        import os

        parser.add_argument("--patients", type=int, default=int(os.environ.get("BENCH_PATIENTS", "100000")))
        parser.add_argument("--only", default="", help="comma-separated scenario name prefixes")
        parser.add_argument("-n", type=int, default=0, help="requests per scenario (default: each scenario's own)")
        parser.add_argument("--skip-seed", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        t0 = time.perf_counter()
        # The benchmark has its own database: a fresh machine has no tables there yet.
        call_command("migrate", verbosity=0)
        ctx = BenchContext(demo=demo.seed_core(opts["patients"], progress=self.stdout.write), patients=opts["patients"])
        modules = [import_module(f"{app}.bench") for app in demo.CLINICAL_APPS if find_spec(f"{app}.bench")]
        if not opts["skip_seed"]:
            for m in modules:
                if hasattr(m, "seed_bench"):
                    self.stdout.write(f"seed {m.__name__} …")
                    m.seed_bench(ctx)
        self.stdout.write(f"seeded in {time.perf_counter() - t0:.1f} s")
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        only = [p for p in opts["only"].split(",") if p]
        scenarios: list[Scenario] = [s for m in modules for s in m.scenarios(ctx)]
        scenarios = [s for s in scenarios if not only or any(s.name.startswith(p) for p in only)]
        if not scenarios:
            raise CommandError("no scenarios")
        for s in scenarios:
            n = opts["n"] or s.n
            if s.prepare:
                s.prepare(n)
            for i in range(min(10, n)):  # warm caches and connections
                s.run(i)
            # As in a server process (vardmiljo.wsgi): what is loaded by now stays, and the
            # collector need not walk it (here that includes the benchmark's own data).
            gc.collect()
            gc.freeze()
            times: list[float] = []
            round_trips: list[float] = []
            for i in range(n):
                start = time.perf_counter()
                resp = s.run(i)
                round_trips.append((time.perf_counter() - start) * 1000)
                times.append(resp.server_ms)
                if resp.status_code >= 400:
                    raise CommandError(f"{s.name}: request {i} answered {resp.status_code}")
            times.sort()
            round_trips.sort()
            self.stdout.write(
                f"{s.name} n={n} p50={percentile(times, 50):.1f} p95={percentile(times, 95):.1f} "
                f"p99={percentile(times, 99):.1f} rt95={percentile(round_trips, 95):.1f}"
            )
