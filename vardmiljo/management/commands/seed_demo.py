from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vardmiljo import demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent). --patients N scales with bulk inserts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=1000)

    def handle(self, *args: Any, **opts: Any) -> None:
        t0 = time.perf_counter()
        ctx = demo.seed(opts["patients"], progress=lambda m: self.stdout.write(m))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demodata klar: {len(ctx.patient_ids)} patienter på {time.perf_counter() - t0:.1f} s. "
                f"Inloggning: anna.lakare, bo.sjukskoterska, cecilia.lakare, david.lakare, eva.admin (lösenord {demo.PASSWORD})"
            )
        )
