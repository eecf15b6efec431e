"""Register a client system for the FHIR API (SMART Backend Services)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.fhir.services import jwks_from_pem, smart_client_register
from vardmiljo.actor import system_actor
from vardmiljo.errors import DomainError


class Command(BaseCommand):
    help = "Registrerar ett klientsystem för FHIR-API:t (SMART Backend Services) med dess publika nyckel och uppdrag."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Systemets namn, t.ex. 'Labbsystemet'")
        parser.add_argument("--unit", required=True, help="HSA-id för vårdenheten systemets uppdrag gäller")
        keys = parser.add_mutually_exclusive_group(required=True)
        keys.add_argument("--jwks", help="Fil med systemets publika nycklar (JWKS, JSON)")
        keys.add_argument("--public-key", help="Fil med systemets publika nyckel (PEM, RSA eller EC P-384)")
        parser.add_argument("--kid", default="", help="Nyckelns id (kid) när --public-key används")
        parser.add_argument("--scope", default="system/*.rs", help="Tillåtna scopes, mellanslagsseparerade")
        parser.add_argument("--purpose", default="", help="Ändamålet med systemets åtkomst")
        parser.add_argument("--client-id", default="", help="Klient-id (annars slumpas ett)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["jwks"]:
                jwks = json.loads(Path(opts["jwks"]).read_text())
            else:
                jwks = jwks_from_pem(Path(opts["public_key"]).read_text(), opts["kid"])
            client = smart_client_register(
                actor=system_actor("fhir_client"),
                name=opts["name"],
                unit_hsa_id=opts["unit"],
                jwks=jwks,
                scope=opts["scope"],
                purpose=opts["purpose"],
                client_id=opts["client_id"],
            )
        except (OSError, ValueError) as exc:
            raise CommandError(f"Kan inte läsa nyckelfilen: {exc}") from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"client_id={client.application.client_id} assignment={client.assignment_id} scope={client.scope}")
