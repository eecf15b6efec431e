"""Operators' commands: one command, one clear answer."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from tests import factories as f
from tests.conftest import World
from vardmiljo import audit
from vardmiljo.models import AccessLog, LogReview, Patient

pytestmark = pytest.mark.django_db


def test_audit_verify_ok_then_names_the_broken_row(world: World, capsys) -> None:  # type: ignore[no-untyped-def]
    audit.record(world.physician, "a", patient=world.patient)
    rid = audit.record(world.physician, "b", patient=world.patient)
    call_command("audit_verify")
    assert "obruten" in capsys.readouterr().out
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE vardmiljo_accesslog DISABLE TRIGGER accesslog_no_update")
        cur.execute("UPDATE vardmiljo_accesslog SET reason = 'ändrad' WHERE id = %s", [rid])
        cur.execute("ALTER TABLE vardmiljo_accesslog ENABLE TRIGGER accesslog_no_update")
    with pytest.raises(SystemExit) as exc:
        call_command("audit_verify")
    assert exc.value.code == 1
    assert f"id={rid}" in capsys.readouterr().err


def test_audit_verify_detects_deleted_row(world: World, capsys) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        audit.record(world.physician, f"r{i}", patient=world.patient)
    mid = AccessLog.objects.get(action="r1")
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE vardmiljo_accesslog DISABLE TRIGGER accesslog_no_update")
        cur.execute("DELETE FROM vardmiljo_accesslog WHERE id = %s", [mid.pk])
        cur.execute("ALTER TABLE vardmiljo_accesslog ENABLE TRIGGER accesslog_no_update")
    after = AccessLog.objects.get(action="r2")
    with pytest.raises(SystemExit):
        call_command("audit_verify")
    assert f"BRUTEN vid rad id={after.pk}" in capsys.readouterr().err


def test_log_extract_lists_accesses(world: World, capsys) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo.access import patient_access

    patient_access(world.physician, world.patient.pk, action="patient.overview")
    call_command("log_extract", world.patient.display_identifier)
    out = capsys.readouterr().out
    assert "patient.overview" in out and world.vc.name in out
    with pytest.raises(CommandError, match="Kontrollsiffran"):
        call_command("log_extract", "19121212-1213")


def test_log_review_samples_flagged_and_marks(world: World, capsys) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo import services

    services.emergency_access_open(actor=world.outsider, patient_id=world.patient.pk, reason="Akut")
    call_command("log_review", "--sample", "5")
    out = capsys.readouterr().out
    assert "emergency_access.open" in out
    row = AccessLog.objects.get(action="emergency_access.open")
    with pytest.raises(CommandError):
        call_command("log_review", "--mark", str(row.pk), "--verdict", "improper")  # needs a comment
    call_command("log_review", "--mark", str(row.pk), "--verdict", "ok")
    assert LogReview.objects.filter(access_log_id=row.pk).exists()
    assert AccessLog.objects.filter(action="log.review.mark").exists()


def test_rotate_keys_reencrypts_with_new_key(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    p = f.make_patient(unit=world.vc, protection=Patient.Protection.CONFIDENTIALITY, address="Gatan 1")
    old = settings.FIELD_ENCRYPTION_KEYS
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, *old]):
        call_command("rotate_keys")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert Patient.objects.get(pk=p.pk).address == "Gatan 1"


def test_audit_partitions_command(capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("audit_partitions", "--months-ahead", "2")
    assert "vardmiljo_accesslog_" in capsys.readouterr().out
