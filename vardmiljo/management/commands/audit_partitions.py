from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = "Create the access log's monthly partitions ahead of time (also run nightly by Celery beat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months-ahead", type=int, default=3)

    def handle(self, *args: Any, **opts: Any) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT vardmiljo_audit_partition((date_trunc('month', now()) + make_interval(months => m))::date) "
                "FROM generate_series(0, %s) AS m",
                [opts["months_ahead"]],
            )
            names = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT count(*) FROM vardmiljo_accesslog_default")
            stray = cur.fetchone()[0]
        self.stdout.write(f"Partitioner finns: {', '.join(names)}")
        if stray:
            self.stdout.write(self.style.WARNING(f"{stray} rader ligger i standardpartitionen (utanför månadspartitionerna)."))
