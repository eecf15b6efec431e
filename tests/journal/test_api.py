"""REST wiring: status codes, error mapping (400/404/409), access."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from journal.models import Note
from tests.conftest import World
from tests.journal.helpers import VISIT, doctor_template

pytestmark = pytest.mark.django_db


def _client(actor) -> APIClient:  # type: ignore[no-untyped-def]
    c = APIClient()
    c.force_authenticate(actor.staff)
    c.credentials(HTTP_X_ASSIGNMENT=str(actor.assignment.pk))
    return c


def test_note_create_save_sign_and_list(world: World) -> None:
    c = _client(world.physician)
    base = f"/api/v1/journal/patients/{world.patient.pk}/notes/"
    r = c.post(base, {"template": doctor_template().pk}, format="json")
    assert r.status_code == 201, r.content
    note = r.json()
    assert note["status"] == "draft" and note["headings"][0]["heading"] == "Aktuellt"
    r = c.patch(f"/api/v1/journal/notes/{note['id']}/", {"revision": note["revision"], "headings": VISIT}, format="json")
    assert r.status_code == 200 and r.json()["revision"] == note["revision"] + 1
    r = c.patch(f"/api/v1/journal/notes/{note['id']}/", {"revision": note["revision"], "headings": VISIT}, format="json")
    assert r.status_code == 409 and "ändrats" in r.json()["detail"]
    r = c.post(f"/api/v1/journal/notes/{note['id']}/sign/", {"revision": note["revision"] + 1}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "signed"
    r = c.get(base, {"q": "hosta"})
    assert r.status_code == 200 and [n["id"] for n in r.json()["results"]] == [note["id"]]


def test_empty_note_sign_is_400(world: World) -> None:
    c = _client(world.physician)
    r = c.post(f"/api/v1/journal/patients/{world.patient.pk}/notes/", {"note_type": "Anteckning"}, format="json")
    r = c.post(f"/api/v1/journal/notes/{r.json()['id']}/sign/", {"revision": 1}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "empty"


def test_diagnoses_and_observations(world: World) -> None:
    c = _client(world.physician)
    r = c.post(f"/api/v1/journal/patients/{world.patient.pk}/diagnoses/", {"code": "E119"}, format="json")
    assert r.status_code == 201 and r.json()["code"] == "E11.9"
    r = c.post(f"/api/v1/journal/patients/{world.patient.pk}/diagnoses/", {"code": "E11.99"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "code" and "Menade du" in r.json()["detail"]
    assert len(c.get(f"/api/v1/journal/patients/{world.patient.pk}/diagnoses/").json()) == 1
    r = c.post(f"/api/v1/journal/patients/{world.patient.pk}/observations/", {"kind": "pulse", "value": "900"}, format="json")
    assert r.status_code == 400 and "20–250" in r.json()["detail"]
    r = c.post(f"/api/v1/journal/patients/{world.patient.pk}/observations/", {"kind": "bp", "value": "130/80"}, format="json")
    assert r.status_code == 201 and r.json()["display"] == "130/80 mmHg"
    assert c.get("/api/v1/journal/codes/icd10/", {"q": "J06"}).json()[0]["code"] == "J06.9"


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_api_refuses_without_relationship(world: World, who: str) -> None:
    c = _client(getattr(world, who))
    assert c.get(f"/api/v1/journal/patients/{world.patient.pk}/notes/").status_code == 404
    assert c.post(f"/api/v1/journal/patients/{world.patient.pk}/notes/", {"note_type": "X"}, format="json").status_code == 404
    assert c.get(f"/api/v1/journal/patients/{world.patient.pk}/observations/").status_code == 404
    assert not Note.objects.exists()


def test_schema_generates(world: World) -> None:
    c = _client(world.physician)
    r = c.get("/api/v1/schema/")
    assert r.status_code == 200 and b"/api/v1/journal/notes/{note_id}/sign/" in r.content


def test_encounter_via_api_and_note_joins_todays_encounter(world: World) -> None:
    c = _client(world.physician)
    r = c.post(f"/api/v1/journal/patients/{world.patient.pk}/encounters/", {"kind": "phone"}, format="json")
    assert r.status_code == 201, r.content
    r2 = c.post(f"/api/v1/journal/patients/{world.patient.pk}/notes/", {"template": doctor_template().pk}, format="json")
    assert Note.objects.get(pk=r2.json()["id"]).encounter_id == r.json()["id"]
    assert c.post(f"/api/v1/journal/patients/{world.patient.pk}/encounters/", {"kind": "x"}, format="json").status_code == 400
