"""Request plumbing: the acting assignment, and security headers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from vardmiljo import audit, db
from vardmiljo.actor import Actor
from vardmiljo.models import Assignment, CareProvider, CareUnit, Staff

SESSION_KEY = "assignment_id"


def client_ip(request: HttpRequest) -> str | None:
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def client_ip_for_axes(request: HttpRequest) -> str:
    """The address login throttling counts (AXES_CLIENT_IP_CALLABLE): the same as the access log's."""
    return client_ip(request) or ""


def _staff_from_assignment(request: HttpRequest, a: Assignment) -> Any:
    """The logged-in member of staff, read with the assignment instead of in a query
    of its own, when the session passes the checks django.contrib.auth.get_user makes
    (same backend list, active account, session made with the current password).
    Otherwise None, and request.user is left to Django."""
    session = request.session
    staff = a.staff
    if session.get(auth.BACKEND_SESSION_KEY) != "django.contrib.auth.backends.ModelBackend":
        return None
    if str(session.get(auth.SESSION_KEY)) != str(staff.pk) or not staff.is_active:
        return None
    if not constant_time_compare(session.get(auth.HASH_SESSION_KEY) or "", staff.get_session_auth_hash()):
        return None
    return staff


def actor_for(request: HttpRequest, assignment_id: int | str | None) -> Actor | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not assignment_id:
        return None
    try:
        a = Assignment.objects.active().select_related("unit__provider").get(pk=int(assignment_id), staff=user)
    except (Assignment.DoesNotExist, ValueError, TypeError):
        return None
    return Actor(staff=user, assignment=a, client_ip=client_ip(request))


# The acting assignment with its member of staff, unit and provider, active now: every
# request asks, so it is one prepared statement (the same rule as Assignment.objects.active()).
_ACTOR_SQL = f"""
SELECT {db.columns(Assignment, "a")}, {db.columns(Staff, "s")}, {db.columns(CareUnit, "u")}, {db.columns(CareProvider, "p")}
FROM {Assignment._meta.db_table} a
JOIN {Staff._meta.db_table} s ON s.id = a.staff_id
JOIN {CareUnit._meta.db_table} u ON u.id = a.unit_id
JOIN {CareProvider._meta.db_table} p ON p.id = u.provider_id
WHERE a.id = %s AND a.staff_id = %s AND a.valid_from <= %s AND (a.valid_to IS NULL OR a.valid_to > %s)
"""


def _active_assignment(assignment_id: int, staff_id: int) -> Assignment | None:
    now = timezone.now()
    with db.cursor() as cur:
        cur.execute(_ACTOR_SQL, [assignment_id, staff_id, now, now])
        row = cur.fetchone()
    if row is None:
        return None
    sizes = [len(m._meta.concrete_fields) for m in (Assignment, Staff, CareUnit)]
    ends = [sizes[0], sizes[0] + sizes[1], sum(sizes)]
    a = db.instance(Assignment, row[: ends[0]])
    a.staff = db.instance(Staff, row[ends[0] : ends[1]])
    a.unit = db.instance(CareUnit, row[ends[1] : ends[2]])
    a.unit.provider = db.instance(CareProvider, row[ends[2] :])
    return a


def session_actor(request: HttpRequest, assignment_id: int | str | None) -> Actor | None:
    """The page path: the assignment and the logged-in member of staff in one query."""
    user_id = request.session.get(auth.SESSION_KEY)
    if not user_id or not assignment_id:
        return None
    try:
        a = _active_assignment(int(assignment_id), int(user_id))
    except (ValueError, TypeError, OverflowError):
        return None
    if a is None:
        return None
    staff = _staff_from_assignment(request, a)
    if staff is None:
        return actor_for(request, assignment_id)  # Django's own checks (and logout of a stale session)
    request.user = staff
    return Actor(staff=staff, assignment=a, client_ip=client_ip(request))


class ActorMiddleware:
    """Sets request.actor from the assignment chosen at login (None until chosen
    or once it has expired)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        audit.forget_refusals()
        request.actor = session_actor(request, request.session.get(SESSION_KEY))  # type: ignore[attr-defined]
        response = self.get_response(request)
        # A refused write is refused inside its transaction: its access-log row must stay.
        audit.keep_refusals()
        return response


class IdleTimeoutMiddleware:
    """Idle staff are logged out SESSION_COOKIE_AGE seconds after their last request.
    Renewing the expiry costs a session write, so it is done at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - int(session.get("_renewed", 0)) >= settings.SESSION_RENEW_SECONDS:
                session["_renewed"] = now  # marks the session modified: saved with a new expiry
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy: only our own origin. Nothing leaves the machine."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        else:
            # Django admin uses inline styles in a few widgets.
            response.setdefault(
                "Content-Security-Policy",
                settings.CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
                    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
                ),
            )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cache-Control", "no-store")
        return response
