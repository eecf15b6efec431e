"""A unit's bundle key, to install on its downtime PC (`--rotate` makes a new one)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from driftstopp.services import unit_key
from vardmiljo.actor import system_actor
from vardmiljo.models import CareUnit


class Command(BaseCommand):
    help = "Skriver ut enhetens nyckel för driftstoppspaket (till driftstoppsdatorn). Loggas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("unit", help="enhetens HSA-id")
        parser.add_argument("--rotate", action="store_true", help="skapa en ny nyckel (gamla paket öppnas med den gamla)")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit = CareUnit.objects.filter(hsa_id=opts["unit"]).first()
        if unit is None:
            self.stderr.write(f"Ingen enhet med HSA-id {opts['unit']}.")
            raise SystemExit(2)
        self.stdout.write(unit_key(actor=system_actor("operator"), unit=unit, rotate=opts["rotate"]))
