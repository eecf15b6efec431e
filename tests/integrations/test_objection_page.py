"""The patient's quality-registry page: the objection (PDL 7 kap. 2 §) is recorded
on the patient's request, logged, and stops transfers not yet delivered."""

from __future__ import annotations

import pytest

from integrations import services
from integrations.models import RegistryTransfer
from integrations.registries import transfer
from tests.conftest import login
from vardmiljo import outbox
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.models import AccessLog, Outbox

pytestmark = pytest.mark.django_db

URL = "/integrationer/patient/{}/kvalitetsregister/"


def _queue(patient):  # type: ignore[no-untyped-def]
    payload = {"register": "ndr", "personnummer": patient.identifier, "variabler": {}}
    return transfer.transfer_enqueue(registry="ndr", patient=patient, payload=payload, sha256=transfer.payload_hash(payload))


def test_physician_records_the_objection_and_queued_transfers_stop(client, world, monkeypatch):
    monkeypatch.delenv("REGISTRY_NDR_URL", raising=False)
    t = _queue(world.patient)
    login(client, world.physician)
    page = client.get(URL.format(world.patient.pk)).content.decode()
    assert "Patienten har inte motsatt sig registrering." in page and "Nationella diabetesregistret" in page
    resp = client.post(URL.format(world.patient.pk), {"objection": "1", "patient_statement": "Muntligt vid besöket"})
    assert resp.status_code == 302
    world.patient.refresh_from_db()
    assert world.patient.registry_objection
    t.refresh_from_db()
    assert t.status == RegistryTransfer.Status.CANCELLED
    # Even if the objection is withdrawn before delivery, the stopped transfer is never sent.
    services.registry_objection_set(
        actor=world.physician, patient_id=world.patient.pk, objection=False, patient_statement="Ändrade sig"
    )
    assert outbox.deliver(t.outbox_id) == Outbox.Status.DEAD
    row = AccessLog.objects.get(action="registry.objection.set", patient_id=world.patient.pk)
    assert row.reason == "Muntligt vid besöket" and row.detail == {"cancelled_transfers": 1}
    assert AccessLog.objects.filter(action="registry.objection.withdrawn", patient_id=world.patient.pk).exists()
    assert "Patienten har inte motsatt sig" in client.get(URL.format(world.patient.pk)).content.decode()


def test_statement_is_required_and_nothing_changes(client, world):
    login(client, world.nurse)
    resp = client.post(URL.format(world.patient.pk), {"objection": "1", "patient_statement": " "})
    assert resp.status_code == 200 and "Patientens besked" in resp.content.decode()
    with pytest.raises(DomainError, match="patientens begäran"):
        services.registry_objection_set(actor=world.nurse, patient_id=world.patient.pk, objection=True, patient_statement="")
    world.patient.refresh_from_db()
    assert not world.patient.registry_objection
    assert not AccessLog.objects.filter(action="registry.objection.set", patient_id=world.patient.pk).exists()


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_colleague_and_outsider_are_refused(client, world, who):
    actor = getattr(world, who)
    login(client, actor)
    assert client.get(URL.format(world.patient.pk)).status_code == 404
    assert client.post(URL.format(world.patient.pk), {"objection": "1", "patient_statement": "x"}).status_code == 404
    with pytest.raises(NotFound):
        services.registry_objection_set(actor=actor, patient_id=world.patient.pk, objection=True, patient_statement="x")
    world.patient.refresh_from_db()
    assert not world.patient.registry_objection


def test_page_query_count_is_flat(client, world, django_assert_max_num_queries, monkeypatch):
    monkeypatch.delenv("REGISTRY_NDR_URL", raising=False)
    login(client, world.physician)
    client.get(URL.format(world.patient.pk))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(URL.format(world.patient.pk))
    for i in range(30):
        RegistryTransfer.objects.create(registry="ndr", patient=world.patient, payload_sha256=f"{i:064d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "ndr" in client.get(URL.format(world.patient.pk)).content.decode()


def test_patient_nav_links_to_the_page(client, world):
    login(client, world.physician)
    page = client.get(f"/patient/{world.patient.pk}/").content.decode()
    assert URL.format(world.patient.pk) in page and "Kvalitetsregister" in page


def test_withdrawn_objection_lets_the_stopped_content_go(world, monkeypatch):
    monkeypatch.delenv("REGISTRY_NDR_URL", raising=False)
    t = _queue(world.patient)
    services.registry_objection_set(
        actor=world.physician, patient_id=world.patient.pk, objection=True, patient_statement="Nej tack"
    )
    services.registry_objection_set(
        actor=world.physician, patient_id=world.patient.pk, objection=False, patient_statement="Ja ändå"
    )
    again = _queue(world.patient)
    assert again.pk == t.pk and again.status == RegistryTransfer.Status.QUEUED and again.outbox_id != t.outbox_id
    assert Outbox.objects.filter(channel="registry", object_id=str(t.pk)).count() == 2
