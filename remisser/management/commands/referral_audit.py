"""`manage.py referral_audit`: the command that proves no referral was lost.

Lists every referral that is not closed with its owner unit, status, age,
overdue flag and delivery state (no patient identities). Exits 1 when any
referral has no owner, or its delivery was given up (permanently rejected by the
receiver, or out of attempts: a person must act now, whatever its age), or has
been in delivery longer than --stuck-minutes (default OUTBOX_STUCK_MINUTES), or
is marked sent without any delivery row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from remisser.models import Referral
from remisser.queries import audit_rows
from vardmiljo import audit
from vardmiljo.actor import system_actor
from vardmiljo.models import Outbox

S = Referral.Status


def _age(delta: dt.timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24}d {hours % 24}h" if hours >= 24 else f"{hours}h {int(delta.total_seconds() // 60) % 60}m"


class Command(BaseCommand):
    help = "Lista alla remisser som inte är avslutade; avslutar med kod 1 om någon saknar ägare eller har fastnat i leverans."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stuck-minutes",
            type=int,
            default=settings.OUTBOX_STUCK_MINUTES,
            help="a delivery older than this, still not delivered, is stuck (default OUTBOX_STUCK_MINUTES)",
        )
        parser.add_argument("--json", action="store_true", help="one JSON object per line")
        parser.add_argument("--problems-only", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = timezone.now()
        limit = now - dt.timedelta(minutes=opts["stuck_minutes"])
        problems = {"no_owner": 0, "rejected": 0, "stuck": 0, "lost": 0}
        n = overdue = 0
        if not opts["json"]:
            self.stdout.write(f"{'id':>8}  {'status':<22}{'ansvarig enhet':<32}{'ålder':>9}  {'försenad':<9}leverans")
        r: Any  # annotated with the delivery's status, time and error
        for r in audit_rows().iterator(chunk_size=2000):
            n += 1
            problem = ""
            in_transit = r.status in (S.SENT, S.FORWARDED)
            if r.status != S.DRAFT and r.owner_unit_id is None:
                problem = "no_owner"
            elif in_transit and r.delivery_status is None:
                problem = "lost"
            elif in_transit and r.delivery_status == Outbox.Status.DEAD:
                # Nothing will retry it: waiting OUTBOX_STUCK_MINUTES would only hide it (issue 13 item 3).
                problem = "rejected"
            elif (
                in_transit and r.delivery_status != Outbox.Status.DELIVERED and r.delivery_created and r.delivery_created < limit
            ):
                problem = "stuck"
            if problem:
                problems[problem] += 1
            overdue += r.is_overdue
            if opts["problems_only"] and not problem:
                continue
            delivery = r.delivery_status or "-"
            if r.delivery_status not in (None, Outbox.Status.DELIVERED) and r.delivery_error:
                delivery += f" ({r.delivery_error[:60]})"
            if opts["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "id": r.pk,
                            "status": r.status,
                            "owner_unit": r.owner_unit.hsa_id if r.owner_unit else None,
                            "owner_unit_name": r.owner_unit.name if r.owner_unit else None,
                            "age_seconds": int(r.age(now).total_seconds()),
                            "overdue": r.is_overdue,
                            "delivery": r.delivery_status,
                            "problem": problem or None,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                owner = r.owner_unit.name[:30] if r.owner_unit else "SAKNAS"
                flag = "JA" if r.is_overdue else ""
                mark = f"  <-- {problem.upper()}" if problem else ""
                self.stdout.write(f"{r.pk:>8}  {r.status:<22}{owner:<32}{_age(r.age(now)):>9}  {flag:<9}{delivery}{mark}")
        audit.record(
            system_actor("referral_audit"), "referral.audit", ground="system", detail={"open": n, "overdue": overdue, **problems}
        )
        bad = sum(problems.values())
        summary = (
            f"{n} öppna remisser, {overdue} försenade; utan ägare: {problems['no_owner']}, "
            f"leverans avvisad eller uppgiven: {problems['rejected']}, fast i leverans > {opts['stuck_minutes']} min: {problems['stuck']}, skickade utan leverans: {problems['lost']}"
        )
        if bad:
            raise CommandError(summary, returncode=1)
        self.stdout.write(summary)
