"""Authentication and the actor permission for the REST API (kept apart from
vardmiljo.api so DRF can import them while it initialises)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle

from vardmiljo.actor import Actor
from vardmiljo.middleware import SESSION_KEY, actor_for

ASSIGNMENT_HEADER = "HTTP_X_ASSIGNMENT"


class AssignmentTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` plus `X-Assignment: <id>` (or the staff's only assignment)."""


def actor_of(request: Request) -> Actor:
    actor = getattr(request, "_vardmiljo_actor", None)
    if actor is not None:
        return actor
    django_request = request._request
    django_request.user = request.user
    assignment_id = request.META.get(ASSIGNMENT_HEADER)
    if not assignment_id and hasattr(django_request, "session"):
        assignment_id = django_request.session.get(SESSION_KEY)
    if not assignment_id and request.user.is_authenticated:
        only = list(request.user.active_assignments()[:2])
        if len(only) == 1:
            assignment_id = only[0].pk
    actor = actor_for(django_request, assignment_id)
    if actor is None:
        raise exceptions.PermissionDenied(_("Inget giltigt medarbetaruppdrag (ange X-Assignment)."))
    request._vardmiljo_actor = actor  # type: ignore[attr-defined]
    return actor


class HasActor(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        actor_of(request)
        return True


class StaffRateThrottle(UserRateThrottle):
    """API_THROTTLE_RATE per member of staff (a token is its staff's), read when the
    request comes so that operators and tests can change it."""

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATE
