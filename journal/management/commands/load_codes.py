"""Load the region's official ICD-10-SE or KVÅ file into the code tables.

    python manage.py load_codes icd10 /path/to/icd10se.txt
    python manage.py load_codes kva /path/to/kva.csv --deactivate-missing

Format (see journal/codes.py and journal/README.md): one code per line,
`code<TAB>text` or `code;text`, UTF-8 or Windows-1252, `#` comments and a
header line skipped; ICD-10-SE codes with or without the dot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from journal import codes
from vardmiljo import audit
from vardmiljo.actor import system_actor


class Command(BaseCommand):
    help = "Läs in ICD-10-SE (icd10) eller KVÅ (kva) från en fil: kod<TAB>text eller kod;text per rad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("system", choices=sorted(codes.MODELS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Markera koder som inte finns i filen som inaktiva (raderas aldrig).",
        )
        parser.add_argument("--common", action="store_true", help="Markera koderna som vanliga (visas först).")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"Filen finns inte: {path}")
        result = codes.load_codes(opts["system"], path, common=opts["common"], deactivate_missing=opts["deactivate_missing"])
        if result.created + result.updated == 0 and result.skipped:
            raise CommandError(f"Inga giltiga rader i {path} ({result.skipped} rader kunde inte tolkas).")
        audit.record(
            system_actor("load_codes"),
            "journal.codes.load",
            ground="system",
            detail={
                "system": opts["system"],
                "file": str(path),
                "created": result.created,
                "updated": result.updated,
                "deactivated": result.deactivated,
            },
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{opts['system']}: {result.created} nya, {result.updated} uppdaterade, "
                f"{result.deactivated} inaktiverade, {result.skipped} rader hoppades över."
            )
        )
