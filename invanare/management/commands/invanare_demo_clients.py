"""The demo identity provider's login clients (e-services, staff SITHS), with redirect URIs
for OIDC_BASE_URL: `make run` calls it on every demo start."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from invanare.demo import login_clients


class Command(BaseCommand):
    help = "Registers the demo identity provider's login clients (demo only)."

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.DEMO_IDP:
            raise CommandError("DEMO_IDP är avstängt: inga demoklienter i drift.")
        login_clients(sorted({settings.OIDC_BASE_URL, "http://127.0.0.1:8000", "http://localhost:8000"}))
        self.stdout.write("Demoklienter för inloggning registrerade.")
