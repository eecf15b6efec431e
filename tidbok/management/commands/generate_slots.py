"""`manage.py generate_slots --weeks N [--unit HSA-ID] [--from YYYY-MM-DD]`: slots from the weekly templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from tidbok import services
from vardmiljo.actor import system_actor
from vardmiljo.errors import DomainError
from vardmiljo.models import CareUnit


class Command(BaseCommand):
    help = "Genererar bokningsbara tider från veckomallarna (idempotent: befintliga tider lämnas orörda)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=12)
        parser.add_argument("--unit", default="", help="vårdenhetens HSA-id (standard: alla enheter)")
        parser.add_argument("--from", dest="start", default="", help="första dag, ÅÅÅÅ-MM-DD (standard: i dag)")

    def handle(self, *args: Any, **opts: Any) -> None:
        unit_id = None
        if opts["unit"]:
            unit = CareUnit.objects.filter(hsa_id=opts["unit"]).first()
            if unit is None:
                raise CommandError(f"Okänd vårdenhet: {opts['unit']}")
            unit_id = unit.pk
        start = None
        if opts["start"]:
            try:
                start = dt.date.fromisoformat(opts["start"])
            except ValueError:
                raise CommandError("Ange --from som ÅÅÅÅ-MM-DD.") from None
        try:
            created = services.slots_generate(
                actor=system_actor("tidbok"),
                weeks=opts["weeks"],
                start=start,
                unit_id=unit_id,
                progress=lambda rs: tqdm(rs, desc="resurser", unit="st", file=self.stderr._out),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{created} nya tider skapade.")
