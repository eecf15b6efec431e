"""Merge a temporary identity (a reservnummer given during a downtime, or a legacy number) into
the patient's real one, as HL7 A40 does: the record follows the person."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from integrations.services import identity_merge
from vardmiljo.actor import system_actor
from vardmiljo.errors import DomainError


class Command(BaseCommand):
    help = "Slår samman en tillfällig identitet (t.ex. reservnummer) med patientens riktiga: patient_merge GAMMAL KVARSTÅENDE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("old", help="den tillfälliga identiteten (reservnummer)")
        parser.add_argument("survivor", help="den riktiga identiteten (personnummer/samordningsnummer)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            moved = identity_merge(
                actor=system_actor("operator"), old_identifier=opts["old"], survivor_identifier=opts["survivor"]
            )
        except DomainError as exc:
            self.stderr.write(f"{opts['old']} → {opts['survivor']}: {exc.message}")
            raise SystemExit(2) from None
        self.stdout.write(f"{opts['old']} är sammanslagen med {opts['survivor']}: {sum(moved.values())} rader flyttade.")
