"""Quality registries: who qualifies, what is sent, objection, dry run, the outbox."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from integrations import registries, services
from integrations.models import RegistryTransfer
from integrations.registries import Registry, register, transfer
from tests.integrations.conftest import VC_HSA
from vardmiljo.models import Outbox, Patient

pytestmark = pytest.mark.django_db

ASTRID, NILS = "195001019826", "196205179911"


def test_ndr_payload_has_the_diabetes_variables(imported):
    planned = transfer.plan("ndr")
    assert [p.patient.identifier for p in planned] == [ASTRID]
    payload = planned[0].payload
    assert payload["register"] == "ndr" and payload["format"] == "ndr-json/1"
    assert payload["personnummer"] == ASTRID and payload["rapporterande_enhet"] == VC_HSA
    v = payload["variabler"]
    assert v["diabetestyp"] == "typ2"
    assert v["diagnoser"] == [
        {"kod": "E11.9", "text": "Typ 2-diabetes utan komplikationer", "datum": "2015-06-10", "aktuell": True}
    ]
    assert v["hba1c"] == {"varde": 52.0, "enhet": "mmol/mol", "datum": "2019-03-04"}
    assert v["blodtryck"] == {"systoliskt": 138.0, "diastoliskt": 82.0, "enhet": "mmHg", "datum": "2019-03-04"}
    assert v["bmi"] == {"varde": 28.6, "enhet": "kg/m²", "datum": "2019-03-04", "beraknat": True}
    assert v["rokning"] == {"status": "former", "datum": "2019-03-04"}
    assert [m["atc"] for m in v["diabeteslakemedel"]] == ["A10BA02"]
    json.dumps(payload)  # serialisable as it is sent


def test_objection_stops_every_transfer(imported):
    Patient.objects.filter(identifier=ASTRID).update(registry_objection=True)
    Patient.objects.filter(identifier=NILS).update(registry_objection=True)
    for name in registries.names():
        assert transfer.plan(name) == []
        assert services.registry_transfer_run(registry=name).queued == 0
    assert not RegistryTransfer.objects.exists() and not Outbox.objects.filter(channel="registry").exists()


def test_transfer_queues_new_content_once(imported, monkeypatch):
    monkeypatch.delenv("REGISTRY_NDR_URL", raising=False)
    first = services.registry_transfer_run(registry="ndr")
    assert (first.qualifying, first.queued, first.unchanged) == (1, 1, 0)
    t = RegistryTransfer.objects.get()
    assert t.outbox.channel == "registry" and t.outbox.patient_id == t.patient_id
    assert t.outbox.status == Outbox.Status.QUEUED  # no endpoint configured: visibly queued
    again = services.registry_transfer_run(registry="ndr")
    assert (again.queued, again.unchanged) == (0, 1)
    # A new HbA1c is new content: a new transfer.
    from journal.models import Observation

    astrid = Patient.objects.get(identifier=ASTRID)
    Observation.objects.create(
        patient=astrid, unit=imported["vc"], kind="hba1c", value=48, unit_text="mmol/mol", observed_at=timezone.now()
    )
    assert services.registry_transfer_run(registry="ndr").queued == 1
    assert RegistryTransfer.objects.count() == 2


def test_dry_run_command_shows_what_would_be_sent(imported, capsys):
    call_command("registry_transfer", "ndr", "--dry-run")
    out = capsys.readouterr().out
    first = json.loads(out.splitlines()[0])
    assert first["personnummer"] == ASTRID and first["variabler"]["hba1c"]["varde"] == 52.0
    assert "kvalificerade=1 skulle köas=1 oförändrade=0" in out
    assert not RegistryTransfer.objects.exists() and not Outbox.objects.exists()
    from vardmiljo.models import AccessLog

    row = AccessLog.objects.filter(action="registry.dry_run").latest("id")
    assert row.patient_ids == [Patient.objects.get(identifier=ASTRID).pk]


def test_since_limits_to_patients_with_new_data(imported, capsys):
    call_command("registry_transfer", "ndr", "--dry-run", "--since", "2019-01-01")
    assert "kvalificerade=1" in capsys.readouterr().out
    call_command("registry_transfer", "ndr", "--dry-run", "--since", (dt.date.today()).isoformat())
    assert "kvalificerade=0" in capsys.readouterr().out


def test_unknown_registry_is_refused(db):
    with pytest.raises(CommandError, match="Okänt register"):
        call_command("registry_transfer", "finnsinte")


def test_second_registry_is_only_a_module(imported):
    assert {"ndr", "hjartsvikt"} <= set(registries.names())
    planned = transfer.plan("hjartsvikt")
    assert [p.patient.identifier for p in planned] == [NILS]
    assert planned[0].payload["variabler"] == {"blodtryck": None, "betablockerare": False, "ras_blockad": False}
    assert planned[0].payload["rapporterande_enhet"] == "SE2321000131-E000000000012"


def test_registry_api_registers_a_class_by_name(imported):
    @register
    class Astma(Registry):
        name = "astma_test"
        title = "Test"
        diagnosis_prefixes = ("E11",)

        def variables(self, patient, since=None):  # type: ignore[no-untyped-def]
            return {"alder": patient.age}

    try:
        planned = transfer.plan("astma_test")
        assert planned[0].payload["variabler"]["alder"] == Patient.objects.get(identifier=ASTRID).age
    finally:
        registries._REGISTRIES.pop("astma_test")


def test_nightly_beat_job_queues_every_registry(imported, monkeypatch):
    from integrations import tasks
    from vardmiljo.celery import app

    monkeypatch.delenv("REGISTRY_NDR_URL", raising=False)
    monkeypatch.delenv("REGISTRY_HJARTSVIKT_URL", raising=False)
    assert app.conf.beat_schedule["registry-transfers"]["task"] == "integrations.tasks.registry_transfer_all"
    assert tasks.registry_transfer_all() == {"hjartsvikt": 1, "ndr": 1}
    assert tasks.registry_transfer_all() == {"hjartsvikt": 0, "ndr": 0}
