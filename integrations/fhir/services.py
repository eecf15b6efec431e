"""Writes of the FHIR API's own tables: registering a client system."""

from __future__ import annotations

import json
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from oauth2_provider.models import Application

from integrations.fhir import scopes as smart_scopes
from integrations.fhir.models import SmartClient
from vardmiljo import audit
from vardmiljo.actor import Actor
from vardmiljo.errors import DomainError
from vardmiljo.models import Assignment, CareUnit, Staff


def jwks_from_pem(pem: str, kid: str = "") -> dict[str, Any]:
    """A JWKS holding one public key (RSA for RS384, EC P-384 for ES384)."""
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError:
        raise DomainError("Den publika nyckeln är inte en PEM-nyckel.") from None
    if isinstance(key, rsa.RSAPublicKey):
        jwk, alg = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key)), "RS384"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        jwk, alg = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key)), "ES384"
    else:
        raise DomainError("Nyckeln ska vara RSA eller EC (P-384).")
    jwk.update(alg=alg, use="sig", kid=kid or get_random_string(16))
    return {"keys": [jwk]}


@transaction.atomic
def smart_client_register(
    *,
    actor: Actor,
    name: str,
    unit_hsa_id: str,
    jwks: dict[str, Any],
    scope: str = "system/*.rs",
    purpose: str = "",
    client_id: str = "",
) -> SmartClient:
    """Register a client system: its own (inactive) account, an assignment for care at
    `unit_hsa_id`, an OAuth application and its public keys."""
    unit = CareUnit.objects.filter(hsa_id=unit_hsa_id).first()
    if unit is None:
        raise DomainError(f"Vårdenheten {unit_hsa_id} finns inte.")
    words = scope.split()
    bad = [w for w in words if (s := smart_scopes.parse(w)) is None or s.context != "system"]
    if bad or not words:
        raise DomainError(f"Ogiltiga scopes för ett klientsystem: {', '.join(bad) or '(inga)'}.")
    try:
        keys = list(jwt.PyJWKSet.from_dict(jwks).keys)
    except (jwt.PyJWKSetError, jwt.InvalidKeyError, TypeError, KeyError):
        keys = []
    if not keys:
        raise DomainError("JWKS saknar användbara publika nycklar.")
    client_id = client_id or get_random_string(32)
    if Application.objects.filter(client_id=client_id).exists():
        raise DomainError(f"Klient-id {client_id} finns redan.")
    staff = Staff.objects.create(
        username=f"fhir.{client_id}"[:150],
        first_name="Klientsystem",
        last_name=name[:150],
        profession=Staff.Profession.SYSTEM,
        is_active=False,  # never logs in: acts only through its signed assertion
    )
    staff.set_unusable_password()
    staff.save(update_fields=["password"])
    assignment = Assignment.objects.create(
        staff=staff, unit=unit, purpose=Assignment.Purpose.CARE, role=Assignment.Role.CLINICIAN, valid_from=timezone.now()
    )
    app = Application.objects.create(
        name=name,
        client_id=client_id,
        user=staff,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )
    client = SmartClient.objects.create(application=app, assignment=assignment, jwks=jwks, scope=scope, purpose=purpose)
    audit.record(actor, "fhir.client.register", obj=client, detail={"client_id": client_id, "unit": unit.hsa_id, "scope": scope})
    return client
