"""Issue 13 item 5: the prescription worklist shows delivery status in Swedish, not `TemporaryFailure`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World, login
from tests.lakemedel.conftest import order, prescribe
from vardmiljo import outbox

pytestmark = pytest.mark.django_db


def test_13_5_prescription_worklist_in_swedish(client, world: World, drugs: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ERECEPT_ENDPOINT", "http://127.0.0.1:9/erecept")  # discard port: connection refused
    monkeypatch.setenv("ERECEPT_TIMEOUT", "2")
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    rx = prescribe(world.physician, world.patient.pk, o)
    assert outbox.deliver(rx.outbox_id) == "failed"
    login(client, world.physician)
    for url in (reverse("lakemedel:failed"), reverse("lakemedel:list", args=[world.patient.pk])):
        body = client.get(url).content.decode()
        assert "TemporaryFailure" not in body and "Misslyckad (försöker igen)" not in body, url
        assert "Inte levererad, nytt försök görs automatiskt" in body, url
    assert "kunde inte nå mottagaren" in client.get(reverse("lakemedel:failed")).content.decode()
