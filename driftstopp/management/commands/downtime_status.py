"""Is every unit's downtime bundle fresh? Exit 1 naming each unit whose bundle is missing, older
than two intervals, or whose last write failed: the operator's one command at 02:00."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from driftstopp.queries import bundle_status, stale_after


class Command(BaseCommand):
    help = "Visar varje enhets senaste driftstoppspaket; avslutar med 1 om något saknas, är för gammalt eller misslyckades."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.DOWNTIME_DIR:
            self.stderr.write("DOWNTIME_DIR är inte satt: inga driftstoppspaket skrivs.")
            raise SystemExit(1)
        rows = bundle_status()
        bad = [r for r in rows if r.stale or r.error]
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "unit": r.hsa_id,
                            "name": r.name,
                            "last": r.last_success_at.isoformat() if r.last_success_at else None,
                            "age_minutes": r.age_minutes,
                            "patients": r.patients,
                            "error": r.error,
                            "stale": r.stale,
                        }
                        for r in rows
                    ],
                    ensure_ascii=False,
                )
            )
        else:
            for r in rows:
                mark = "FEL " if (r.stale or r.error) else "ok  "
                self.stdout.write(f"{mark}{r.hsa_id:<32} {r.name[:40]:<40} {r.text}")
            limit = int(stale_after().total_seconds() // 60)
            self.stdout.write(
                f"{len(rows) - len(bad)} av {len(rows)} enheter har ett paket yngre än {limit} minuter."
                if not bad
                else f"{len(bad)} av {len(rows)} enheter saknar ett färskt paket (gräns {limit} minuter)."
            )
        if bad:
            raise SystemExit(1)
