"""The one authorisation server (django-oauth-toolkit, configured for FHIR/SMART in
integrations/fhir) also serves as the demo identity provider for logging in to this
system: the resident's e-services (personnummer claim) and staff login (HSA-id claim).

Those two login clients (INVANARE_OIDC / STAFF_OIDC client ids, only while DEMO_IDP is
on) are told apart here: their authorisation goes through the demo login picker in the
provider's own session instead of the staff session and assignment choice a SMART app
needs, they ask for login scopes instead of FHIR scopes, and their ID token carries the
identity claim. Every other client is SMART as before."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from oauth2_provider.oauth2_validators import OAuth2Validator

from integrations.fhir.oauth import SmartAuthorizationView, SmartValidator
from integrations.fhir.scopes import SmartScopes
from invanare.idp import LOGIN_SCOPES, DemoAuthorizationView, demo_claims, is_login_client


def _client_id(client: Any, request: Any) -> str:
    return str(getattr(client, "client_id", "") or getattr(request, "client_id", "") or "")


class LoginAwareValidator(SmartValidator):
    oidc_claim_scope = {**SmartValidator.oidc_claim_scope, "personnummer": "personnummer", "hsa_id": "hsa"}

    def _login(self, request: Any, client: Any = None) -> bool:
        return is_login_client(_client_id(client or getattr(request, "client", None), request))

    def validate_scopes(self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if is_login_client(client_id):
            return set(scopes) <= set(LOGIN_SCOPES) and "openid" in scopes
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    def _create_authorization_code(self, request: Any, code: dict[str, Any], expires: Any = None) -> Any:
        if self._login(request):
            return OAuth2Validator._create_authorization_code(self, request, code, expires)
        return super()._create_authorization_code(request, code, expires)

    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        if is_login_client(client_id):
            return OAuth2Validator.validate_code(self, client_id, code, client, request, *args, **kwargs)
        return super().validate_code(client_id, code, client, request, *args, **kwargs)

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        if self._login(request):
            return demo_claims(request.user)
        return super().get_additional_claims(request)


class LoginAwareScopes(SmartScopes):
    def get_all_scopes(self) -> Mapping[str, str]:
        return _WithLogin(super().get_all_scopes())


class _WithLogin(Mapping[str, str]):
    def __init__(self, smart: Mapping[str, str]) -> None:
        self.smart = smart

    def __getitem__(self, key: str) -> str:
        if key in LOGIN_SCOPES and key != "openid":
            return str(LOGIN_SCOPES[key])
        return self.smart[key]

    def __iter__(self) -> Any:
        yield from self.smart
        if settings.DEMO_IDP:
            yield from (k for k in LOGIN_SCOPES if k not in self.smart)

    def __len__(self) -> int:
        return len(list(iter(self)))


_login_view = DemoAuthorizationView.as_view()
_smart_view = SmartAuthorizationView.as_view()


def authorize(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The authorisation endpoint: the login clients through the demo picker, SMART apps as before."""
    if is_login_client(request.GET.get("client_id", "")):
        return _login_view(request, *args, **kwargs)
    return _smart_view(request, *args, **kwargs)
