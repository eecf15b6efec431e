"""Demo referrals between the demo units, in every state of the lifecycle."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from remisser import services
from remisser.models import Priority, Referral
from vardmiljo import outbox
from vardmiljo.actor import Actor
from vardmiljo.demo import DemoContext
from vardmiljo.models import Outbox

QUESTIONS = [
    "Bröstsmärta vid ansträngning sedan tre veckor. Arbets-EKG?",
    "Förhöjt HbA1c trots metformin. Bedömning och behandlingsförslag.",
    "Långvarig hosta, icke-rökare. Spirometri och bedömning.",
    "Återkommande yrsel, normalt status. Utredning önskas.",
    "Knäsmärta efter distorsion, instabilitet. Ortopedisk bedömning.",
    "Hemsjukvård: såromläggning tre gånger i veckan efter utskrivning.",
]


def _deliver(ref: Referral) -> None:
    row = Outbox.objects.filter(idempotency_key=ref.delivery_key).first()
    if row is not None:
        outbox.deliver(row.pk)
    ref.refresh_from_db()


def seed(ctx: DemoContext) -> None:
    if Referral.objects.exists():
        return
    actor = {
        k: Actor(staff=ctx.staff[k], assignment=ctx.assignments[k], client_ip="127.0.0.1")
        for k in ("anna", "bo", "cecilia", "david")
    }
    units = ctx.units
    pids = ctx.patient_ids[:40]

    def send(i: int, to: str, prio: str = Priority.TWO_WEEKS, who: str = "anna", patient_id: int | None = None) -> Referral:
        ref = services.referral_send(
            actor=actor[who],
            patient_id=patient_id or pids[i],
            receiver_unit_id=units[to].pk,
            priority=prio,
            question=QUESTIONS[i % len(QUESTIONS)],
            idempotency_key=f"demo-{i}",
        )
        _deliver(ref)
        return ref

    # Waiting for triage at Medicinkliniken (one of them overdue, one acute).
    send(0, "med", Priority.AKUT)
    send(1, "med")
    overdue = send(2, "med", Priority.THREE_MONTHS)
    Referral.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    # Accepted, waiting for the reply.
    r = send(3, "med")
    services.referral_accept(actor=actor["cecilia"], referral_id=r.pk, note="Kallas till mottagningen.", waitlist=True)
    # Rejected: back in Vårdcentral Centrum's inbox.
    r = send(4, "med", Priority.THREE_MONTHS)
    services.referral_reject(
        actor=actor["cecilia"], referral_id=r.pk, reason="Ortopedisk frågeställning: remittera till ortopeden."
    )
    # Completion requested.
    r = send(5, "med")
    services.referral_request_completion(actor=actor["cecilia"], referral_id=r.pk, note="Bifoga vilo-EKG och lipidstatus.")
    # Answered: waiting for Anna's acknowledgement (vidimering).
    r = send(6, "med")
    services.referral_accept(actor=actor["cecilia"], referral_id=r.pk)
    services.referral_answer(
        actor=actor["cecilia"],
        referral_id=r.pk,
        text="Arbetsprov utan ischemitecken. Ingen ytterligare utredning. Åter till remittenten.",
    )
    # Closed after acknowledgement.
    r = send(7, "med")
    services.referral_accept(actor=actor["cecilia"], referral_id=r.pk)
    services.referral_answer(actor=actor["cecilia"], referral_id=r.pk, text="Bedömd, behandling insatt.")
    services.referral_acknowledge(actor=actor["anna"], referral_id=r.pk, close=True)
    # Forwarded from Medicinkliniken to Privatläkarna (another provider), received there.
    r = send(8, "med")
    r = services.referral_forward(
        actor=actor["cecilia"],
        referral_id=r.pk,
        to_unit_id=units["priv"].pk,
        note="Privatläkarna har kortare väntetid för spirometri.",
    )
    _deliver(r)
    # To the municipality's home care; and one from Privatläkarna to Vårdcentral Centrum (Anna's inbox).
    send(9, "hem", Priority.AKUT)
    send(10, "vc", who="david", patient_id=ctx.special["shared"].pk)
    ctx.progress("Demodata: remisser i alla tillstånd mellan enheterna")
