"""manage.py import_drugs FILE: load the drug catalogue (format: lakemedel/README.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lakemedel import catalogue
from vardmiljo import audit
from vardmiljo.actor import system_actor


class Command(BaseCommand):
    help = "Läser in läkemedelsprodukter (NPL-export, XML) och uppdaterar på NPL-id. Parsas med defusedxml."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            default=str(catalogue.SAMPLE_PRODUCTS),
            help="XML-fil (standard: det medföljande urvalet lakemedel/data/produkter.xml)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = opts["file"]
        try:
            records = catalogue.parse_products(path)
        except FileNotFoundError:
            raise CommandError(f"Filen finns inte: {path}")
        except Exception as exc:  # noqa: BLE001 - defusedxml and SAX errors: report, do not half-load
            raise CommandError(f"Filen kunde inte läsas som XML ({type(exc).__name__}): {exc}")
        bar = (
            (lambda it: it)
            if opts["no_progress"]
            else (lambda it: tqdm(it, total=len(records), unit="produkt", desc="import_drugs", file=self.stderr._out))
        )
        report = catalogue.import_products(records, progress=bar)
        for line, reason in report.errors:
            self.stderr.write(f"rad {line}: {reason}")
        audit.record(
            system_actor("import_drugs"),
            "lakemedel.catalogue.import",
            ground="system",
            detail={"file": str(path), "created": report.created, "updated": report.updated, "errors": len(report.errors)},
        )
        self.stdout.write(f"{report.created} nya, {report.updated} uppdaterade, {len(report.errors)} fel.")
