"""The authorisation server: django-oauth-toolkit for SMART App Launch (authorization
code with PKCE, OpenID Connect), and the SMART Backend Services token grant
(client_credentials with a JWT assertion signed by the client system's own key).

A token acts in exactly one assignment: a user's the one chosen in the browser when
the app was authorised, a client system's its own (TokenContext)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, set_token_value
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView, TokenView

from integrations.fhir import scopes as smart_scopes
from integrations.fhir.models import GrantContext, SmartClient, TokenContext, UsedAssertion
from vardmiljo.middleware import SESSION_KEY, session_actor

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ["RS384", "ES384"]
# SMART Backend Services: an assertion may live at most five minutes.
ASSERTION_MAX_SECONDS = 300


def fhir_base(request: HttpRequest) -> str:
    return settings.FHIR_BASE_URL or request.build_absolute_uri("/fhir/R4").rstrip("/")


def token_url(request: HttpRequest) -> str:
    if settings.FHIR_BASE_URL:
        return settings.FHIR_BASE_URL.rsplit("/fhir/R4", 1)[0] + reverse("oauth_token")
    return request.build_absolute_uri(reverse("oauth_token"))


def authorize_url(request: HttpRequest) -> str:
    if settings.FHIR_BASE_URL:
        return settings.FHIR_BASE_URL.rsplit("/fhir/R4", 1)[0] + reverse("oauth_authorize")
    return request.build_absolute_uri(reverse("oauth_authorize"))


class SmartValidator(OAuth2Validator):
    """django-oauth-toolkit's validator, carrying the chosen assignment from the
    authorisation to the token, and answering SMART scopes."""

    # SMART: the fhirUser claim comes with the fhirUser scope.
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "fhirUser": "fhirUser"}

    def validate_scopes(self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        # A user's app never gets system scopes: those belong to registered client systems.
        return all(smart_scopes.is_known(s) and not s.startswith("system/") for s in scopes)

    def _create_authorization_code(self, request: Any, code: dict[str, Any], expires: Any = None) -> Any:
        grant = super()._create_authorization_code(request, code, expires)
        GrantContext.objects.create(grant=grant, assignment_id=request.fhir_assignment_id)
        return grant

    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        ctx = GrantContext.objects.filter(grant__code=code, grant__application=client).first()
        if ctx is None:
            return False
        request.fhir_assignment_id = ctx.assignment_id
        return True

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        previous = getattr(request.refresh_token_instance, "access_token", None)
        ctx = TokenContext.objects.filter(access_token=previous).first() if previous else None
        if ctx is None:
            return False
        request.fhir_assignment_id = ctx.assignment_id
        return True

    def _create_access_token(self, expires: Any, request: Any, token: dict[str, Any], source_refresh_token: Any = None) -> Any:
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        assignment_id = getattr(request, "fhir_assignment_id", None)
        if assignment_id is not None:
            TokenContext.objects.create(access_token=access_token, assignment_id=assignment_id)
        return access_token

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        # SMART: the id token names the user as a FHIR resource.
        base = settings.FHIR_BASE_URL
        ref = f"Practitioner/{request.user.pk}"
        return {"fhirUser": f"{base}/{ref}" if base else ref, "name": request.user.get_full_name()}


class SmartAuthorizationView(AuthorizationView):
    """The consent page: the user is logged in and has chosen the assignment the app will act in."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and session_actor(request, request.session.get(SESSION_KEY)) is None:
            return redirect(reverse("choose_assignment") + "?" + urlencode({"next": request.get_full_path()}))
        return super().dispatch(request, *args, **kwargs)

    def create_authorization_response(self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool) -> Any:
        actor = session_actor(request, request.session.get(SESSION_KEY))
        credentials["fhir_assignment_id"] = actor.assignment.pk if actor and actor.assignment else None
        return super().create_authorization_response(request, scopes, credentials, allow)


def _token_error(error: str, description: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(csrf_exempt, name="dispatch")
class SmartTokenView(TokenView):
    """The token endpoint: SMART Backend Services' assertion grant here, every other
    grant (authorization code, refresh) by django-oauth-toolkit."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("client_assertion_type") == ASSERTION_TYPE:
            return backend_services_token(request)
        return super().post(request, *args, **kwargs)


def _client_keys(client: SmartClient) -> list[Any]:
    try:
        return list(jwt.PyJWKSet.from_dict(client.jwks).keys)
    except (jwt.PyJWKSetError, jwt.InvalidKeyError, TypeError, KeyError):
        return []


def backend_services_token(request: HttpRequest) -> JsonResponse:
    if request.POST.get("grant_type") != "client_credentials":
        return _token_error("unsupported_grant_type", "Med en klientassertion ska grant_type vara client_credentials.")
    assertion = request.POST.get("client_assertion", "")
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return _token_error("invalid_client", "Klientassertionen är inte en giltig JWT.", 401)
    if header.get("alg") not in ASSERTION_ALGORITHMS:
        return _token_error("invalid_client", "Klientassertionen ska vara signerad med RS384 eller ES384.", 401)
    client_id = unverified.get("iss")
    client = (
        SmartClient.objects.select_related("application", "assignment__unit__provider", "assignment__staff")
        .filter(application__client_id=str(client_id), active=True)
        .first()
    )
    if client is None:
        return _token_error("invalid_client", "Klientsystemet är inte registrerat.", 401)
    keys = [k for k in _client_keys(client) if not header.get("kid") or k.key_id == header.get("kid")]
    claims: dict[str, Any] | None = None
    for key in keys:
        try:
            claims = jwt.decode(
                assertion,
                key,
                algorithms=ASSERTION_ALGORITHMS,
                audience=token_url(request),
                issuer=client.application.client_id,
                options={"require": ["exp", "iss", "sub", "aud", "jti"]},
                leeway=30,
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            return _token_error("invalid_client", f"Klientassertionen godtas inte: {exc}.", 401)
    if claims is None:
        return _token_error("invalid_client", "Klientassertionens signatur stämmer inte med klientens nycklar.", 401)
    now = timezone.now()
    expires_at = dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
    if claims["sub"] != client.application.client_id:
        return _token_error("invalid_client", "Klientassertionens sub ska vara klientens id.", 401)
    if expires_at > now + dt.timedelta(seconds=ASSERTION_MAX_SECONDS + 30):
        return _token_error("invalid_client", "Klientassertionen får gälla högst fem minuter.", 401)
    if not client.assignment.is_active():
        return _token_error("invalid_client", "Klientsystemets uppdrag är inte giltigt.", 401)
    requested = request.POST.get("scope", "").split()
    allowed = smart_scopes.resource_scopes(client.scope)
    for word in requested:
        scope = smart_scopes.parse(word)
        if scope is None or scope.context != "system" or not any(a.covers(scope) for a in allowed):
            return _token_error("invalid_scope", f"Scope {word!r} är inte tillåtet för klientsystemet.")
    if not requested:
        return _token_error("invalid_scope", "Ange minst ett scope, t.ex. system/*.rs.")
    try:
        with transaction.atomic():
            UsedAssertion.objects.filter(expires_at__lt=now - dt.timedelta(minutes=10)).delete()
            UsedAssertion.objects.create(client=client, jti=str(claims["jti"])[:255], expires_at=expires_at)
            raw = generate_client_secret()
            access_token = AccessToken(
                user=client.assignment.staff,
                application=client.application,
                scope=" ".join(requested),
                expires=now + dt.timedelta(seconds=settings.FHIR_SYSTEM_TOKEN_SECONDS),
            )
            set_token_value(access_token, raw)
            access_token.save()
            TokenContext.objects.create(access_token=access_token, assignment=client.assignment, client=client)
    except IntegrityError:
        return _token_error("invalid_grant", "Klientassertionen har redan använts (jti).")
    response = JsonResponse(
        {
            "access_token": raw,
            "token_type": "bearer",
            "expires_in": settings.FHIR_SYSTEM_TOKEN_SECONDS,
            "scope": " ".join(requested),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def smart_configuration(request: HttpRequest) -> HttpResponse:
    """SMART's discovery document (.well-known/smart-configuration)."""
    body = {
        "issuer": request.build_absolute_uri(reverse("oauth2_provider:oidc-connect-discovery-info")).rsplit("/.well-known", 1)[0],
        "jwks_uri": request.build_absolute_uri(reverse("oauth2_provider:jwks-info")),
        "authorization_endpoint": authorize_url(request),
        "token_endpoint": token_url(request),
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "scopes_supported": list(smart_scopes.OTHER_SCOPES)
        + [f"{c}/*.rs" for c in smart_scopes.CONTEXTS]
        + [f"{c}/*.cruds" for c in smart_scopes.CONTEXTS],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": [
            "launch-standalone",
            "client-public",
            "client-confidential-symmetric",
            "client-confidential-asymmetric",
            "sso-openid-connect",
            "permission-user",
            "permission-v2",
            "permission-v1",
        ],
    }
    return HttpResponse(json.dumps(body), content_type="application/json")
