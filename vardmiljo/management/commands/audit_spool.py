"""Access-log rows kept on local disk during read-only mode: how many wait, and insert them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vardmiljo import readonly


class Command(BaseCommand):
    help = "Visar hur många åtkomstloggrader som väntar i den lokala spolen; --flush för in dem i åtkomstloggen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--flush", action="store_true", help="för in raderna (primären måste svara)")

    def handle(self, *args: Any, **opts: Any) -> None:
        waiting = readonly.pending()
        if not opts["flush"]:
            self.stdout.write(f"{waiting} rader väntar i {readonly.spool_path()}.")
            if waiting:
                raise SystemExit(1)
            return
        inserted = readonly.flush_spool()
        self.stdout.write(f"{inserted} rader förda in i åtkomstloggen; {readonly.pending()} väntar.")
