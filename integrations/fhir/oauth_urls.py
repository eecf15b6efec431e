from __future__ import annotations

from django.urls import include, path

from integrations.fhir import oauth

urlpatterns = [
    path("authorize/", oauth.SmartAuthorizationView.as_view(), name="oauth_authorize"),
    path("token/", oauth.SmartTokenView.as_view(), name="oauth_token"),
    path("", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
