"""manage.py legacy_import_bench [--notes N] [--patients P]: generate a synthetic
journal export, import it inline and print `notes_per_s=<n>`. Run it on its own
database: VARDMILJO_DB_NAME=bench_integrations python manage.py migrate && … ."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from integrations import services
from integrations.legacy_import import runner, synthetic
from integrations.models import ImportJob
from vardmiljo.models import CareProvider, CareUnit

BENCH_UNIT_HSA = "SE2321000131-E000000000901"


class Command(BaseCommand):
    help = "Import benchmark: N synthetic notes through the journal-export import; prints notes_per_s."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--notes", type=int, default=100_000)
        parser.add_argument("--patients", type=int, default=0, help="default: notes / 20")
        parser.add_argument("--batch-size", type=int, default=runner.DEFAULT_BATCH_SIZE)
        parser.add_argument("--twice", action="store_true", help="import the same file again (idempotency check)")

    def handle(self, *args: Any, **opts: Any) -> None:
        provider = CareProvider.objects.get_or_create(hsa_id="SE2321000131-E000000000900", defaults={"name": "Importtest"})[0]
        CareUnit.objects.get_or_create(hsa_id=BENCH_UNIT_HSA, defaults={"name": "Importtest enhet", "provider": provider})
        notes = opts["notes"]
        patients = opts["patients"] or max(1, notes // 20)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"synthetic-{notes}.jsonl"
            t0 = time.perf_counter()
            synthetic.write_notes_file(path, notes=notes, patients=patients, unit_hsa=BENCH_UNIT_HSA)
            self.stdout.write(f"generated {notes} notes for {patients} patients in {time.perf_counter() - t0:.1f} s")
            runs = 2 if opts["twice"] else 1
            # A new source system per invocation: its records are new to the ledger, so every run measures inserts.
            source_system = f"bench-{int(time.time())}"
            for run in range(runs):
                job = services.import_job_create(source="jsonl", path=path, source_system=source_system)
                t0 = time.perf_counter()
                job = runner.run_job(job.pk, batch_size=opts["batch_size"])
                wall = time.perf_counter() - t0
                self._report(job, wall, run)

    def _report(self, job: ImportJob, wall: float, run: int) -> None:
        created = job.counts.get("note", 0)
        rate = int(created / wall) if wall and created else 0
        self.stdout.write(
            f"run={run + 1} job={job.pk} created={job.created_count} skipped={job.skipped_count} "
            f"errors={job.error_count} seconds={wall:.2f} records_per_s={int(job.records_seen / wall)}"
        )
        self.stdout.write(f"notes_per_s={rate}")
