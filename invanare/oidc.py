"""The relying party: OpenID Connect login with Authlib's Django client, for residents
(the region's e-legitimation provider) and for staff (the region's SITHS provider).

Authorization code with PKCE (S256), the provider found by discovery, and the ID token
checked by Authlib: signature against the provider's published keys, issuer (the one
discovery names), audience (our client id), nonce (bound to this browser's session) and
expiry. A token is accepted once: its hash is kept, so a replayed token is refused."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from invanare.models import UsedIdToken

LEEWAY_SECONDS = 30


class LoginRefused(Exception):
    """The login could not be completed; `message` is for the person logging in."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def _config(kind: str) -> dict[str, str]:
    return settings.INVANARE_OIDC if kind == "resident" else settings.STAFF_OIDC


@lru_cache(maxsize=8)
def _client(kind: str, discovery_url: str, client_id: str, client_secret: str, scope: str) -> Any:
    oauth = OAuth()
    return oauth.register(
        name=kind,
        server_metadata_url=discovery_url,
        client_id=client_id,
        client_secret=client_secret,
        client_kwargs={"scope": scope, "code_challenge_method": "S256", "timeout": 10},
    )


def client(kind: str) -> Any:
    c = _config(kind)
    if not c["discovery_url"] or not c["client_id"]:
        raise LoginRefused(_("Inloggningen är inte konfigurerad. Kontakta regionens IT-support."))
    return _client(kind, c["discovery_url"], c["client_id"], c["client_secret"], c["scope"])


def start(request: HttpRequest, kind: str, redirect_uri: str) -> HttpResponse:
    """Send the browser to the provider (state, nonce and PKCE verifier kept in this
    path's own session). prompt=login: every login is a new authentication."""
    try:
        return client(kind).authorize_redirect(request, redirect_uri, prompt="login")
    except (AuthlibBaseError, requests.RequestException, ValueError, KeyError) as exc:
        raise LoginRefused(_("Inloggningstjänsten svarar inte just nu. Försök igen om en stund."), detail=str(exc)) from None


def finish(request: HttpRequest, kind: str) -> dict[str, Any]:
    """The checked claims of the provider's ID token, or LoginRefused."""
    app = client(kind)
    try:
        metadata = app.load_server_metadata()
        token = app.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "values": [metadata["issuer"]]},
                "exp": {"essential": True},
                "sub": {"essential": True},
            },
            leeway=LEEWAY_SECONDS,
        )
    except (AuthlibBaseError, JoseError) as exc:
        raise LoginRefused(
            _("Inloggningen kunde inte godkännas: svaret från identitetstjänsten var inte giltigt. Försök igen."),
            detail=f"{type(exc).__name__}: {exc}",
        ) from None
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise LoginRefused(_("Inloggningstjänsten svarar inte just nu. Försök igen om en stund."), detail=str(exc)) from None
    claims = token.get("userinfo")
    if not claims or "nonce" not in claims:
        raise LoginRefused(_("Inloggningen kunde inte godkännas: svaret saknade en giltig legitimering."), detail="no id_token")
    _remember(token["id_token"], claims)
    return dict(claims)


def _remember(raw: str, claims: dict[str, Any]) -> None:
    digest = hashlib.sha256(raw.encode()).hexdigest()
    try:
        with transaction.atomic():
            UsedIdToken.objects.create(
                token_hash=digest, issuer=str(claims.get("iss", ""))[:300], subject=str(claims["sub"])[:300]
            )
    except IntegrityError:
        raise LoginRefused(
            _("Inloggningen kunde inte godkännas: legitimeringen har redan använts. Logga in på nytt."), detail="replay"
        ) from None
