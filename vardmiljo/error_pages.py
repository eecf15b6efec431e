"""Django's own error answers (no URL matched, a suspicious request, a defect): under
/api/ the API's error body `{detail, code}` in Swedish, elsewhere Django's pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return JsonResponse({"detail": _("Felaktig begäran."), "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return JsonResponse({"detail": _("Du har inte behörighet till detta."), "code": "permission_denied"}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return JsonResponse({"detail": _("Hittades inte."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


# A defect or a database that does not answer: vardmiljo.views_errors.server_error (handler500).
