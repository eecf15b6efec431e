"""What a person (or a system) gets when the server fails: never Django's bare English
"Server Error (500)". Installed as `handler500` in vardmiljo/urls.py, so it also answers
for failures in middleware (the session and the acting assignment read the database
before any view runs), where a view-level handler would never be called.

Rendered without the request context on purpose: the context processors read the
database (the top bar's worklist counters), which may be what just failed.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from vardmiljo.retry import RETRYABLE

RETRY_AFTER_SECONDS = 30


def database_unavailable(exc: BaseException | None) -> bool:
    """The database cannot be reached (refused, gone, shutting down), as opposed to a
    query that failed: PostgreSQL's connection classes 08 and 57P, or no SQLSTATE at all."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc.__context__
    state = getattr(cause, "sqlstate", None)
    if state in RETRYABLE:
        return False
    return state is None or state.startswith("08") or state.startswith("57P")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        status, code = 503, "database_unavailable"
        detail = _("Databasen svarar inte just nu. Försök igen om en stund.")
    else:
        status, code = 500, "server_error"
        detail = _("Ett oväntat fel uppstod på servern. Felet är loggat.")
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"detail": detail, "code": code}, status=status)
    else:
        template = "vardmiljo/503.html" if status == 503 else "vardmiljo/500.html"
        response = HttpResponse(render_to_string(template, {"detail": detail}), status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
