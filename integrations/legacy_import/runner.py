"""Runs an import job batch by batch.

Each batch commits in one transaction together with the job's progress
(`lines_done`), its error rows and one access-log row, so a crash loses at
most the batch in flight and a resumed run continues right after the last
committed batch. Records themselves are idempotent through the
`ImportedRecord` ledger, so even a run from the start changes nothing twice.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, transaction
from django.utils import timezone

from integrations.models import ImportErrorRow, ImportJob
from vardmiljo import audit
from vardmiljo.actor import Actor, system_actor
from vardmiljo.models import CareUnit

DEFAULT_BATCH_SIZE = 5000


@dataclass(frozen=True)
class Item:
    """One record of the file: a JSON line, or an HL7 message (line of its MSH)."""

    line: int
    text: str


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    # Extra facts for the batch's access-log row (e.g. care relationships created).
    detail: dict[str, Any] = field(default_factory=dict)

    def error(self, item: Item, reason: str) -> None:
        # The report is stored as text: a NUL from the file is shown, not stored (PostgreSQL refuses it).
        excerpt = item.text.replace("\r", " | ").replace("\x00", "\\x00")[:200]
        self.errors.append((item.line, reason.replace("\x00", "\\x00"), excerpt))


@dataclass
class JobContext:
    job: ImportJob
    actor: Actor
    dry_run: bool
    units: dict[str, int]
    # Per-run state a format may keep between batches (e.g. what a dry run would have registered).
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.job.source_system


class Format(Protocol):
    def items(self, path: Path) -> Iterator[Item]: ...

    def prepare(self, ctx: JobContext, items: list[Item]) -> Any:
        """CPU-only work on a batch (parsing, validation); no database. Runs in a
        helper thread while the previous batch is written."""

    def process(self, ctx: JobContext, prepared: Any) -> BatchResult:
        """The database work of a batch, inside its transaction."""


def _formats() -> dict[str, Format]:
    from integrations.legacy_import import hl7adt, records

    return {
        ImportJob.Source.HL7_ADT: hl7adt.FORMAT,
        ImportJob.Source.LEGACY_JSONL: records.FORMAT,
        ImportJob.Source.LEGACY_CSV: records.CSV_FORMAT,
    }


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def count_lines(path: Path) -> int:
    """Lines as the importers number them: LF, CRLF or a lone CR (HL7 segments) end a line."""
    n = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            n += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
    return n


def unit_ids_by_hsa() -> dict[str, int]:
    return {hsa.upper(): pk for hsa, pk in CareUnit.objects.values_list("hsa_id", "pk")}


class Interrupted(Exception):
    """Raised by tests (crash simulation) through `after_batch`."""


class JobBusy(Exception):
    """Another process runs this job right now (e.g. a task redelivered by the
    broker while the first worker is still at it)."""


_LOCK_CLASS = 8_001  # advisory-lock namespace of import jobs


def _try_lock(job_id: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_CLASS, job_id])
        return bool(cur.fetchone()[0])


def _unlock(job_id: int) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, job_id])


def run_job(
    job_id: int,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> ImportJob:
    """Run (or resume) a job to the end. `progress(lines_done)` is called after
    each committed batch; `after_batch(batches_done)` is a test hook."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    # A session lock, held across the batch transactions and released by the
    # database if this process dies: one runner per job.
    if not _try_lock(job.pk):
        raise JobBusy(f"Importjobb {job.pk} körs redan av en annan process.")
    try:
        return _run_locked(job, batch_size=batch_size, progress=progress, after_batch=after_batch)
    finally:
        _unlock(job.pk)


def _run_locked(
    job: ImportJob, *, batch_size: int, progress: Callable[[int], None] | None, after_batch: Callable[[int], None] | None
) -> ImportJob:
    job.refresh_from_db()
    if job.status == ImportJob.Status.DONE:
        return job
    path = Path(job.file_name)
    fmt = _formats()[job.source]
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=job.started_at or now)
    job.refresh_from_db()
    ctx = JobContext(job=job, actor=system_actor("import"), dry_run=job.dry_run, units=unit_ids_by_hsa())
    resume_after = job.lines_done
    t0 = time.perf_counter()
    seconds_before = job.seconds

    def batches() -> Iterator[list[Item]]:
        batch: list[Item] = []
        for item in fmt.items(path):
            if item.line <= resume_after:
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def commit(batch: list[Item], prepared: Any) -> None:
        _commit_batch(ctx, fmt, batch, prepared, seconds_before + time.perf_counter() - t0)
        if progress:
            progress(job.lines_done)
        if after_batch:
            after_batch(job.batches_done)

    try:
        # Batch n+1 is parsed in a helper thread while batch n is written.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-prepare") as pool:
            pending: tuple[list[Item], Future[Any]] | None = None
            for batch in batches():
                future = pool.submit(fmt.prepare, ctx, batch)
                if pending is not None:
                    commit(pending[0], pending[1].result())
                pending = (batch, future)
            if pending is not None:
                commit(pending[0], pending[1].result())
    except BaseException as exc:
        # The batch in flight rolled back; what committed stays, and the job can resume.
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            seconds=seconds_before + time.perf_counter() - t0,
        )
        raise
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.lines_done = max(job.lines_done, job.lines_total)
    job.seconds = seconds_before + time.perf_counter() - t0
    job.last_error = ""
    job.save(update_fields=["status", "finished_at", "lines_done", "seconds", "last_error"])
    return job


def _commit_batch(ctx: JobContext, fmt: Format, batch: list[Item], prepared: Any, seconds: float) -> None:
    job = ctx.job
    with transaction.atomic():
        if not ctx.dry_run:
            # The batch and the job's progress commit together, so a batch lost
            # to a database crash before its WAL flush is simply redone on
            # resume: no need to wait for the disk at each commit.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit TO OFF")
        result = fmt.process(ctx, prepared)
        ImportErrorRow.objects.bulk_create(
            [ImportErrorRow(job=job, line=line, reason=reason, excerpt=excerpt) for line, reason, excerpt in result.errors]
        )
        job.lines_done = batch[-1].line
        job.batches_done += 1
        job.records_seen += len(batch)
        job.created_count += result.created
        job.updated_count += result.updated
        job.skipped_count += result.skipped
        job.error_count += len(result.errors)
        counts = Counter(job.counts)
        counts.update(result.counts)
        job.counts = dict(counts)
        job.seconds = seconds
        job.save(
            update_fields=[
                "lines_done",
                "batches_done",
                "records_seen",
                "created_count",
                "updated_count",
                "skipped_count",
                "error_count",
                "counts",
                "seconds",
            ]
        )
        if not ctx.dry_run:
            audit.record(
                ctx.actor,
                "import.batch",
                obj=job,
                ground="system",
                detail={
                    "job": job.pk,
                    "source": job.source,
                    "source_system": job.source_system,
                    "batch": job.batches_done,
                    "first_line": batch[0].line,
                    "last_line": batch[-1].line,
                    "created": result.created,
                    "updated": result.updated,
                    "skipped": result.skipped,
                    "errors": len(result.errors),
                    "counts": dict(result.counts),
                    **result.detail,
                },
            )
