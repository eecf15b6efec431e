"""REST API under /api/v1/lakemedel/: wiring, status codes, access."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from lakemedel.models import MedicationOrder, Prescription
from tests.conftest import World, login
from tests.lakemedel.conftest import product
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db
BASE = "/api/v1/lakemedel"


def _client(actor) -> APIClient:  # type: ignore[no-untyped-def]
    c = APIClient()
    login(c, actor)
    return c


def test_api_order_prescribe_renew_discontinue(world: World, drugs: None) -> None:
    c = _client(world.physician)
    pid = world.patient.pk
    assert c.get(f"{BASE}/products/", {"q": "levax"}).json()[0]["name"] == "Levaxin"
    p = product("Levaxin", "50 mikrog")
    r = c.post(
        f"{BASE}/patients/{pid}/orders/",
        {"npl_id": p.npl_id, "dose": "1", "dose_unit": "tablett", "frequency": "regular", "times": 1},
        format="json",
    )
    assert r.status_code == 201, r.json()
    oid = r.json()["id"]
    assert r.json()["dosage_text"] == "1 tablett 1 gång dagligen"
    r = c.put(
        f"{BASE}/patients/{pid}/orders/{oid}/",
        {"product_id": p.pk, "dose": "2", "dose_unit": "tablett", "frequency": "regular", "times": 1, "version": 1},
        format="json",
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    r = c.put(
        f"{BASE}/patients/{pid}/orders/{oid}/",
        {"product_id": p.pk, "dose": "3", "dose_unit": "tablett", "frequency": "regular", "times": 1, "version": 1},
        format="json",
    )
    assert r.status_code == 409
    r = c.post(
        f"{BASE}/patients/{pid}/orders/{oid}/prescribe/", {"packages": 1, "idempotency_key": "api-key-0001"}, format="json"
    )
    assert r.status_code == 201 and r.json()["delivery_status"] in ("queued", "delivered")
    rx_id = r.json()["id"]
    body = {"prescription_ids": [rx_id], "idempotency_key": "api-renew-0001"}
    r1 = c.post(f"{BASE}/patients/{pid}/renew/", body, format="json")
    r2 = c.post(f"{BASE}/patients/{pid}/renew/", body, format="json")
    assert r1.status_code == 201 and r1.json()[0]["id"] == r2.json()[0]["id"]
    assert Prescription.objects.filter(renewed_from_id=rx_id).count() == 1
    lst = c.get(f"{BASE}/patients/{pid}/orders/").json()
    assert lst["current"][0]["active_prescriptions"][0]["renewed_from_id"] == rx_id
    r = c.post(f"{BASE}/patients/{pid}/orders/{oid}/discontinue/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "skäl" in r.json()["detail"]
    r = c.post(f"{BASE}/patients/{pid}/orders/{oid}/discontinue/", {"reason": "biverkan"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "discontinued"


def test_api_bad_input_is_400_in_swedish(world: World, drugs: None) -> None:
    c = _client(world.physician)
    r = c.post(
        f"{BASE}/patients/{world.patient.pk}/orders/",
        {"npl_id": "00000000000000", "dose": "1", "dose_unit": "tablett", "frequency": "regular", "times": 1},
        format="json",
    )
    assert r.status_code == 400 and "Okänt läkemedel" in r.json()["detail"] and r.json()["field"] == "product"
    assert MedicationOrder.objects.count() == 0


def test_api_nurse_cannot_prescribe(world: World, drugs: None) -> None:
    r = _client(world.nurse).post(f"{BASE}/patients/{world.patient.pk}/renew/", {"prescription_ids": [1]}, format="json")
    assert r.status_code == 400 and "förskrivarkod" in r.json()["detail"]


@pytest.mark.parametrize("who", ["outsider", "colleague"])
def test_api_refuses_outsider_and_colleague(world: World, drugs: None, who: str) -> None:
    c = _client(getattr(world, who))
    assert c.get(f"{BASE}/patients/{world.patient.pk}/orders/").status_code == 404
    p = product("Levaxin", "50 mikrog")
    r = c.post(
        f"{BASE}/patients/{world.patient.pk}/orders/",
        {"product_id": p.pk, "dose": "1", "dose_unit": "tablett", "frequency": "regular", "times": 1},
        format="json",
    )
    assert r.status_code == 404 and MedicationOrder.objects.count() == 0
    assert AccessLog.objects.filter(staff_id=getattr(world, who).staff.pk, ground="denied").count() == 2


def test_api_pause_resume_history_review(world: World, drugs: None) -> None:
    c = _client(world.physician)
    pid = world.patient.pk
    p = product("Levaxin", "50 mikrog")
    oid = c.post(
        f"{BASE}/patients/{pid}/orders/",
        {"product_id": p.pk, "dose": "1", "dose_unit": "tablett", "frequency": "regular", "times": 1},
        format="json",
    ).json()["id"]
    assert (
        c.post(f"{BASE}/patients/{pid}/orders/{oid}/pause/", {"reason": "inför op"}, format="json").json()["status"] == "paused"
    )
    assert c.post(f"{BASE}/patients/{pid}/orders/{oid}/pause/", {}, format="json").status_code == 400
    assert c.post(f"{BASE}/patients/{pid}/orders/{oid}/resume/", {}, format="json").json()["status"] == "active"
    hist = c.get(f"{BASE}/patients/{pid}/orders/{oid}/history/").json()
    assert [v["kind"] for v in hist] == ["resumed", "paused", "created"] and hist[1]["reason"] == "inför op"
    r = c.post(f"{BASE}/patients/{pid}/review/", {"note": "ok"}, format="json")
    assert r.status_code == 201 and r.json()["note"] == "ok"


def test_12_11_past_is_a_boolean_as_the_schema_says(world: World) -> None:
    c = _client(world.physician)
    url = f"{BASE}/patients/{world.patient.pk}/orders/"
    assert c.get(url, {"past": "true"}).status_code == 200
    assert c.get(url, {"past": "false"}).status_code == 200
    r = c.get(url, {"past": "1"})
    assert r.status_code == 400 and r.json() == {"detail": "past: Ange true eller false.", "code": "invalid", "field": "past"}
