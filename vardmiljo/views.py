"""Browser pages of the shell: login, assignment, search, patient overview,
emergency access, and the follow-up pages (log extract, log review)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from vardmiljo import access, registry, services
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.middleware import SESSION_KEY
from vardmiljo.queries import overview_access, patient_search
from vardmiljo.web import actor_required, form_error, get_actor, safe_next


class LoginView(auth_views.LoginView):
    """Password login (demo and administrators); off with STAFF_PASSWORD_LOGIN=0, where SITHS
    (OpenID Connect, /login/siths/) is the only way in."""

    template_name = "vardmiljo/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.STAFF_PASSWORD_LOGIN:
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["password_login"] = settings.STAFF_PASSWORD_LOGIN
        ctx["siths_login"] = bool(settings.STAFF_OIDC["discovery_url"] and settings.STAFF_OIDC["client_id"])
        return ctx


def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    if request.method == "POST":
        logout(request)
    return redirect("login")


@require_http_methods(["GET", "POST"])
def choose_assignment(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    assignments = list(request.user.active_assignments())
    if request.method == "POST":
        chosen = request.POST.get("assignment")
        if any(str(a.pk) == chosen for a in assignments):
            request.session[SESSION_KEY] = int(chosen or 0)
            return redirect(safe_next(request, request.POST.get("next"), "home"))
    elif len(assignments) == 1:
        request.session[SESSION_KEY] = assignments[0].pk
        return redirect(safe_next(request, request.GET.get("next"), "home"))
    if not assignments and request.user.is_staff:
        return redirect("admin:index")
    return render(
        request,
        "vardmiljo/choose_assignment.html",
        {
            "assignments": assignments,
            "error": _("Du har inget giltigt medarbetaruppdrag.") if not assignments else "",
        },
    )


@actor_required
def home(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    result = patient_search(actor, request.GET.get("q", ""))
    if request.GET.get("q") and len(result.hits) == 1 and result.hits[0][1] and not result.error:
        return redirect("patient_overview", patient_id=result.hits[0][0].pk)
    template = "vardmiljo/_search_results.html" if request.headers.get("HX-Request") else "vardmiljo/home.html"
    return render(request, template, {"result": result})


@actor_required
def patient_overview(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        pa = overview_access(actor, patient_id)
    except NotFound:
        return render(request, "vardmiljo/no_access.html", {"patient_id": patient_id}, status=404)
    panels = [{"panel": p, "ctx": p.context(pa)} for p in registry.panels()]
    return render(
        request,
        "vardmiljo/patient_overview.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "panels": panels,
            "address": access.patient_address(pa),
        },
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Skäl"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=True,
        error_messages={"required": gettext_lazy("Ange ett skäl.")},
    )


@actor_required
@require_http_methods(["GET", "POST"])
def emergency_access(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_access_open(actor=actor, patient_id=patient_id, reason=form.cleaned_data["reason"])
            return redirect("patient_overview", patient_id=patient_id)
        except DomainError as exc:
            form_error(form, exc)
    return render(
        request,
        "vardmiljo/reason_form.html",
        {
            "form": form,
            "title": _("Nödåtkomst"),
            "patient_id": patient_id,
            "intro": _(
                "Nödåtkomst ger tidsbegränsad läsåtkomst när patientens samtycke inte kan inhämtas. "
                "Åtkomsten loggas, flaggas och granskas."
            ),
            "submit": _("Öppna med nödåtkomst"),
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def care_relationship_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_relationship_manual(actor=actor, patient_id=patient_id, reason=form.cleaned_data["reason"])
            return redirect("patient_overview", patient_id=patient_id)
        except DomainError as exc:
            form_error(form, exc)
    return render(
        request,
        "vardmiljo/reason_form.html",
        {
            "form": form,
            "title": _("Registrera vårdrelation"),
            "patient_id": patient_id,
            "intro": _("Registrera att din enhet deltar i patientens vård. Skälet loggas."),
            "submit": _("Registrera vårdrelation"),
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker, for the load balancer and the operator at 02:00."""
    checks: dict[str, str] = {}
    ok = True
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["database"] = f"error: {type(exc).__name__}"
        ok = False
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = "eager (no broker configured)"
    else:
        try:
            from vardmiljo.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"error: {type(exc).__name__}"
            ok = False
    from vardmiljo.registry import HEALTH_CHECKS

    for key, check in HEALTH_CHECKS.items():  # modules' own checks (downtime bundles, …)
        try:
            passed, text = check()
        except Exception as exc:  # noqa: BLE001 (a check that breaks is a failed check)
            passed, text = False, f"error: {type(exc).__name__}"
        checks[key] = text
        ok = ok and passed
    return JsonResponse({"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503)


FAVICON = Path(__file__).resolve().parent / "static" / "vardmiljo" / "favicon.ico"


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and tools ask for whatever the page links: the vendored icon."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
