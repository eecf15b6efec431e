"""REST plumbing shared by every app's api.py: authentication with an
assignment, the actor permission, and one mapping of domain errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from vardmiljo.api_auth import actor_of
from vardmiljo.errors import Conflict, DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Hittades inte."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class PatientOut(serializers.Serializer):
    id = serializers.IntegerField()
    identifier = serializers.CharField(source="display_identifier")
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    birth_date = serializers.DateField()
    sex = serializers.CharField()
    protected = serializers.BooleanField(source="is_protected")


class PatientSearchOut(serializers.Serializer):
    patient = PatientOut()
    may_open = serializers.BooleanField()


class PatientSearchView(APIView):
    """Search by personnummer (identity lookup) or by name (patients with a care relationship)."""

    serializer_class = PatientSearchOut

    @extend_schema(
        operation_id="patients_search",
        parameters=[OpenApiParameter("q", str, description="personnummer eller namn")],
        responses=PatientSearchOut(many=True),
    )
    def get(self, request: Request) -> Response:
        from vardmiljo.queries import patient_search

        result = patient_search(actor_of(request), request.query_params.get("q", ""))
        if result.error:
            raise DomainError(result.error, field="q")
        return Response(PatientSearchOut([{"patient": p, "may_open": m} for p, m in result.hits], many=True).data)


class PatientDetailView(APIView):
    serializer_class = PatientOut

    @extend_schema(operation_id="patients_read")
    def get(self, request: Request, patient_id: int) -> Response:
        from vardmiljo.access import patient_access

        pa = patient_access(actor_of(request), patient_id, action="api.patient.read")
        return Response(PatientOut(pa.patient).data)
