"""Staff login through the region's SITHS provider (OpenID Connect): the HSA-id claim
names the member of staff, who then chooses an assignment as after a password login."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from invanare import oidc, services
from vardmiljo.middleware import client_ip


def siths_start(request: HttpRequest) -> HttpResponse:
    try:
        return oidc.start(request, "staff", request.build_absolute_uri(reverse("siths_done")))
    except oidc.LoginRefused as exc:
        return render(request, "invanare/staff_login_error.html", {"error": exc.message}, status=503)


def siths_done(request: HttpRequest) -> HttpResponse:
    try:
        claims = oidc.finish(request, "staff")
        staff = services.staff_login(claims=claims, client_ip=client_ip(request))
    except oidc.LoginRefused as exc:
        if exc.detail:
            services.staff_login_refused(reason=exc.detail)
        return render(request, "invanare/staff_login_error.html", {"error": exc.message}, status=403)
    login(request, staff, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("choose_assignment")
