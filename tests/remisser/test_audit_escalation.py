"""referral_audit (regional IT) and the escalation beat job."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from guardian.shortcuts import assign_perm

from remisser import services
from remisser.models import Referral, ReferralEvent, ReferralNotification, ReferralRoute
from remisser.queries import inbox
from tests import factories as f
from tests.conftest import World
from tests.remisser.conftest import deliver_all, send
from vardmiljo.models import AccessLog, Assignment, Outbox

pytestmark = pytest.mark.django_db
S = Referral.Status


def _audit(*args: str) -> str:
    out = io.StringIO()
    call_command("referral_audit", *args, stdout=out)
    return out.getvalue()


def test_audit_lists_open_referrals_and_exits_zero_when_all_is_well(world: World) -> None:
    ref = send(world)
    closed = send(world)
    services.referral_cancel(actor=world.physician, referral_id=closed.pk, reason="Fel patient")
    text = _audit()
    assert f"{ref.pk:>8}  received" in text and world.med.name in text
    assert f"{closed.pk:>8}  " not in text
    assert "1 öppna remisser" in text
    assert AccessLog.objects.filter(action="referral.audit").exists()


def test_audit_fails_on_stuck_delivery(world: World) -> None:
    ext = f.make_unit(f.make_provider("Annat system"), "Extern")
    ReferralRoute.objects.create(unit=ext, mode=ReferralRoute.Mode.REMOTE)
    ref = services.referral_send(
        actor=world.physician, patient_id=world.patient.pk, receiver_unit_id=ext.pk, priority="akut", question="?"
    )
    deliver_all()
    row = Outbox.objects.get(idempotency_key=ref.delivery_key)
    assert row.status == Outbox.Status.QUEUED and "ingen mottagaradress" in row.last_error
    assert "STUCK" not in _audit("--stuck-minutes", "30")  # young: queued, visible, not yet stuck
    Outbox.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(minutes=45))
    with pytest.raises(CommandError) as exc:
        _audit("--stuck-minutes", "30")
    assert exc.value.returncode == 1 and "fast i leverans > 30 min: 1" in str(exc.value)


def test_13_3_audit_reports_a_permanently_rejected_delivery_at_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A referral the receiver rejected (4xx: PermanentFailure, the outbox row DEAD) is a problem the minute it
    happens; only a temporary failure waits for OUTBOX_STUCK_MINUTES."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    answer = [503]

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(answer[0])
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ext = f.make_unit(f.make_provider("Annat system"), "Extern")
        ReferralRoute.objects.create(
            unit=ext, mode=ReferralRoute.Mode.REMOTE, endpoint=f"http://127.0.0.1:{server.server_port}/remiss"
        )
        ref = services.referral_send(
            actor=world.physician, patient_id=world.patient.pk, receiver_unit_id=ext.pk, priority="akut", question="?"
        )
        deliver_all()
        row = Outbox.objects.get(idempotency_key=ref.delivery_key)
        assert row.status == Outbox.Status.FAILED
        assert "REJECTED" not in _audit("--stuck-minutes", "30")  # a temporary failure, young: it is being retried
        answer[0] = 400
        from vardmiljo import outbox

        outbox.deliver(row.pk)
    finally:
        server.shutdown()
    row.refresh_from_db()
    assert row.status == Outbox.Status.DEAD and "400" in row.last_error
    with pytest.raises(CommandError) as exc:
        _audit("--stuck-minutes", "30")
    assert exc.value.returncode == 1 and "leverans avvisad eller uppgiven: 1" in str(exc.value)
    assert "fast i leverans > 30 min: 0" in str(exc.value)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("referral_audit", "--json", "--problems-only", stdout=out)
    assert '"problem": "rejected"' in out.getvalue()


def test_audit_fails_on_referral_without_owner(world: World) -> None:
    ref = send(world)
    with connection.cursor() as cur:  # only a broken database can get here; the constraint is dropped in this test's transaction
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE remisser_referral DROP CONSTRAINT referral_owner_unless_draft")
    Referral.objects.filter(pk=ref.pk).update(owner_unit=None)
    with pytest.raises(CommandError) as exc:
        _audit()
    assert "utan ägare: 1" in str(exc.value)


def test_audit_command_exit_code_from_the_shell(world: World) -> None:
    """The exit status regional IT's monitoring sees (a separate process reads committed data only)."""
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run(
        [sys.executable, "manage.py", "referral_audit", "--help"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0 and "--stuck-minutes" in r.stdout


def test_overdue_referral_is_escalated_to_coordinator_and_sender_once(world: World) -> None:
    coordinator = f.make_actor(world.med, role=Assignment.Role.COORDINATOR)
    ref = send(world)
    Referral.objects.filter(pk=ref.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert services.referral_escalate_overdue() == 1
    assert services.referral_escalate_overdue() == 0  # not again within the repeat interval
    notes = ReferralNotification.objects.filter(referral=ref)
    assert {(n.unit_id, n.recipient_id) for n in notes} == {
        (world.med.pk, coordinator.staff.pk),
        (world.vc.pk, world.physician.staff.pk),
    }
    assert ReferralEvent.objects.filter(referral=ref, kind=ReferralEvent.Kind.ESCALATION).count() == 1
    assert [n.pk for n in inbox(coordinator).notifications] == [notes.get(unit=world.med).pk]
    assert [n.referral_id for n in inbox(world.physician).notifications] == [ref.pk]
    assert inbox(world.colleague).notifications == []  # addressed to the coordinator, not everyone
    assert AccessLog.objects.filter(action="referral.escalate").exists()
    later = timezone.now() + dt.timedelta(hours=25)
    assert services.referral_escalate_overdue(now=later) == 1


def test_escalation_falls_back_to_unit_managers(world: World) -> None:
    assign_perm("vardmiljo.manage_unit", world.colleague.staff, world.med)
    ref = send(world)
    Referral.objects.filter(pk=ref.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    services.referral_escalate_overdue()
    assert ReferralNotification.objects.filter(referral=ref, unit=world.med, recipient=world.colleague.staff).exists()


def test_answered_referral_is_not_escalated(world: World) -> None:
    ref = send(world)
    services.referral_accept(actor=world.colleague, referral_id=ref.pk)
    services.referral_answer(actor=world.colleague, referral_id=ref.pk, text="Svar")
    Referral.objects.filter(pk=ref.pk).update(due_date=timezone.localdate() - dt.timedelta(days=5))
    assert services.referral_escalate_overdue() == 0


def test_beat_job_is_registered() -> None:
    from vardmiljo.celery import app

    assert app.conf.beat_schedule["remisser-escalate-overdue"]["task"] == "remisser.tasks.escalate_overdue"
