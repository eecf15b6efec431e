"""Three sessions by path, each with its own cookie name and its own store.

Staff pages and APIs use Django's session (cookie `sessionid`, table django_session);
the resident's pages under /invanare/ use `invanare_session` (table invanare_residentsession);
the demo identity provider (/demo-idp/, and /oauth/authorize/ for its own login clients)
uses `demo_idp_session`. A request
reads only the session of its own path, so a resident's cookie is never a staff login and
a staff cookie never a resident's, whatever a browser sends."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

RESIDENT_PREFIX = "/invanare/"
SAMESITE: Literal["Lax"] = "Lax"  # the resident's and the provider's cookies, as the staff one
IDP_PREFIX = "/demo-idp/"
AUTHORIZE_PATH = "/oauth/authorize/"


class ResidentSessionStore(DbStore):
    @classmethod
    def get_model_class(cls):
        from invanare.models import ResidentSession

        return ResidentSession

    def get_session_cookie_age(self) -> int:
        return int(settings.INVANARE_SESSION_SECONDS)


class IdpSessionStore(DbStore):
    @classmethod
    def get_model_class(cls):
        from invanare.models import IdpSession

        return IdpSession

    def get_session_cookie_age(self) -> int:
        return 10 * 60


def _kind(request: HttpRequest) -> str:
    path = request.path_info
    if path.startswith(RESIDENT_PREFIX):
        return "resident"
    if path.startswith(IDP_PREFIX):
        return "idp"
    if path == AUTHORIZE_PATH:
        from invanare.idp import is_login_client

        # The demo provider's login clients authorise in its own session; SMART apps in the staff one.
        if is_login_client(request.GET.get("client_id", "")):
            return "idp"
    return "staff"


class SplitSessionMiddleware(SessionMiddleware):
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.stores: dict[str, Any] = {"staff": self.SessionStore, "resident": ResidentSessionStore, "idp": IdpSessionStore}
        self.cookies = {
            "staff": settings.SESSION_COOKIE_NAME,
            "resident": settings.INVANARE_SESSION_COOKIE_NAME,
            "idp": settings.IDP_SESSION_COOKIE_NAME,
        }

    def process_request(self, request: HttpRequest) -> None:
        kind = _kind(request)
        request._session_kind = kind  # type: ignore[attr-defined]
        request.session = self.stores[kind](request.COOKIES.get(self.cookies[kind]))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        kind = getattr(request, "_session_kind", "staff")
        if kind == "staff":
            return super().process_response(request, response)
        # Django's own logic, with this path's cookie name; the resident and IdP cookies
        # always expire with their sessions (never "until the browser closes" only).
        name = self.cookies[kind]
        session = request.session
        try:
            accessed, modified, empty = session.accessed, session.modified, session.is_empty()
        except AttributeError:
            return response
        if name in request.COOKIES and empty:
            response.delete_cookie(name, path="/", samesite=SAMESITE)
            patch_vary_headers(response, ("Cookie",))
            return response
        if accessed:
            patch_vary_headers(response, ("Cookie",))
        if (modified or settings.SESSION_SAVE_EVERY_REQUEST) and not empty and response.status_code < 500:
            max_age = session.get_expiry_age()
            session.save()
            response.set_cookie(
                name,
                session.session_key or "",
                max_age=max_age,
                expires=http_date(time.time() + max_age),
                path="/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite=SAMESITE,
            )
        return response
