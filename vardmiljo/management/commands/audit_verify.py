from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vardmiljo.followup import verify_chain


class Command(BaseCommand):
    help = "Walk the access log's hash chains; exit 1 naming the first broken row."

    def handle(self, *args: Any, **opts: Any) -> None:
        total, bad = verify_chain()
        if bad is None:
            self.stdout.write(self.style.SUCCESS(f"Åtkomstloggen är obruten: {total} rader kontrollerade."))
            return
        self.stderr.write(
            self.style.ERROR(
                f"Åtkomstloggen är BRUTEN vid rad id={bad.row_id} (kedja {bad.chain}, nr {bad.seq}, "
                f"{bad.logged_at:%Y-%m-%d %H:%M:%S}): {bad.problem}"
            )
        )
        raise SystemExit(1)
