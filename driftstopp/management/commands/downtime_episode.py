"""Declare a downtime (start), end it (the units get their efterregistrering worklists), or show it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from driftstopp import services
from driftstopp.queries import episodes_with_open_counts
from vardmiljo.actor import system_actor
from vardmiljo.errors import DomainError


def _when(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    parsed = dt.datetime.fromisoformat(raw)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class Command(BaseCommand):
    help = "Driftstopp: start --reason TEXT [--at TID], end [--at TID], status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["start", "end", "status"])
        parser.add_argument("--reason", default="")
        parser.add_argument("--at", help="tidpunkt (ÅÅÅÅ-MM-DD TT:MM), om inte nu")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = system_actor("operator")
        try:
            at = _when(opts["at"])
            if opts["action"] == "start":
                e = services.episode_start(actor=actor, reason=opts["reason"], at=at)
                self.stdout.write(f"Driftstopp registrerat från {timezone.localtime(e.started_at):%Y-%m-%d %H:%M}.")
            elif opts["action"] == "end":
                e = services.episode_end(actor=actor, at=at)
                n = next(total for ep, total, _open in episodes_with_open_counts() if ep.pk == e.pk)
                self.stdout.write(
                    f"Driftstoppet {timezone.localtime(e.started_at):%Y-%m-%d %H:%M}–{timezone.localtime(e.ended_at or e.started_at):%H:%M} "
                    f"avslutat: {n} patienter att efterregistrera på enheterna."
                )
            else:
                for e, _total, left in episodes_with_open_counts():
                    end = f"{timezone.localtime(e.ended_at):%Y-%m-%d %H:%M}" if e.ended_at else "pågår"
                    self.stdout.write(
                        f"{timezone.localtime(e.started_at):%Y-%m-%d %H:%M} – {end}: {left} kvar att efterregistrera. {e.reason}"
                    )
        except ValueError:
            self.stderr.write("Tidpunkten ska skrivas ÅÅÅÅ-MM-DD TT:MM.")
            raise SystemExit(2) from None
        except DomainError as exc:
            self.stderr.write(exc.message)
            raise SystemExit(2) from None
