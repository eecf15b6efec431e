"""Merge a temporary identity (a reservnummer given during a downtime, or a legacy number) into
the patient's real one, as HL7 A40 does: the record follows the person."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from integrations.legacy_import.hl7adt import merge_identity
from vardmiljo import audit
from vardmiljo.access import Ground
from vardmiljo.actor import system_actor
from vardmiljo.identifiers import parse_patient_id
from vardmiljo.models import Patient


class Command(BaseCommand):
    help = "Slår samman en tillfällig identitet (t.ex. reservnummer) med patientens riktiga: patient_merge GAMMAL KVARSTÅENDE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("old", help="den tillfälliga identiteten (reservnummer)")
        parser.add_argument("survivor", help="den riktiga identiteten (personnummer/samordningsnummer)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            old_id, survivor_id = parse_patient_id(opts["old"]).value, parse_patient_id(opts["survivor"]).value
        except ValidationError as exc:
            self.stderr.write(" ".join(exc.messages))
            raise SystemExit(2) from None
        with transaction.atomic():
            found = {p.identifier: p for p in Patient.objects.select_for_update().filter(identifier__in=[old_id, survivor_id])}
            old, survivor = found.get(old_id), found.get(survivor_id)
            if old is None or survivor is None or old_id == survivor_id:
                self.stderr.write(f"Hittar inte båda identiteterna ({opts['old']}, {opts['survivor']}), eller så är de samma.")
                raise SystemExit(2)
            if survivor.merged_into_id:
                self.stderr.write(f"{opts['survivor']} är själv sammanslagen med en annan identitet.")
                raise SystemExit(2)
            moved = merge_identity(old=old, survivor=survivor)
            actor = system_actor("operator")
            audit.record(
                actor, "patient.merge", patient=survivor, ground=Ground.ADMINISTRATION, detail={"from": old.pk, "moved": moved}
            )
        self.stdout.write(f"{opts['old']} är sammanslagen med {opts['survivor']}: {sum(moved.values())} rader flyttade.")
