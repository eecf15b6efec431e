"""manage.py legacy_import {hl7,jsonl,csv} FILE... [--dry-run] [--inline] [--source-system NAME]"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from integrations import services
from integrations.legacy_import import runner
from integrations.models import ImportJob
from vardmiljo.errors import DomainError


class Command(BaseCommand):
    help = (
        "Importera från tidigare system. SOURCE: hl7 (HL7 v2 ADT A04/A08/A40), jsonl eller csv (journalexport). "
        "Körs av en Celery-worker (direkt i processen när ingen broker finns) eller med --inline här. "
        "Samma fil två gånger ändrar ingenting; ett avbrutet jobb fortsätter från sista bekräftade omgång."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=["hl7", "jsonl", "csv"])
        parser.add_argument("files", nargs="+")
        parser.add_argument("--dry-run", action="store_true", help="kontrollera bara; inget skrivs")
        parser.add_argument("--inline", action="store_true", help="kör i denna process i stället för i en worker")
        parser.add_argument("--source-system", default="legacy", help="källsystemets namn (sparas på importerade poster)")
        parser.add_argument("--batch-size", type=int, default=runner.DEFAULT_BATCH_SIZE)
        parser.add_argument("--timeout", type=float, default=24 * 3600, help="sekunder att vänta på workern")

    def handle(self, *args: Any, **opts: Any) -> None:
        for name in opts["files"]:
            try:
                job = services.import_job_create(
                    source=opts["source"], path=name, source_system=opts["source_system"], dry_run=opts["dry_run"]
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
            if job.lines_done:
                self.stdout.write(f"Återupptar jobb {job.pk} efter rad {job.lines_done}.")
            job = self._run(job, opts)
            self._report(job)

    def _run(self, job: ImportJob, opts: dict[str, Any]) -> ImportJob:
        bar = tqdm(
            total=job.lines_total or None,
            initial=job.lines_done,
            unit="rad",
            desc=job.file_name.rsplit("/", 1)[-1],
            disable=opts.get("verbosity", 1) < 1,
        )
        try:
            if opts["inline"]:

                def progress(done: int) -> None:
                    bar.update(done - bar.n)

                try:
                    return runner.run_job(job.pk, batch_size=opts["batch_size"], progress=progress)
                except runner.JobBusy as exc:
                    raise CommandError(str(exc)) from None
                except Exception as exc:  # noqa: BLE001 - reported with how to resume
                    raise CommandError(f"Jobb {job.pk} avbröts: {exc}. Kör samma kommando igen för att fortsätta.") from None
            from integrations.tasks import legacy_import_run

            legacy_import_run.delay(job.pk)
            job.refresh_from_db()
            if job.status != ImportJob.Status.DONE:
                self.stdout.write(f"Jobb {job.pk} körs av en Celery-worker. Ctrl-C slutar vänta; jobbet fortsätter.")
            deadline = time.monotonic() + opts["timeout"]
            try:
                while True:
                    job.refresh_from_db()
                    bar.update(job.lines_done - bar.n)
                    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED) or time.monotonic() > deadline:
                        return job
                    time.sleep(0.5)
            except KeyboardInterrupt:
                return job
        finally:
            bar.close()

    def _report(self, job: ImportJob) -> None:
        w = self.stdout.write
        w(
            f"jobb={job.pk} status={job.status} poster={job.records_seen} skapade={job.created_count} "
            f"uppdaterade={job.updated_count} redan_importerade={job.skipped_count} fel={job.error_count} "
            f"per_typ={job.counts} tid={job.seconds:.1f}s" + (" (endast kontroll)" if job.dry_run else "")
        )
        for err in job.errors.all()[:50]:
            w(f"  rad {err.line}: {err.reason}")
        if job.error_count > 50:
            w(f"  … och {job.error_count - 50} fel till (Django admin: Importjobb {job.pk}).")
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(f"Jobb {job.pk} avbröts: {job.last_error}. Kör samma kommando igen för att fortsätta.")
        if job.status != ImportJob.Status.DONE:
            w(f"Jobb {job.pk} pågår fortfarande i workern ({job.lines_done}/{job.lines_total} rader).")
        w(f"notes_per_s={job.notes_per_s}")
