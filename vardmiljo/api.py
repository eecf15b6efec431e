"""REST plumbing shared by every app's api.py: authentication with an
assignment, the actor permission, and one mapping of domain errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from vardmiljo.api_auth import actor_of
from vardmiljo.errors import Conflict, DomainError


def _first_error(detail: Any, path: str = "") -> tuple[str, str, str]:
    """(field, message, code) of the first message in a ValidationError's detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = path if key in ("non_field_errors", "__all__") else (f"{path}.{key}" if path else str(key))
            return _first_error(value, name)
    if isinstance(detail, list) and detail:
        for n, value in enumerate(detail):
            if value:  # a list of items: the first item with an error
                inner = path if not isinstance(value, dict | list) else (f"{path}[{n}]" if path else f"[{n}]")
                return _first_error(value, inner)
    return path, str(detail), str(getattr(detail, "code", "") or "invalid")


def _error(status_code: int, detail: str, code: str, field: str = "", headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if field:
        body["field"] = field
    return Response(body, status=status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as `{detail, code[, field]}` in Swedish (the schema's Fel), whatever
    raised it: our services, DRF's parsers, validation, authentication or throttling."""
    if isinstance(exc, Conflict):
        return _error(status.HTTP_409_CONFLICT, exc.message, exc.code, exc.field or "")
    if isinstance(exc, DomainError):
        return _error(status.HTTP_400_BAD_REQUEST, exc.message, exc.code, exc.field or "")
    if isinstance(exc, Http404 | exceptions.NotFound):
        return _error(status.HTTP_404_NOT_FOUND, _("Hittades inte."), "not_found")
    if isinstance(exc, DjangoPermissionDenied):
        return _error(status.HTTP_403_FORBIDDEN, str(exc) or _("Du har inte behörighet till detta."), "permission_denied")
    if isinstance(exc, exceptions.ValidationError):
        field, message, code = _first_error(exc.detail)
        detail = f"{field}: {message}" if field else message
        return _error(status.HTTP_400_BAD_REQUEST, detail, code, field)
    if isinstance(exc, exceptions.ParseError):
        return _error(
            status.HTTP_400_BAD_REQUEST,
            _("Begäran kunde inte tolkas: innehållet är inte giltig JSON eller giltiga formulärdata."),
            "parse_error",
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _error(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            _("Innehållstypen stöds inte; skicka application/json."),
            "unsupported_media_type",
        )
    if isinstance(exc, exceptions.Throttled):
        wait = int(getattr(exc, "wait", None) or 1)
        return _error(
            status.HTTP_429_TOO_MANY_REQUESTS,
            _("För många anrop. Försök igen om %(s)d sekunder.") % {"s": wait},
            "throttled",
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response = drf_exception_handler(exc, context)  # keeps WWW-Authenticate when there is one
        code = "not_authenticated" if isinstance(exc, exceptions.NotAuthenticated) else "authentication_failed"
        message = _("Inloggning krävs.") if code == "not_authenticated" else _("Inloggningen misslyckades (ogiltig token).")
        headers = (
            {"WWW-Authenticate": response["WWW-Authenticate"]} if response and response.has_header("WWW-Authenticate") else None
        )
        return _error(response.status_code if response else 401, message, code, headers=headers)
    if isinstance(exc, exceptions.PermissionDenied):
        text = str(exc.detail)
        if text.startswith("CSRF Failed"):
            text = _("CSRF-kontrollen misslyckades: skicka CSRF-token, eller använd token-inloggning.")
        elif text == str(exceptions.PermissionDenied.default_detail):
            text = _("Du har inte behörighet till detta.")
        return _error(status.HTTP_403_FORBIDDEN, text, "permission_denied")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _error(status.HTTP_405_METHOD_NOT_ALLOWED, _("Metoden är inte tillåten här."), "method_not_allowed")
    if isinstance(exc, exceptions.NotAcceptable):
        return _error(
            status.HTTP_406_NOT_ACCEPTABLE, _("Svarsformatet kan inte levereras; begär application/json."), "not_acceptable"
        )
    if isinstance(exc, exceptions.APIException):
        return _error(exc.status_code, str(exc.detail), str(exc.default_code))
    return None  # a defect: Django's 500


class Fel(serializers.Serializer):
    """The body of every API error."""

    detail = serializers.CharField(help_text="Felet, på svenska")
    code = serializers.CharField(help_text="Maskinläsbar felkod, t.ex. invalid, not_found, throttled")
    field = serializers.CharField(required=False, help_text="Fältet eller parametern som felet gäller")


class StrictBooleanField(serializers.BooleanField):
    """A query flag as OpenAPI writes a boolean: `true` or `false`, nothing else
    (DRF's BooleanField also takes 1, yes, on, … which the schema does not promise)."""

    TRUE_VALUES = {"true", True}
    FALSE_VALUES = {"false", False}
    NULL_VALUES: set[Any] = set()
    default_error_messages = {"invalid": _l("Ange true eller false.")}


def query(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """The request's query parameters, validated by the serializer the view also gives
    drf-spectacular (`@extend_schema(parameters=[serializer_class])`): typed as documented,
    or a 400 naming the parameter."""
    # A plain dict, not the QueryDict: DRF would read an empty `?date=` as "not given",
    # where the schema says a date.
    s = serializer_class(data=request.query_params.dict())
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200, help_text="personnummer eller namn")


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

    @extend_schema(operation_id="patients_search", parameters=[SearchQuery], responses=PatientSearchOut(many=True))
    def get(self, request: Request) -> Response:
        from vardmiljo.queries import patient_search

        result = patient_search(actor_of(request), query(request, SearchQuery)["q"])
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
