"""The day's bed figures of every hospital (beläggning), as the regions report them:
per ward available beds, occupied, free, to clean, closed, over-occupancy (patients
in extra beds), utlokaliserade and patients waiting for a bed. `--record` stores
them as the day's figures (the nightly beat job does the same)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from slutenvard import reports


class Command(BaseCommand):
    help = "Dagens beläggning per avdelning och sjukhus; --record sparar dagssiffrorna."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="ÅÅÅÅ-MM-DD (standard: i dag)")
        parser.add_argument("--record", action="store_true", help="spara dagssiffrorna")

    def handle(self, *args: Any, **opts: Any) -> None:
        for line in reports.day_figures(day=opts["date"], record=opts["record"]):
            self.stdout.write(line)
