"""The resident's pages under /invanare/: mobile first, plain Swedish, readable without
JavaScript. Thin: each view calls one query or service."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from invanare import oidc, queries, services
from invanare.web import SESSION_RESIDENT, rate_limited, resident_from, resident_required
from vardmiljo.actor import ResidentActor
from vardmiljo.middleware import client_ip


def _resident(request: HttpRequest) -> ResidentActor:
    return request.resident  # type: ignore[attr-defined, no-any-return]


def login_page(request: HttpRequest) -> HttpResponse:
    if resident_from(request) is not None:
        return redirect("invanare:start")
    return render(request, "invanare/login.html", {"error": request.session.pop("login_error", "")})


def login_start(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request) or "-"
    if rate_limited(f"invanare-login:{ip}", settings.INVANARE_LOGIN_RATE):
        services.resident_login_refused(client_ip=ip, reason="rate limit")
        return render(
            request,
            "invanare/login.html",
            {"error": _("För många inloggningsförsök. Vänta en stund och försök igen.")},
            status=429,
        )
    try:
        return oidc.start(request, "resident", request.build_absolute_uri(reverse("invanare:login_done")))
    except oidc.LoginRefused as exc:
        return render(request, "invanare/login.html", {"error": exc.message}, status=503)


def login_done(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    try:
        claims = oidc.finish(request, "resident")
        actor = services.resident_login(claims=claims, client_ip=ip)
    except oidc.LoginRefused as exc:
        if exc.detail:
            services.resident_login_refused(client_ip=ip, reason=exc.detail)
        return render(request, "invanare/login.html", {"error": exc.message}, status=403)
    request.session.cycle_key()
    assert actor.patient is not None
    request.session[SESSION_RESIDENT] = actor.patient.pk
    return redirect("invanare:start")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("invanare:login")


@resident_required
def start(request: HttpRequest) -> HttpResponse:
    subjects, visits = queries.start_page(_resident(request))
    return render(request, "invanare/start.html", {"subjects": subjects, "visits": visits})


@resident_required
def record(request: HttpRequest, patient_id: int) -> HttpResponse:
    rec = queries.record(_resident(request), patient_id)
    return render(request, "invanare/record.html", {"rec": rec, "subject": rec.patient})


@resident_required
def record_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    from invanare.pdf import render_record

    rec = queries.record(_resident(request), patient_id, action="invanare.record.pdf")
    response = HttpResponse(render_record(rec), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="min-journal.pdf"'
    return response


@require_http_methods(["GET"])
@resident_required
def log_extract(request: HttpRequest, patient_id: int) -> HttpResponse:
    month: dt.date | None = None
    raw = request.GET.get("manad", "")
    if raw:
        try:
            month = dt.date.fromisoformat(f"{raw}-01")
        except ValueError:
            month = None
    page = queries.log_month(_resident(request), patient_id, month)
    return render(request, "invanare/log_extract.html", {"page": page, "subject": page.pa.patient})
