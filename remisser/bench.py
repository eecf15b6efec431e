"""Benchmark: a unit's inbox with 10,000 open referrals.

Scenarios (through the full request path, access check and audit rows included):
- remisser.send    the physician sends a referral from the send form
- remisser.inbox   the first page of Vårdcentral Centrum's inbox (10,000 open)
- remisser.triage  accepting one referral from the inbox (row lock + version)
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from django.utils import timezone

from remisser.models import PRIORITY_RANK, Priority, Referral
from vardmiljo.bench import BenchContext, Scenario

INBOX_SIZE = 10_000
BATCH = 2_000


def seed_bench(ctx: BenchContext) -> None:
    """10,000 received referrals from Medicinkliniken in Vårdcentral Centrum's hands (idempotent)."""
    vc, med = ctx.demo.units["vc"], ctx.demo.units["med"]
    have = Referral.objects.filter(owner_unit=vc, sender_unit=med, status=Referral.Status.RECEIVED).count()
    if have >= INBOX_SIZE:
        return _vacuum()
    now = timezone.now()
    today = timezone.localdate()
    rng = ctx.demo.rng
    sender = ctx.demo.staff["cecilia"]
    prios = list(Priority.values)
    ids = ctx.demo.patient_ids
    rows = []
    for i in range(INBOX_SIZE - have):
        prio = prios[rng.randrange(3)]
        sent = now - dt.timedelta(days=rng.randrange(120), minutes=rng.randrange(1440))
        rows.append(
            Referral(
                patient_id=ids[rng.randrange(len(ids))],
                sender_unit=med,
                sender_staff=sender,
                receiver_unit=vc,
                owner_unit=vc,
                priority=prio,
                priority_rank=PRIORITY_RANK[prio],
                question=f"Benchremiss {have + i}: bedömning önskas.",
                status=Referral.Status.RECEIVED,
                due_date=today + dt.timedelta(days=rng.randrange(-30, 90)),
                sent_at=sent,
                received_at=sent + dt.timedelta(seconds=2),
                created_at=sent,
            )
        )
        if len(rows) >= BATCH:
            Referral.objects.bulk_create(rows)
            rows = []
    Referral.objects.bulk_create(rows)
    _vacuum()


def _vacuum() -> None:
    """What autovacuum does on a live system: index-only counts need the visibility map."""
    from django.db import connection

    if not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE remisser_referral")


def scenarios(ctx: BenchContext) -> list[Scenario]:
    vc_client = ctx.client("anna")
    med_id = ctx.demo.units["med"].pk
    patients = ctx.demo.patient_ids
    sends = itertools.count()

    def send(_i: int) -> Any:
        n = next(sends)
        return vc_client.post(
            f"/remisser/ny/{patients[n % len(patients)]}/",
            {
                "receiver_unit": med_id,
                "priority": Priority.TWO_WEEKS,
                "question": "Benchmark: bedömning önskas.",
                "idempotency_key": uuid.uuid4().hex,
            },
        )

    queue: list[tuple[int, int]] = []
    triages = itertools.count()

    def prepare_triage(n: int) -> None:
        queue[:] = list(
            Referral.objects.filter(owner_unit=ctx.demo.units["vc"], status=Referral.Status.RECEIVED)
            .order_by("-id")
            .values_list("id", "version")[: n + 20]
        )

    def triage(_i: int) -> Any:
        ref_id, version = queue[next(triages)]
        return vc_client.post(f"/remisser/{ref_id}/acceptera/", {"version": version, "note": ""})

    def inbox(_i: int) -> Any:
        return vc_client.get("/remisser/")

    return [
        Scenario(name="remisser.send", run=send, n=200),
        Scenario(name="remisser.inbox", run=inbox, n=300),
        Scenario(name="remisser.triage", run=triage, n=200, prepare=prepare_triage),
    ]
