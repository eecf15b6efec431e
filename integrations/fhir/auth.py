"""Who calls: the bearer token, its assignment and its scopes, as an Actor."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from integrations.fhir import scopes as smart_scopes
from integrations.fhir.models import TokenContext
from integrations.fhir.outcome import FhirError
from integrations.fhir.registry import FhirRequest
from vardmiljo.actor import Actor
from vardmiljo.middleware import client_ip

_PERMISSION_WORDS = {"r": "läsa", "s": "söka", "c": "skapa", "u": "ändra", "d": "ta bort"}


class Unauthorized(FhirError):
    def __init__(self, message: str) -> None:
        super().__init__(401, "login", message)


def authenticate(request: HttpRequest, base: str) -> FhirRequest:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    kind, _, raw = header.partition(" ")
    if kind.lower() != "bearer" or not raw.strip():
        raise Unauthorized("Åtkomsttoken saknas (Authorization: Bearer <token>).")
    checksum = hashlib.sha256(raw.strip().encode()).hexdigest()
    token = AccessToken.objects.select_related("application", "user").filter(token_checksum=checksum).first()
    if token is None or token.expires <= timezone.now():
        raise Unauthorized("Åtkomsttoken är ogiltig eller har gått ut.")
    ctx = TokenContext.objects.select_related("assignment__unit__provider", "client").filter(access_token_id=token.pk).first()
    if ctx is None:
        raise Unauthorized("Åtkomsttoken gäller inget medarbetaruppdrag.")
    assignment, staff = ctx.assignment, token.user
    # A user token acts as its user only while the user and the assignment are valid;
    # a system's own user cannot log in (inactive) and acts only through its client.
    if assignment.staff_id != token.user_id or not assignment.is_active():
        raise Unauthorized("Åtkomsttoken gäller ett medarbetaruppdrag som inte längre är giltigt.")
    if ctx.client is not None and not ctx.client.active:
        raise Unauthorized("Klientsystemet är avstängt.")
    if ctx.client is None and not staff.is_active:
        raise Unauthorized("Användaren är avstängd.")
    actor = Actor(staff=staff, assignment=assignment, client_ip=client_ip(request), client=token.application.client_id)
    return FhirRequest(
        actor=actor,
        context="system" if ctx.client is not None else "user",
        scopes=smart_scopes.resource_scopes(token.scope),
        base=base,
        patient_id=ctx.patient_id,
    )


def require_scope(req: FhirRequest, resource_type: str, permission: str) -> None:
    """The token's scopes must allow `permission` (r, s, c, u) on the type. A patient scope
    allows it only within the token's patient context."""
    contexts = ("system",) if req.context == "system" else ("user", "patient")
    reach = None
    for scope in req.scopes:
        if scope.context not in contexts or not scope.allows(scope.context, resource_type, permission):
            continue
        if scope.context != "patient":
            reach = "all"
            break
        if req.patient_id is not None:
            reach = "patient"
    if reach is not None:
        req.patient_only = reach == "patient"
        return
    word = _PERMISSION_WORDS[permission]
    raise FhirError(
        403,
        "forbidden",
        f"Token saknar scope för att {word} {resource_type} (t.ex. {req.context}/{resource_type}.{'rs' if permission in 'rs' else 'cu'}).",
    )
