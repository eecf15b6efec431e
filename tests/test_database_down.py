"""Issue 13 item 6: with the database down, pages get a Swedish 503 page and API clients
JSON with Retry-After. The failure is real: the connection points at a closed port."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection

from tests.conftest import World, login
from tests.db_faults import database_down
from vardmiljo.views_errors import database_unavailable

pytestmark = pytest.mark.django_db(transaction=True)


def test_13_6_the_failure_is_real() -> None:
    with database_down(), pytest.raises(OperationalError) as caught:
        connection.ensure_connection()
    assert database_unavailable(caught.value)


def test_13_6_page_is_a_swedish_503(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    client.raise_request_exception = False
    with database_down():
        for url in ("/", f"/patient/{world.patient.pk}/"):
            r = client.get(url)
            assert r.status_code == 503, url
            body = r.content.decode()
            assert "Databasen svarar inte just nu" in body and "finns kvar i webbläsaren" in body
            assert "Server Error" not in body
            assert r["Retry-After"] == "30"
            assert "default-src 'self'" in r["Content-Security-Policy"]
    assert client.get("/").status_code == 200  # back when the database is


def test_13_6_api_gets_json_with_retry_after(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    client.raise_request_exception = False
    with database_down():
        r = client.get("/api/v1/patients/?q=Karlsson", HTTP_X_ASSIGNMENT=str(world.physician.assignment.pk))
    assert r.status_code == 503 and r["Content-Type"] == "application/json"
    assert r.json() == {"detail": "Databasen svarar inte just nu. Försök igen om en stund.", "code": "database_unavailable"}
    assert int(r["Retry-After"]) > 0


def test_13_6_other_server_errors_are_swedish_too(client, world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo import views

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("oväntat")

    monkeypatch.setattr(views, "patient_search", boom)
    login(client, world.physician)
    client.raise_request_exception = False
    r = client.get("/?q=Karlsson")
    assert r.status_code == 500 and "Ett oväntat fel uppstod" in r.content.decode()
    assert "Retry-After" not in r
