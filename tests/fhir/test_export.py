"""Bulk Data $export (issue 17): a Celery job writes NDJSON, the client polls the status,
fetches the files with its token until they expire; one access-log row per exported
patient with the ground of the disclosure."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken, set_token_value

from integrations.fhir.export import expire_old
from integrations.fhir.models import BulkExport, TokenContext
from integrations.fhir.services import smart_client_register
from tests import factories as f
from tests.conftest import World, log_rows
from tests.fhir.conftest import clinical_rows, get, outcome_text, user_token, valid
from vardmiljo.actor import system_actor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_export(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from vardmiljo.celery import app

    settings.FHIR_EXPORT_DIR = str(tmp_path / "export")
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def system_token(world: World, name: str = "Registret", unit=None) -> str:  # type: ignore[no-untyped-def]
    jwks = {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "x"}]}  # never used here: the token is made directly
    client = smart_client_register(
        actor=system_actor("test"),
        name=name,
        unit_hsa_id=(unit or world.vc).hsa_id,
        jwks=jwks,
        client_id=f"reg-{secrets.token_hex(4)}",
    )
    raw = secrets.token_urlsafe(32)
    at = AccessToken(
        user=client.assignment.staff,
        application=client.application,
        scope="system/*.rs",
        expires=timezone.now() + dt.timedelta(minutes=5),
    )
    set_token_value(at, raw)
    at.save()
    TokenContext.objects.create(access_token=at, assignment=client.assignment, client=client)
    return raw


def test_17_export_end_to_end(world: World, client, django_capture_on_commit_callbacks) -> None:
    clinical_rows(world)
    other = f.make_patient(unit=world.priv)  # not the registry's unit's patient
    token = system_token(world)
    r = get(client, "$export", token)
    assert r.status_code == 400 and "respond-async" in outcome_text(r)
    r = get(client, "$export", user_token(world.physician), HTTP_PREFER="respond-async")
    assert r.status_code == 403
    r = get(client, "$export", token, data={"_type": "Spaceship"}, HTTP_PREFER="respond-async")
    assert r.status_code == 400 and "Spaceship" in outcome_text(r)
    with django_capture_on_commit_callbacks(execute=True):
        r = get(client, "$export", token, data={"_type": "Patient,Observation,Condition"}, HTTP_PREFER="respond-async")
    assert r.status_code == 202, r.content
    status_url = r["Content-Location"].replace("http://testserver", "")
    r = client.get(status_url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200, r.content
    manifest = r.json()
    assert manifest["requiresAccessToken"] is True
    counts = {o["type"]: o["count"] for o in manifest["output"]}
    assert counts == {"Patient": 1, "Observation": 1, "Condition": 1}
    for o in manifest["output"]:
        body = client.get(o["url"].replace("http://testserver", ""), HTTP_AUTHORIZATION=f"Bearer {token}")
        assert body.status_code == 200 and body["Content-Type"] == "application/fhir+ndjson"
        lines = b"".join(body.streaming_content).decode().splitlines()
        for line in lines:
            valid(json.loads(line))
        assert str(other.identifier) not in "".join(lines)
    # One access-log row per exported patient, with its ground; none for the other unit's patient.
    rows = log_rows(action="fhir.export")
    assert [(r.patient_id, r.ground) for r in rows] == [(world.patient.pk, "care_relationship")]
    # Another client cannot see or fetch it.
    stranger = system_token(world, "Annat system")
    assert client.get(status_url, HTTP_AUTHORIZATION=f"Bearer {stranger}").status_code == 404
    # Expired: the files are gone.
    BulkExport.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert expire_old() == 1
    assert client.get(status_url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
