"""manage.py registry_transfer REGISTRY [--since DATE] [--dry-run]"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations import registries, services
from vardmiljo.access import record_list
from vardmiljo.actor import system_actor
from vardmiljo.errors import DomainError


class Command(BaseCommand):
    help = (
        "Överför nya uppgifter till ett kvalitetsregister via utkorgen. --dry-run visar vad som skulle skickas. "
        "Patienter som motsätter sig registrering tas aldrig med."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("registry", help="registrets namn, t.ex. ndr")
        parser.add_argument(
            "--since", type=dt.date.fromisoformat, default=None, help="ÅÅÅÅ-MM-DD: bara uppgifter från detta datum"
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--show", type=int, default=20, help="antal meddelanden att visa vid --dry-run")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["registry"] not in registries.names():
            raise CommandError(f"Okänt register {opts['registry']!r}; finns: {', '.join(registries.names())}")
        try:
            summary = services.registry_transfer_run(registry=opts["registry"], since=opts["since"], dry_run=opts["dry_run"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if opts["dry_run"]:
            shown: list[int] = []
            for p in summary.planned:
                if p.already_sent or len(shown) >= opts["show"]:
                    continue
                shown.append(p.patient.pk)
                self.stdout.write(json.dumps(p.payload, ensure_ascii=False, default=str))
            # Patient data shown on an operator's terminal: one system row in the access log.
            record_list(
                system_actor("registry"),
                "registry.dry_run",
                shown,
                detail={"registry": summary.registry, "qualifying": summary.qualifying},
            )
        verb = "skulle köas" if opts["dry_run"] else "köade"
        self.stdout.write(
            f"register={summary.registry} kvalificerade={summary.qualifying} {verb}={summary.queued} "
            f"oförändrade={summary.unchanged}"
        )
