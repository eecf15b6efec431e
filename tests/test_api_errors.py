"""Item 11: every API error is {detail, code[, field]} in Swedish, and the schema says so."""

from __future__ import annotations

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import World, login

pytestmark = pytest.mark.django_db


def test_12_11_malformed_json_is_a_swedish_parse_error(client: Client, world: World) -> None:
    login(client, world.physician)
    r = client.post(f"/api/v1/journal/patients/{world.patient.pk}/notes/", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Begäran kunde inte tolkas: innehållet är inte giltig JSON eller giltiga formulärdata.",
        "code": "parse_error",
    }


def test_12_11_multipart_is_refused_in_swedish(client: Client, world: World) -> None:
    login(client, world.physician)
    r = client.post(f"/api/v1/journal/patients/{world.patient.pk}/notes/", data={"note_type": "x"})  # multipart
    assert r.status_code == 415, r.json()
    assert r.json()["code"] == "unsupported_media_type" and "stöds inte" in r.json()["detail"]


def test_12_11_validation_not_found_unauthenticated_and_unknown_url(client: Client, world: World) -> None:
    r = client.get("/api/v1/patients/", {"q": "x"})
    assert r.status_code == 403 and r.json() == {"detail": "Inloggning krävs.", "code": "not_authenticated"}
    login(client, world.physician)
    r = client.get("/api/v1/patients/999999999/")
    assert r.status_code == 404 and r.json() == {"detail": "Hittades inte.", "code": "not_found"}
    r = client.get("/api/v1/patients/inte-ett-id/")  # no URL matches: Django's 404, same body
    assert r.status_code == 404 and r.json() == {"detail": "Hittades inte.", "code": "not_found"}
    r = client.get("/api/v1/remisser/inbox/", {"offset": "-1"})
    assert r.status_code == 400 and r.json()["field"] == "offset" and r.json()["code"] == "min_value"
    r = client.post(
        f"/api/v1/journal/patients/{world.patient.pk}/observations/", data={"kind": "puls"}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "kind" and "Okänt mätvärde" in r.json()["detail"]


def test_12_11_every_operation_documents_the_error_statuses_with_the_error_schema() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["schemas"]["Fel"]["required"] == ["detail", "code"]
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 30
    for path, method, op in operations:
        for status in ("400", "401", "403", "404", "409", "429"):
            content = op["responses"][status]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Fel"}, (path, method, status)
        assert "multipart/form-data" not in op.get("requestBody", {}).get("content", {}), (path, method)


def test_12_11_query_parameters_are_typed_in_the_schema() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    params = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/lakemedel/patients/{patient_id}/orders/"]["get"]["parameters"]
    }
    assert params["past"]["type"] == "boolean"
    slots = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/tidbok/slots/"]["get"]["parameters"]}
    assert slots["first_available"]["type"] == "boolean" and slots["date"]["format"] == "date"
    assert slots["resource"]["type"] == "integer"
