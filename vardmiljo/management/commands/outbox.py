from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.utils import timezone

from vardmiljo import outbox
from vardmiljo.models import Outbox, OutboxEndpoint


class Command(BaseCommand):
    help = (
        "Show what is waiting in the outbox (referrals, prescriptions, registry transfers, reminders); "
        "--retry ID re-queues a dead message; --deliver-due delivers everything due now in this process."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--retry", type=int)
        parser.add_argument("--deliver-due", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["retry"]:
            outbox.requeue(opts["retry"])
            outbox.schedule(
                opts["retry"], Outbox.objects.filter(pk=opts["retry"]).values_list("channel", flat=True).first() or ""
            )
            self.stdout.write(f"Meddelande {opts['retry']} köat igen.")
            return
        if opts["deliver_due"]:
            ids = outbox.due_ids(limit=100000)
            results = [outbox.deliver(pk) for pk in ids]
            self.stdout.write(f"{len(ids)} försök: {results.count('delivered')} levererade.")
        now = timezone.now()
        for row in Outbox.objects.values("channel", "status").annotate(n=Count("id")).order_by("channel", "status"):
            self.stdout.write(f"{row['channel']}\t{row['status']}\t{row['n']}")
        pending = Outbox.objects.exclude(status=Outbox.Status.DELIVERED).order_by("created_at")[:50]
        for r in pending:
            age = int((now - r.created_at).total_seconds() // 60)
            flight = (
                f" pågår ({r.claimed_by}, lease till {timezone.localtime(r.claimed_until):%H:%M:%S})" if r.claimed_until else ""
            )
            self.stdout.write(
                f"  #{r.pk} {r.channel} {r.object_type}:{r.object_id} {r.status} försök={r.attempts} "
                f"ålder={age} min{flight} {r.last_error[:80]}"
            )
        for ep in OutboxEndpoint.objects.filter(failures__gt=0).order_by("key"):
            state = (
                f"öppen till {timezone.localtime(ep.open_until):%H:%M:%S}" if ep.open_until and ep.open_until > now else "stängd"
            )
            self.stdout.write(f"mottagare {ep.key}: {ep.failures} fel i rad, kretsbrytaren {state}: {ep.last_error[:80]}")
