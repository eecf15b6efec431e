from __future__ import annotations

from django.urls import include, path

from integrations import oidc_login
from integrations.fhir import oauth

urlpatterns = [
    # SMART apps, and the demo identity provider's login clients (integrations/oidc_login.py).
    path("authorize/", oidc_login.authorize, name="oauth_authorize"),
    path("token/", oauth.SmartTokenView.as_view(), name="oauth_token"),
    path("", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
