from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vardmiljo import followup
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.management.commands._operator import operator_actor


class Command(BaseCommand):
    help = "Loggutdrag: every access to one patient's record (tab-separated), as the patient has the right to get it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("personnummer")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            patient, rows = followup.log_extract(operator_actor("log_extract"), opts["personnummer"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except NotFound:
            raise CommandError("Ingen patient med det personnumret.") from None
        self.stdout.write(f"# Loggutdrag för {patient.full_name} ({patient.display_identifier})")
        self.stdout.write("tid\tvårdgivare\tenhet\tanvändare\tåtgärd\tgrund")
        for line in followup.iter_extract_lines(rows):
            self.stdout.write(line)
