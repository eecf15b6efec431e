"""Issue 12 item 2: list reads are first-class. Every list that shows patients writes one
access-log row naming each listed patient in the typed, indexed `patient_ids` column, and
the patient's log extract (command, page) and the log review find it there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import World, login
from vardmiljo import access, audit, followup
from vardmiljo.actor import system_actor
from vardmiljo.models import AccessLog, Assignment, Outbox, Patient

pytestmark = pytest.mark.django_db


def _listed(patient: Patient, action: str) -> AccessLog:
    """The list row in the patient's extract, as the follow-up query finds it."""
    rows = [r for r in followup.extract_rows(patient.pk) if r.action == action]
    assert rows, f"{action} is missing from the log extract of patient {patient.pk}"
    row = rows[0]
    assert row.patient_id is None and patient.pk in (row.patient_ids or [])
    return row


def _reviewer(world: World):  # type: ignore[no-untyped-def]
    return f.make_actor(world.vc, purpose=Assignment.Purpose.FOLLOW_UP, role=Assignment.Role.LOG_REVIEWER)


# --- The function and the column -----------------------------------------------------


def test_12_2_record_list_writes_one_row_naming_every_patient(world: World) -> None:
    other = f.make_patient(unit=world.vc)
    row_id = access.record_list(world.nurse, "t.list", [world.patient.pk, other.pk, world.patient.pk], detail={"k": 1})
    row = AccessLog.objects.get(pk=row_id)
    assert row.patient_ids == [world.patient.pk, other.pk]  # order kept, duplicates dropped
    assert row.patient_id is None and row.ground == "care_relationship" and row.detail == {"k": 1}
    assert access.record_list(world.nurse, "t.list", []) is None
    assert not AccessLog.objects.filter(action="t.list").exclude(pk=row_id).exists()
    assert access.record_list(system_actor("t"), "t.sys", [other.pk]) is not None
    assert AccessLog.objects.get(action="t.sys").ground == "system"


def test_12_2_list_patients_lists_and_records_in_one_call(world: World) -> None:
    rows = access.list_patients(world.nurse, "t.visible", access.patients_visible_to(world.nurse))
    assert [p.pk for p in rows] == [world.patient.pk]
    _listed(world.patient, "t.visible")


def test_12_2_patient_ids_column_is_gin_indexed_on_the_partitioned_table() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'vardmiljo_accesslog' "
            "AND column_name = 'patient_ids'"
        )
        assert cur.fetchone() == ("ARRAY",)
        # Every partition (the months ahead and the default) carries the GIN index.
        cur.execute(
            "SELECT c.relname, EXISTS (SELECT 1 FROM pg_indexes i WHERE i.tablename = c.relname "
            "AND i.indexdef LIKE '%%USING gin (patient_ids)%%') FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid "
            "WHERE h.inhparent = 'vardmiljo_accesslog'::regclass"
        )
        partitions = dict(cur.fetchall())
    assert len(partitions) >= 5 and all(partitions.values()), partitions


def test_12_2_hash_chain_holds_and_covers_patient_ids(world: World, capsys) -> None:  # type: ignore[no-untyped-def]
    audit.record(world.nurse, "t.one", patient=world.patient)
    rid = access.record_list(world.nurse, "t.list", [world.patient.pk])
    with connection.cursor() as cur:
        # A row without patient_ids hashes exactly as before the column existed.
        cur.execute(
            "SELECT row_hash = encode(sha256(convert_to((to_jsonb(t) - 'row_hash' - 'patient_ids')::text, 'UTF8')), 'hex') "
            "FROM vardmiljo_accesslog t WHERE action = 't.one'"
        )
        assert cur.fetchone() == (True,)
    call_command("audit_verify")
    assert "obruten" in capsys.readouterr().out
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE vardmiljo_accesslog DISABLE TRIGGER accesslog_no_update")
        cur.execute("UPDATE vardmiljo_accesslog SET patient_ids = '{1}' WHERE id = %s", [rid])
        cur.execute("ALTER TABLE vardmiljo_accesslog ENABLE TRIGGER accesslog_no_update")
    with pytest.raises(SystemExit):
        call_command("audit_verify")
    assert f"id={rid}" in capsys.readouterr().err


def test_12_2_log_extract_command_page_and_review_show_list_reads(client, world: World, capsys) -> None:  # type: ignore[no-untyped-def]
    login(client, world.nurse)
    client.get(reverse("home"), {"q": "Karl"})
    _listed(world.patient, "patient.search")
    call_command("log_extract", world.patient.display_identifier)
    assert "patient.search (i en lista)" in capsys.readouterr().out
    reviewer = _reviewer(world)
    login(client, reviewer)
    html = client.get(reverse("log_extract"), {"identifier": world.patient.display_identifier}).content.decode()
    assert "patient.search" in html and "(i en lista)" in html
    rows = followup.review_sample(reviewer, sample=500, since=timezone.now() - dt.timedelta(days=1))
    assert any(r.action == "patient.search" for r in rows)
    _listed(world.patient, "log.review.sample")  # the reviewer saw whose record was read
    html = client.get(reverse("log_review"), {"sample": "500"}).content.decode()
    assert "1 patient i en lista" in html


def test_12_2_another_patient_is_not_in_the_extract(client, world: World) -> None:  # type: ignore[no-untyped-def]
    stranger = f.make_patient(unit=world.med, given_name="Karl", family_name="Karlberg")
    login(client, world.nurse)
    client.get(reverse("home"), {"q": "Karl"})
    assert not [r for r in followup.extract_rows(stranger.pk) if r.action == "patient.search"]


# --- Every list page and endpoint ----------------------------------------------------


def test_12_2_patient_search_page_and_api(client, world: World) -> None:  # type: ignore[no-untyped-def]
    f.make_patient(unit=world.vc, given_name="Karl", family_name="Karlsson")
    login(client, world.nurse)
    assert client.get(reverse("home"), {"q": "Karlsson"}).status_code == 200
    row = _listed(world.patient, "patient.search")
    assert len(row.patient_ids) == 2
    before = AccessLog.objects.filter(action="patient.search").count()
    assert client.get("/api/v1/patients/", {"q": "Karlsson"}).status_code == 200
    assert AccessLog.objects.filter(action="patient.search").count() == before + 1


def _referral(world: World):  # type: ignore[no-untyped-def]
    from tests.remisser.conftest import send

    return send(world)


def test_12_2_referral_inbox_and_outbox_pages_and_api(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        _referral(world)
    finally:
        app.conf.task_always_eager = eager
    login(client, world.colleague)
    assert client.get(reverse("remisser:inbox")).status_code == 200
    assert _listed(world.patient, "referral.inbox").staff_id == world.colleague.staff.pk
    n = AccessLog.objects.filter(action="referral.inbox", patient_ids__contains=[world.patient.pk]).count()
    assert client.get("/api/v1/remisser/inbox/").status_code == 200
    assert AccessLog.objects.filter(action="referral.inbox", patient_ids__contains=[world.patient.pk]).count() == n + 1
    login(client, world.physician)
    assert client.get(reverse("remisser:outbox")).status_code == 200
    _listed(world.patient, "referral.outbox")
    assert client.get("/api/v1/remisser/outbox/").status_code == 200
    assert AccessLog.objects.filter(action="referral.outbox", patient_ids__contains=[world.patient.pk]).count() == 2


def test_12_2_referral_escalation_names_the_patients(world: World) -> None:
    from remisser import services as rs
    from remisser.models import Referral
    from vardmiljo.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        ref = _referral(world)
    finally:
        app.conf.task_always_eager = eager
    Referral.objects.filter(pk=ref.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    assert rs.referral_escalate_overdue() == 1
    _listed(world.patient, "referral.escalate")


def _booking(world: World):  # type: ignore[no-untyped-def]
    from tests.tidbok.helpers import make_resource, make_slot
    from tidbok import services as ts

    resource = make_resource(world.vc)
    slot = make_slot(resource, in_minutes=120)
    ts.booking_create(actor=world.nurse, patient_id=world.patient.pk, slot_id=slot.pk)
    return resource, slot


def test_12_2_day_list_week_page_and_api(client, world: World) -> None:  # type: ignore[no-untyped-def]
    resource, slot = _booking(world)
    day = timezone.localtime(slot.starts_at).date()
    login(client, world.nurse)
    # The page's own parameter is `datum` (late in the evening the booking is tomorrow's).
    assert client.get(reverse("tidbok:daylist"), {"datum": day.isoformat()}).status_code == 200
    _listed(world.patient, "tidbok.daylist.read")
    assert client.get("/api/v1/tidbok/daylist/", {"date": day.isoformat()}).status_code == 200
    assert AccessLog.objects.filter(action="tidbok.daylist.read", patient_ids__contains=[world.patient.pk]).count() == 2
    assert client.get(reverse("tidbok:week", args=[resource.pk]), {"datum": day.isoformat()}).status_code == 200
    _listed(world.patient, "tidbok.week.read")


def test_12_2_waiting_list_page_and_api(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from tidbok import services as ts

    ts.waitlist_add(
        actor=world.nurse,
        patient_id=world.patient.pk,
        unit_id=world.vc.pk,
        priority="three_months",
        due_by=timezone.localdate() + dt.timedelta(days=60),
    )
    login(client, world.nurse)
    assert client.get(reverse("tidbok:waitlist")).status_code == 200
    _listed(world.patient, "tidbok.waitlist.read")
    assert client.get("/api/v1/tidbok/waitlist/").status_code == 200
    assert AccessLog.objects.filter(action="tidbok.waitlist.read", patient_ids__contains=[world.patient.pk]).count() == 2


def test_12_2_unsigned_notes_and_acknowledgements_worklists(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from journal import services as js
    from journal.codes import ensure_defaults
    from journal.queries import clear_template_cache
    from tests.journal.helpers import draft

    ensure_defaults()
    clear_template_cache()
    draft(world)
    js.acknowledgement_request(actor=world.nurse, patient_id=world.patient.pk, summary="Krea 140")
    login(client, world.physician)
    assert client.get(reverse("journal:unsigned")).status_code == 200
    _listed(world.patient, "journal.unsigned.list")
    assert client.get(reverse("journal:acknowledgements")).status_code == 200
    _listed(world.patient, "journal.acknowledgement.list")


def test_12_2_failed_prescriptions_worklist_is_recorded_by_the_query(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from lakemedel import catalogue
    from tests.lakemedel.conftest import order, prescribe

    catalogue.ensure_sample()
    rx = prescribe(world.physician, world.patient.pk, order(world.physician, world.patient.pk, "Alvedon", "500 mg"))
    Outbox.objects.filter(pk=rx.outbox_id).update(status=Outbox.Status.DEAD)
    login(client, world.physician)
    assert client.get(reverse("lakemedel:failed")).status_code == 200
    row = _listed(world.patient, "lakemedel.worklist.read")
    assert row.detail == {"prescriptions": [rx.pk]}
