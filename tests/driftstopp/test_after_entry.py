"""After a downtime (efterregistrering, issue 18): paper notes and measurements are entered with
their original time and marked as registered afterwards; each unit has a worklist of what is
still to enter; reservnummer patients are merged into their real identity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from driftstopp import services
from driftstopp.models import AfterEntryItem
from journal import services as journal
from journal.models import Note, Observation
from tests import factories as f
from tests.conftest import World, login
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import CareRelationship, Patient


@pytest.fixture
def after_outage(world: World, settings, tmp_path):  # type: ignore[no-untyped-def]
    """Karin in Vårdcentral Centrum's last bundle; a downtime of two hours; a patient who got a
    reservnummer at Medicinkliniken during it."""
    settings.DOWNTIME_DIR = str(tmp_path)
    f.make_patient(unit=world.vc, given_name="Utan", family_name="Bokning")  # a relationship, not in any list
    from tests.tidbok.helpers import make_resource, make_slot
    from tidbok import services as tidbok

    slot = make_slot(make_resource(world.vc), in_minutes=90)
    tidbok.booking_create(actor=world.physician, patient_id=world.patient.pk, slot_id=slot.pk)
    services.bundle_write(unit=world.vc)
    started = timezone.now() + dt.timedelta(seconds=1)
    services.episode_start(actor=world.physician, reason="Databasen nere", at=started)
    reserve = Patient.objects.create(
        identifier="992611290001", id_kind=Patient.IdKind.RESERVNUMMER, given_name="Okänd", family_name="Man"
    )
    Patient.objects.filter(pk=reserve.pk).update(created_at=started + dt.timedelta(minutes=30))
    CareRelationship.objects.create(patient=reserve, unit=world.med, ground=CareRelationship.Ground.VISIT)
    services.episode_end(actor=world.physician, at=started + dt.timedelta(hours=2))
    return world, started, reserve


def test_ending_a_downtime_gives_each_unit_its_worklist(after_outage) -> None:  # type: ignore[no-untyped-def]
    world, _started, reserve = after_outage
    items = {(i.unit_id, i.patient_id, i.reservnummer) for i in AfterEntryItem.objects.all()}
    assert items == {(world.vc.pk, world.patient.pk, False), (world.med.pk, reserve.pk, True)}


def test_episode_rules_give_clear_errors(world: World) -> None:
    with pytest.raises(DomainError, match="Inget driftstopp pågår"):
        services.episode_end(actor=world.physician)
    services.episode_start(actor=world.physician)
    with pytest.raises(DomainError, match="pågår redan"):
        services.episode_start(actor=world.physician)
    with pytest.raises(DomainError, match="efter starten"):
        services.episode_end(actor=world.physician, at=timezone.now() - dt.timedelta(hours=1))


def test_worklist_page_lists_and_logs_the_units_patients_only(after_outage, client, audit_rows) -> None:  # type: ignore[no-untyped-def]
    world, _started, reserve = after_outage
    login(client, world.physician)
    page = client.get("/driftstopp/efterregistrering/").content.decode()
    assert world.patient.family_name in page and "Bokning" not in page and reserve.family_name not in page
    assert "efterregistrering=1" in page
    rows = audit_rows(action="downtime.after_entry.list")
    assert rows[-1].patient_ids == [world.patient.pk]
    # The counter in the top bar.
    assert "Efterregistrera" in client.get("/").content.decode()
    login(client, world.outsider)
    assert world.patient.family_name not in client.get("/driftstopp/efterregistrering/").content.decode()


def test_marking_done_is_the_units_own_and_logged(after_outage, client, audit_rows) -> None:  # type: ignore[no-untyped-def]
    world, _started, _reserve = after_outage
    item = AfterEntryItem.objects.get(unit=world.vc)
    with pytest.raises(NotFound):
        services.after_entry_done(actor=world.outsider, item_id=item.pk)
    login(client, world.nurse)
    resp = client.post(f"/driftstopp/efterregistrering/{item.pk}/klar/", {"comment": "Inlagt från papper"})
    assert resp.status_code == 302
    item.refresh_from_db()
    assert item.done_at and item.done_by == world.nurse.staff and item.comment == "Inlagt från papper"
    assert audit_rows(action="downtime.after_entry.done", patient_id=world.patient.pk)
    client.post(f"/driftstopp/efterregistrering/{item.pk}/klar/")  # a double click changes nothing
    item.refresh_from_db()
    assert item.comment == "Inlagt från papper"


def test_a_paper_note_is_entered_with_its_original_time(after_outage, client) -> None:  # type: ignore[no-untyped-def]
    world, _started, _reserve = after_outage
    login(client, world.physician)
    form = client.get(
        f"/journal/patient/{world.patient.pk}/anteckning/ny/?efterregistrering=1&tid=2026-11-29T10:15"
    ).content.decode()
    assert 'id="event_at"' in form and "2026-11-29T10:15" in form
    original = (timezone.localtime() - dt.timedelta(minutes=40)).replace(second=0, microsecond=0)
    resp = client.post(
        f"/journal/patient/{world.patient.pk}/anteckning/ny/",
        {"note_type": "Besöksanteckning", "registered_afterwards": "1", "event_at": original.strftime("%Y-%m-%dT%H:%M")},
    )
    assert resp.status_code == 302
    note = Note.objects.get(patient=world.patient)
    assert note.registered_afterwards and note.event_at == original and note.created_at > original


def test_registered_afterwards_needs_a_past_original_time_and_changes_nothing_otherwise(world: World, client) -> None:
    login(client, world.physician)
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    for event_at in ("", future, "igår"):
        resp = client.post(
            f"/journal/patient/{world.patient.pk}/anteckning/ny/",
            {"note_type": "Besöksanteckning", "registered_afterwards": "1", "event_at": event_at},
        )
        assert resp.status_code == 400 and ("tidpunkten" in resp.content.decode().lower())
    assert not Note.objects.filter(patient=world.patient).exists()


def test_a_paper_measurement_is_entered_with_its_original_time(world: World) -> None:
    at = timezone.now() - dt.timedelta(hours=3)
    obs = journal.observation_record(
        actor=world.nurse, patient_id=world.patient.pk, kind="pulse", value="88", observed_at=at, registered_afterwards=True
    )
    assert obs.registered_afterwards and obs.observed_at == at and obs.recorded_at > at
    with pytest.raises(DomainError):
        journal.observation_record(
            actor=world.nurse, patient_id=world.patient.pk, kind="pulse", value="88", registered_afterwards=True
        )
    assert Observation.objects.filter(patient=world.patient).count() == 1


def test_reservnummer_is_merged_into_the_real_identity(after_outage, capsys, audit_rows) -> None:  # type: ignore[no-untyped-def]
    world, _started, reserve = after_outage
    call_command("patient_merge", reserve.identifier, world.patient.identifier)
    reserve.refresh_from_db()
    assert reserve.merged_into_id == world.patient.pk
    assert CareRelationship.objects.filter(patient=world.patient, unit=world.med).exists()
    assert "sammanslagen" in capsys.readouterr().out
    assert audit_rows(action="patient.merge", patient_id=world.patient.pk)
    with pytest.raises(SystemExit):
        call_command("patient_merge", "19000101-0000", world.patient.identifier)
