"""manage.py load_interactions FILE: load the local interaction table (format: lakemedel/README.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lakemedel import catalogue
from vardmiljo import audit
from vardmiljo.actor import system_actor


class Command(BaseCommand):
    help = "Läser in interaktionstabellen (CSV: atc_a;atc_b;allvarlighetsgrad;beskrivning)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(catalogue.SAMPLE_INTERACTIONS))

    def handle(self, *args: Any, **opts: Any) -> None:
        path = opts["file"]
        try:
            report = catalogue.load_interactions(path)
        except FileNotFoundError:
            raise CommandError(f"Filen finns inte: {path}")
        except UnicodeDecodeError as exc:
            raise CommandError(f"Filen är inte UTF-8: {exc}")
        for line, reason in report.errors:
            self.stderr.write(f"rad {line}: {reason}")
        audit.record(
            system_actor("load_interactions"),
            "lakemedel.interactions.import",
            ground="system",
            detail={"file": str(path), "created": report.created, "updated": report.updated, "errors": len(report.errors)},
        )
        self.stdout.write(f"{report.created} nya, {report.updated} uppdaterade, {len(report.errors)} fel.")
