"""Query counts of the FHIR reads stay flat as data grows (issue 17, speed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal import services as js
from tests import factories as f
from tests.conftest import World
from tests.fhir.conftest import get, user_token

pytestmark = pytest.mark.django_db


def _queries(client, path: str, token: str, **data: object) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        r = get(client, path, token, data=data)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def test_17_observation_search_queries_do_not_grow_with_results(world: World, client) -> None:
    token = user_token(world.physician)
    for i in range(3):
        js.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="pulse", value=60 + i)
    few = _queries(client, "Observation", token, patient=world.patient.pk, _count=100)
    for i in range(30):
        js.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="pulse", value=60 + i)
    many = _queries(client, "Observation", token, patient=world.patient.pk, _count=100)
    assert few == many <= 8


def test_17_patient_read_and_search_queries_pinned(world: World, client) -> None:
    token = user_token(world.physician)
    read = _queries(client, f"Patient/{world.patient.pk}", token)
    search = _queries(client, "Patient", token, identifier=world.patient.identifier)
    for _ in range(20):
        f.make_patient(unit=world.vc, family_name="Karlsson")
    assert _queries(client, f"Patient/{world.patient.pk}", token) == read <= 5
    assert _queries(client, "Patient", token, identifier=world.patient.identifier) == search <= 6
    names = _queries(client, "Patient", token, name="Karlsson", _count=50)
    for _ in range(10):
        f.make_patient(unit=world.vc, family_name="Karlsson")
    assert _queries(client, "Patient", token, name="Karlsson", _count=50) == names
