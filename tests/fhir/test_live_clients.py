"""FHIR over HTTP on a live server (issue 17): the SMART Backend Services flow (a
registered client system's signed JWT assertion), the authorization-code flow with
PKCE for a user's app, and reads and searches through real clients (fhirpy, fhirclient)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.management import call_command
from oauth2_provider.models import Application

from tests.conftest import World, log_rows
from tests.fhir.conftest import clinical_rows, valid

pytestmark = pytest.mark.django_db(transaction=True)


def _register(world: World, tmp_path: Path, key: Any, kid: str, scope: str = "system/*.rs") -> str:
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    path = tmp_path / f"{kid}.pem"
    path.write_bytes(pem)
    call_command(
        "fhir_client",
        "Labbsystemet",
        "--unit",
        world.vc.hsa_id,
        "--public-key",
        str(path),
        "--kid",
        kid,
        "--scope",
        scope,
        "--client-id",
        f"labb-{kid}",
    )
    return f"labb-{kid}"


def _assertion(client_id: str, key: Any, kid: str, aud: str, alg: str = "RS384", **claims: Any) -> str:
    body = {"iss": client_id, "sub": client_id, "aud": aud, "exp": int(time.time()) + 240, "jti": secrets.token_hex(8)}
    body.update(claims)
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def _token(live_server: Any, assertion: str, scope: str = "system/*.rs") -> requests.Response:
    return requests.post(
        f"{live_server.url}/oauth/token/",
        data={
            "grant_type": "client_credentials",
            "scope": scope,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
        timeout=30,
    )


def test_17_backend_services_flow_end_to_end_with_fhirpy_and_fhirclient(world: World, live_server, tmp_path) -> None:
    from fhirclient import server as fhirclient_server
    from fhirclient.models.observation import Observation as FcObservation
    from fhirclient.models.patient import Patient as FcPatient
    from fhirpy import SyncFHIRClient

    rows = clinical_rows(world)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client_id = _register(world, tmp_path, key, "k1")
    aud = f"{live_server.url}/oauth/token/"
    config = requests.get(f"{live_server.url}/fhir/R4/.well-known/smart-configuration", timeout=30).json()
    assert config["token_endpoint"] == aud and "RS384" in config["token_endpoint_auth_signing_alg_values_supported"]

    assertion = _assertion(client_id, key, "k1", aud)
    r = _token(live_server, assertion)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert r.json()["expires_in"] <= 300
    # The same assertion twice is a replay.
    again = _token(live_server, assertion)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # A scope the client was not given, a key that is not the client's, a wrong audience.
    assert _token(live_server, _assertion(client_id, key, "k1", aud), "system/*.cruds").json()["error"] == "invalid_scope"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert _token(live_server, _assertion(client_id, other, "k1", aud)).status_code == 401
    assert _token(live_server, _assertion(client_id, key, "k1", "https://elsewhere/token")).status_code == 401
    assert _token(live_server, _assertion(client_id, key, "k1", aud, alg="RS256")).status_code == 401

    base = f"{live_server.url}/fhir/R4"
    fp = SyncFHIRClient(base, authorization=f"Bearer {token}")
    patient = fp.reference("Patient", str(world.patient.pk)).to_resource()
    valid(patient.serialize())
    observations = fp.resources("Observation").search(patient=str(world.patient.pk)).fetch()
    assert [o["id"] for o in observations] == [str(rows["Observation"].pk)]
    for o in observations:
        valid(o.serialize())
    found = fp.resources("Patient").search(identifier=world.patient.identifier).fetch()
    assert [p["id"] for p in found] == [str(world.patient.pk)]

    srv = fhirclient_server.FHIRServer(None, base_uri=base + "/")
    srv.get_capability()  # our CapabilityStatement, parsed by fhirclient's R4 models
    srv.auth.access_token = token
    fc_patient = FcPatient.read(str(world.patient.pk), srv)
    assert fc_patient.identifier[0].value == world.patient.identifier
    fc_obs = FcObservation.where(struct={"patient": str(world.patient.pk)}).perform_resources(srv)
    assert [o.id for o in fc_obs] == [str(rows["Observation"].pk)]

    # Logged as the client system, in its own assignment, with its client id.
    row = log_rows(action="fhir.patient.read", patient_id=world.patient.pk)[-1]
    assert row.detail["client"] == client_id and row.staff_name.endswith("Labbsystemet")
    assert row.unit_id == world.vc.pk


def test_17_backend_services_es384_key(world: World, live_server, tmp_path) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    client_id = _register(world, tmp_path, key, "e1", scope="system/Patient.rs")
    r = _token(live_server, _assertion(client_id, key, "e1", f"{live_server.url}/oauth/token/", alg="ES384"), "system/Patient.rs")
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    ok = requests.get(
        f"{live_server.url}/fhir/R4/Patient/{world.patient.pk}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert ok.status_code == 200
    no = requests.get(
        f"{live_server.url}/fhir/R4/Observation",
        params={"patient": world.patient.pk},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert no.status_code == 403


def test_17_authorization_code_flow_with_pkce_end_to_end(world: World, live_server) -> None:
    app = Application.objects.create(
        name="Journalappen",
        client_id="journalappen",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1:9/cb",
        skip_authorization=True,
        algorithm=Application.RS256_ALGORITHM,
    )
    s = requests.Session()
    login_page = s.get(f"{live_server.url}/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)  # type: ignore[union-attr]
    s.post(
        f"{live_server.url}/login/",
        data={"username": world.physician.staff.username, "password": "demo", "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{live_server.url}/login/"},
        timeout=30,
    )
    s.get(f"{live_server.url}/uppdrag/", timeout=30)  # the only assignment is chosen
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    r = s.get(
        f"{live_server.url}/oauth/authorize/",
        params={
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": "http://127.0.0.1:9/cb",
            "scope": "openid fhirUser user/*.rs",
            "state": "abc",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302, r.text
    code = re.search(r"code=([^&]+)", r.headers["Location"]).group(1)  # type: ignore[union-attr]
    # Without the verifier the code is worthless.
    bad = requests.post(
        f"{live_server.url}/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:9/cb",
            "client_id": app.client_id,
            "code_verifier": "x" * 50,
        },
        timeout=30,
    )
    assert bad.status_code == 400
    tokens = requests.post(
        f"{live_server.url}/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:9/cb",
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
        timeout=30,
    )
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    id_claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert id_claims["fhirUser"].endswith(f"Practitioner/{world.physician.staff.pk}")
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    r = requests.get(f"{live_server.url}/fhir/R4/Patient/{world.patient.pk}", headers=headers, timeout=30)
    assert r.status_code == 200
    valid(r.json())
    row = log_rows(action="fhir.patient.read", patient_id=world.patient.pk)[-1]
    assert row.staff_id == world.physician.staff.pk and row.assignment_id == world.physician.assignment.pk
    assert row.detail["client"] == "journalappen"
    # The same user's token cannot read what the user could not.
    stranger = requests.get(f"{live_server.url}/fhir/R4/Patient/999999", headers=headers, timeout=30)
    assert stranger.status_code == 404
