"""manage.py legacy_import {hl7,jsonl,csv} FILE... [--dry-run] [--inline] [--source-system NAME]"""

from __future__ import annotations

import sys
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
        parser.add_argument(
            "--worker-timeout", type=float, default=3.0, help="sekunder att vänta på svar från en worker innan importen startar"
        )
        parser.add_argument("--no-input", action="store_true", help="fråga aldrig (avbryt i stället) när ingen worker svarar")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["inline"]:
            opts["inline"] = self._no_worker_run_here(opts)
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

    def _no_worker_run_here(self, opts: dict[str, Any]) -> bool:
        """Issue 13 item 9: with no worker the job would only wait, silently. Ask one to answer first;
        when none does, say so at once and offer to run here (interactive) or stop (otherwise)."""
        from vardmiljo.celery import DEFAULT_QUEUE, app, workers_answering

        if app.conf.task_always_eager or workers_answering(DEFAULT_QUEUE, timeout=opts["worker_timeout"]):
            return False
        msg = (
            f"Ingen Celery-worker svarar (väntade {opts['worker_timeout']:g} s på kön '{DEFAULT_QUEUE}'), så jobbet "
            "skulle bara vänta. Starta workern (make run startar den) eller kör importen här i förgrunden med --inline."
        )
        if opts["no_input"] or not sys.stdin.isatty():
            raise CommandError(msg)
        answer = input(f"{msg}\nKöra importen här nu (som --inline)? [j/N] ")
        if answer.strip().lower() in ("j", "ja", "y", "yes"):
            return True
        raise CommandError("Ingen import gjord.")

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
