"""Legacy import: HL7 v2 ADT and the journal export of old record systems.

`job_create()` registers (or finds, to resume) a job for one file;
`runner.run_job()` runs it batch by batch, in a Celery task or inline.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from integrations.legacy_import.runner import count_lines, file_sha256
from integrations.models import ImportJob
from vardmiljo import embedded
from vardmiljo.errors import DomainError
from vardmiljo.models import Staff


def import_dir() -> Path:
    """Where import files live on the server (VARDMILJO_IMPORT_DIR, default .data/imports):
    uploads are kept here, and the admin form can name only files in it."""
    d = Path(os.environ.get("VARDMILJO_IMPORT_DIR") or embedded.DATA_DIR / "imports")
    d.mkdir(parents=True, exist_ok=True)
    return d


def import_file(name: str) -> Path:
    """A file named relative to the import directory, resolved, and refused unless it is a
    regular file inside that directory: no absolute path, no `..`, no symlink that leads
    out. The admin form is a web channel: it must not become a way to read the server's
    files (whose lines an error report would quote)."""
    text = (name or "").strip()
    pure = PurePosixPath(text.replace("\\", "/"))
    if not text or pure.is_absolute() or ".." in pure.parts or text.startswith("~"):
        raise DomainError(
            _("Ange filens namn i importkatalogen (utan .. och utan absolut sökväg)."),
            field="server_path",
        )
    base = import_dir().resolve()
    file = (base / pure).resolve()
    if not file.is_relative_to(base):
        raise DomainError(_("Filen ligger utanför importkatalogen."), field="server_path")
    if not file.is_file():
        raise DomainError(_("Filen finns inte i importkatalogen."), field="server_path")
    return file


SOURCE_ALIASES = {
    "hl7": ImportJob.Source.HL7_ADT,
    "hl7_adt": ImportJob.Source.HL7_ADT,
    "adt": ImportJob.Source.HL7_ADT,
    "jsonl": ImportJob.Source.LEGACY_JSONL,
    "legacy_jsonl": ImportJob.Source.LEGACY_JSONL,
    "journal": ImportJob.Source.LEGACY_JSONL,
    "csv": ImportJob.Source.LEGACY_CSV,
    "legacy_csv": ImportJob.Source.LEGACY_CSV,
}


def job_create(
    *,
    source: str,
    path: str | Path,
    source_system: str = "legacy",
    dry_run: bool = False,
    created_by: Staff | None = None,
    resume: bool = True,
) -> ImportJob:
    """A job for one file. An earlier run of the same file that crashed or was
    interrupted is returned instead, so the run continues from its last batch."""
    fmt = SOURCE_ALIASES.get(source.lower())
    if fmt is None:
        raise DomainError(_("Okänt importformat %(s)s (hl7, jsonl eller csv).") % {"s": source}, field="source")
    file = Path(path).resolve()
    if not file.is_file():
        raise DomainError(_("Filen %(f)s finns inte.") % {"f": str(path)}, field="file_name")
    source_system = (source_system or "legacy").strip()[:60]
    sha = file_sha256(file)
    if resume and not dry_run:
        unfinished = (
            ImportJob.objects.filter(source=fmt, file_sha256=sha, source_system=source_system, dry_run=False)
            .exclude(status=ImportJob.Status.DONE)
            .order_by("-created_at")
            .first()
        )
        if unfinished is not None:
            return unfinished
    return ImportJob.objects.create(
        source=fmt,
        source_system=source_system,
        file_name=str(file),
        file_sha256=sha,
        dry_run=dry_run,
        lines_total=count_lines(file),
        created_by=created_by,
    )
