"""Imported data obeys the same access rules as everything else; the import
and the simulated registry are not open to anyone."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from integrations import services
from integrations.legacy_import import runner
from tests import factories as f
from vardmiljo.access import patient_access
from vardmiljo.errors import NotFound
from vardmiljo.identifiers import make_personnummer
from vardmiljo.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported_patient(world, tmp_path):  # type: ignore[no-untyped-def]
    pnr = make_personnummer(dt.date(1966, 6, 6), 984)
    path = tmp_path / "x.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "A-1",
                "typ": "anteckning",
                "pnr": pnr,
                "fornamn": "Gun",
                "efternamn": "Import",
                "datum": "2018-01-01",
                "enhet": world.vc.hsa_id,
                "sokord": "Aktuellt",
                "text": "Migrerad text",
            }
        )
        + "\n"
    )
    runner.run_job(services.import_job_create(source="jsonl", path=path).pk)
    return Patient.objects.get(identifier=pnr)


def test_physician_at_the_unit_reads_the_imported_note(world, imported_patient):
    from journal.models import Note

    pa = patient_access(world.physician, imported_patient.pk, action="test.read")
    assert [n.text for n in pa.filter(Note.objects.all())] == ["Aktuellt: Migrerad text"]


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_colleague_and_outsider_are_refused(world, imported_patient, who):
    with pytest.raises(NotFound):
        patient_access(getattr(world, who), imported_patient.pk, action="test.read")


def test_clinicians_cannot_start_imports_in_the_admin(client, world):
    from tests.conftest import login

    login(client, world.physician)
    resp = client.get("/admin/integrations/importjob/add/")
    assert resp.status_code == 302 and "/admin/login/" in resp["Location"]


def test_simulated_registry_is_off_outside_demo(client, db, monkeypatch):
    monkeypatch.setenv("REGISTRY_SIMULATOR", "0")
    resp = client.post(
        "/integrationer/sim/registry/ndr/", data=b"{}", content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    assert resp.status_code == 404


def test_simulated_registry_refuses_bad_requests(client, db):
    assert client.get("/integrationer/sim/registry/ndr/").status_code == 405
    no_key = client.post("/integrationer/sim/registry/ndr/", data=b"{}", content_type="application/json")
    assert no_key.status_code == 400
    wrong = client.post(
        "/integrationer/sim/registry/ndr/",
        data=json.dumps({"register": "stroke"}),
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )
    assert wrong.status_code == 422


def test_protected_flag_not_touched_by_import(world, tmp_path):
    p = f.make_patient(unit=world.vc, protection=Patient.Protection.PROTECTED_REGISTRATION, address="Hemlig 1")
    path = tmp_path / "a.hl7"
    path.write_text(
        "\r".join(
            [
                "MSH|^~\\&|X|Y|V|R|20240101||ADT^A08^ADT_A01|P1|P|2.5",
                f"PID|1||{p.identifier}||{p.family_name}^{p.given_name}|||F",
            ]
        )
    )
    runner.run_job(services.import_job_create(source="hl7", path=path).pk)
    p.refresh_from_db()
    assert p.protection == Patient.Protection.PROTECTED_REGISTRATION and p.address == "Hemlig 1"
