"""FHIR test helpers: real tokens (django-oauth-toolkit rows with their assignment) and
validation of every served resource against the R4 models of fhir.resources."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from oauth2_provider.models import AccessToken, Application, set_token_value

from integrations.fhir.models import TokenContext
from vardmiljo.actor import Actor


def app() -> Application:
    application, _ = Application.objects.get_or_create(
        client_id="testapp",
        defaults={
            "name": "Testappen",
            "client_type": Application.CLIENT_PUBLIC,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": "http://127.0.0.1/cb",
        },
    )
    return application


def user_token(actor: Actor, scope: str = "user/*.rs", *, expires_in: int = 3600, patient_id: int | None = None) -> str:
    raw = secrets.token_urlsafe(32)
    token = AccessToken(
        user=actor.staff, application=app(), scope=scope, expires=timezone.now() + dt.timedelta(seconds=expires_in)
    )
    set_token_value(token, raw)
    token.save()
    TokenContext.objects.create(access_token=token, assignment=actor.assignment, patient_id=patient_id)
    return raw


def get(client: Any, path: str, token: str | None, **extra: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(f"/fhir/R4/{path}", **headers, **extra)


def post(client: Any, path: str, token: str, body: Any, content_type: str = "application/fhir+json", **extra: Any) -> Any:
    import json

    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"/fhir/R4/{path}", data=data, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


def valid(resource: dict[str, Any]) -> Any:
    """Every resource served validates against its R4 model (and a Bundle's entries too)."""
    model = get_fhir_model_class(resource["resourceType"])
    parsed = model.model_validate(resource)
    for entry in resource.get("entry", []) if resource["resourceType"] == "Bundle" else []:
        valid(entry["resource"])
    return parsed


def outcome_text(response: Any) -> str:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome", body
    valid(body)
    return body["issue"][0]["diagnostics"]


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def journal_codes(request: pytest.FixtureRequest) -> None:
    """The curated ICD-10-SE/KVÅ codes (a live-server test flushes the migration's rows)."""
    if {"db", "world", "transactional_db", "live_server"} & set(request.fixturenames):
        if "world" in request.fixturenames:
            request.getfixturevalue("world")
        from journal.codes import ensure_defaults

        ensure_defaults()


def clinical_rows(world: Any, patient: Any | None = None) -> dict[str, Any]:
    """One row of each kind the FHIR API serves, written through journal.services by the physician."""
    from journal import services as js
    from lakemedel import catalogue
    from lakemedel import services as ls
    from lakemedel.models import Product
    from remisser import services as rs

    p = patient or world.patient
    a = world.physician
    catalogue.ensure_sample()
    product = Product.objects.filter(name="Alvedon").order_by("pk").first() or Product.objects.order_by("pk").first()
    assert product is not None
    order = ls.order_create(
        actor=a,
        patient_id=p.pk,
        data=ls.OrderInput(
            product_id=product.pk, dose="1", dose_unit=product.dose_unit, frequency="regular", times=2, indication="test"
        ),  # type: ignore[arg-type]
        override_reason="",
    )
    referral = rs.referral_send(
        actor=a, patient_id=p.pk, receiver_unit_id=world.med.pk, priority="inom_2_veckor", question="Bedömning?"
    )
    from tests.tidbok.helpers import make_resource, make_slot
    from tidbok import services as ts

    slot = make_slot(make_resource(world.vc))
    booking = ts.booking_create(actor=a, patient_id=p.pk, slot_id=slot.pk)
    return {
        "Appointment": booking,
        "MedicationRequest": order,
        "MedicationStatement": order,
        "ServiceRequest": referral,
        "Encounter": js.encounter_create(actor=a, patient_id=p.pk, kind="visit"),
        "Observation": js.observation_record(actor=a, patient_id=p.pk, kind="pulse", value="72"),
        "Condition": js.diagnosis_add(actor=a, patient_id=p.pk, code="E11.9"),
        "Procedure": js.procedure_add(actor=a, patient_id=p.pk, code="DT016"),
        "AllergyIntolerance": js.allergy_record(actor=a, patient_id=p.pk, substance="Penicillin", atc_code="J01CE02"),
    }
