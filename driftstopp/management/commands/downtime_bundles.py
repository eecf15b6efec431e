"""Write every unit's downtime bundle now (beat does it every DOWNTIME_INTERVAL_MINUTES)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from driftstopp.services import Written, bundles_write_all
from vardmiljo.models import CareUnit


class Command(BaseCommand):
    help = "Skriver driftstoppspaket för alla aktiva enheter (eller --unit HSA-id) och skriver ut hur lång tid det tog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", action="append", help="bara denna enhet (HSA-id); kan upprepas")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit_ids = None
        if opts["unit"]:
            unit_ids = list(CareUnit.objects.filter(hsa_id__in=opts["unit"]).values_list("pk", flat=True))
            if len(unit_ids) != len(set(opts["unit"])):
                self.stderr.write("Okänd enhet bland: " + ", ".join(opts["unit"]))
                raise SystemExit(2)
        total = len(unit_ids) if unit_ids is not None else CareUnit.objects.filter(active=True).count()
        started = time.perf_counter()
        failed: list[Written] = []
        with tqdm(total=total, unit="enhet", desc="Driftstoppspaket", disable=None) as bar:

            def progress(w: Written) -> None:
                if w.error:
                    failed.append(w)
                bar.update(1)

            done = bundles_write_all(progress=progress, unit_ids=unit_ids)
        seconds = time.perf_counter() - started
        patients = sum(w.patients for w in done)
        size = sum(w.bytes for w in done)
        self.stdout.write(
            f"downtime.bundles units={len(done)} failed={len(failed)} patients={patients} bytes={size} seconds={seconds:.1f}"
        )
        for w in failed:
            self.stderr.write(f"{w.unit.hsa_id} {w.unit.name}: {w.error}")
        if failed:
            raise SystemExit(1)
