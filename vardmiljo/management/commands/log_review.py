from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date

from vardmiljo import followup
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.management.commands._operator import operator_actor


class Command(BaseCommand):
    help = (
        "Loggkontroll: a systematic random sample plus every emergency access and every access to a "
        "protected identity. --mark ID --verdict ok|question|improper --comment TEXT records a review."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sample", type=int, default=50)
        parser.add_argument("--since", help="YYYY-MM-DD (default: 30 days ago)")
        parser.add_argument("--mark", type=int, help="access-log row id to mark as reviewed")
        parser.add_argument("--verdict", default="ok")
        parser.add_argument("--comment", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = operator_actor("log_review")
        if opts["mark"]:
            try:
                followup.review_mark(actor, access_log_id=opts["mark"], verdict=opts["verdict"], comment=opts["comment"])
            except DomainError as exc:
                raise CommandError(exc.message) from None
            except NotFound:
                raise CommandError(f"Ingen loggrad med id {opts['mark']}.") from None
            self.stdout.write(self.style.SUCCESS(f"Rad {opts['mark']} granskad: {opts['verdict']}"))
            return
        since = None
        if opts["since"]:
            d = parse_date(opts["since"])
            if d is None:
                raise CommandError("--since måste vara ett datum, ÅÅÅÅ-MM-DD")
            since = dt.datetime.combine(d, dt.time.min, tzinfo=dt.UTC)
        rows = followup.review_sample(actor, sample=opts["sample"], since=since)
        reviewed = followup.reviewed_ids([r.pk for r in rows])
        self.stdout.write("id\ttid\tanvändare\tenhet\tpatient\tåtgärd\tgrund\tflaggad\tgranskad")
        for r in rows:
            self.stdout.write(
                f"{r.pk}\t{r.logged_at:%Y-%m-%d %H:%M}\t{r.staff_name}\t{r.unit_name}\t{r.patient_id or ''}\t{r.action}\t"
                f"{r.get_ground_display()}{(': ' + r.reason) if r.reason else ''}\t{'ja' if r.flagged else ''}\t"
                f"{'ja' if r.pk in reviewed else ''}"
            )
        self.stdout.write(f"{len(rows)} rader i urvalet, {sum(1 for r in rows if r.flagged)} flaggade.")
