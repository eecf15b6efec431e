"""The resident's pages under /invanare/: mobile first, plain Swedish, readable without
JavaScript. Thin: each view calls one query or service."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from invanare import oidc, queries, services
from invanare.web import SESSION_RESIDENT, rate_limited, resident_from, resident_required
from vardmiljo.actor import ResidentActor
from vardmiljo.errors import DomainError
from vardmiljo.middleware import client_ip


def _resident(request: HttpRequest) -> ResidentActor:
    return request.resident  # type: ignore[attr-defined]


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
    if actor.patient is None:  # a resident session always names its patient
        raise RuntimeError("resident session without a patient")
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
    page = queries.log_month(_resident(request), patient_id, month, _int(request.GET.get("sida")) or 1)
    return render(request, "invanare/log_extract.html", {"page": page, "subject": page.pa.patient})


def _int(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@resident_required
def bookings(request: HttpRequest, patient_id: int) -> HttpResponse:
    from tidbok import services as tidbok

    actor = _resident(request)
    error = ""
    if request.method == "POST":
        op, slot_id, booking_id = request.POST.get("op"), _int(request.POST.get("slot")), _int(request.POST.get("booking"))
        try:
            if op == "book" and slot_id:
                tidbok.booking_create_by_resident(actor=actor, patient_id=patient_id, slot_id=slot_id)
                messages.success(request, _("Tiden är bokad. Du får en påminnelse innan besöket."))
            elif op == "cancel" and booking_id:
                tidbok.booking_cancel_by_resident(actor=actor, booking_id=booking_id)
                messages.success(request, _("Tiden är avbokad."))
            elif op == "rebook" and booking_id and slot_id:
                tidbok.booking_rebook_by_resident(actor=actor, booking_id=booking_id, slot_id=slot_id)
                messages.success(request, _("Tiden är ombokad."))
            else:
                raise DomainError(_("Välj en tid."))
            return redirect("invanare:bookings", patient_id=patient_id)
        except DomainError as exc:
            error = exc.message
    pa, booked, free = queries.booking_page(actor, patient_id)
    return render(
        request,
        "invanare/bookings.html",
        {"subject": pa.patient, "booked": booked, "free": free, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@resident_required
def messages_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = _resident(request)
    error = ""
    if request.method == "POST":
        if rate_limited(f"invanare-msg:{actor.patient.pk if actor.patient else 0}", settings.INVANARE_MESSAGE_RATE):
            error = _("Du har skickat många meddelanden på kort tid. Vänta en stund eller ring din vårdenhet.")
        else:
            try:
                thread = services.message_send_by_resident(
                    actor=actor,
                    patient_id=patient_id,
                    unit_id=_int(request.POST.get("unit")) or 0,
                    subject=request.POST.get("subject", ""),
                    body=request.POST.get("body", ""),
                )
                messages.success(request, _("Meddelandet är skickat."))
                return redirect("invanare:thread", thread_id=thread.pk)
            except DomainError as exc:
                error = exc.message
    pa, threads = queries.threads_for(actor, patient_id)
    units = services.message_units(actor, patient_id)
    return render(
        request,
        "invanare/messages.html",
        {"subject": pa.patient, "threads": threads, "units": units, "error": error, "form": request.POST},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@resident_required
def thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    actor = _resident(request)
    error = ""
    if request.method == "POST":
        if rate_limited(f"invanare-msg:{actor.patient.pk if actor.patient else 0}", settings.INVANARE_MESSAGE_RATE):
            error = _("Du har skickat många meddelanden på kort tid. Vänta en stund eller ring din vårdenhet.")
        else:
            try:
                services.message_reply_by_resident(actor=actor, thread_id=thread_id, body=request.POST.get("body", ""))
                messages.success(request, _("Meddelandet är skickat."))
                return redirect("invanare:thread", thread_id=thread_id)
            except DomainError as exc:
                error = exc.message
    pa, t, msgs = queries.thread_for(actor, thread_id)
    return render(
        request,
        "invanare/thread.html",
        {"subject": pa.patient, "thread": t, "msgs": msgs, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@resident_required
def choices(request: HttpRequest) -> HttpResponse:
    from vardmiljo import registry
    from vardmiljo import services as core

    actor = _resident(request)
    error = ""
    if request.method == "POST":
        op = request.POST.get("op", "")
        try:
            if op == "consent":
                until = timezone.now() + dt.timedelta(days=365 * 5)
                core.consent_give_by_resident(actor=actor, provider_id=_int(request.POST.get("provider")) or 0, valid_until=until)
                messages.success(request, _("Samtycket gäller från och med nu."))
            elif op == "withdraw":
                core.consent_withdraw_by_resident(actor=actor, consent_id=_int(request.POST.get("consent")) or 0)
                messages.success(request, _("Samtycket är återkallat från och med nu."))
            elif op == "block":
                core.block_set_by_resident(actor=actor, unit_id=_int(request.POST.get("unit")))
                messages.success(request, _("Spärren gäller från och med nu."))
            elif op == "block_provider":
                core.block_set_by_resident(actor=actor, provider_id=_int(request.POST.get("provider")))
                messages.success(request, _("Spärren gäller från och med nu."))
            elif op == "lift":
                core.block_lift_by_resident(actor=actor, block_id=_int(request.POST.get("block")) or 0)
                messages.success(request, _("Spärren är hävd."))
            elif op in ("object", "unobject"):
                if actor.patient is None:  # a resident session always names its patient
                    raise RuntimeError("resident session without a patient")
                registry.set_registry_objection(
                    actor=actor,
                    patient_id=actor.patient.pk,
                    objection=op == "object",
                    patient_statement=str(_("Invånarens val i e-tjänsten")),
                )
                messages.success(request, _("Ditt val om kvalitetsregister är sparat."))
            else:
                raise DomainError(_("Välj vad du vill göra."))
            return redirect("invanare:choices")
        except DomainError as exc:
            error = exc.message
    ctx = queries.choices_for(actor)
    return render(
        request, "invanare/choices.html", {**ctx, "error": error, "subject": ctx["pa"].patient}, status=400 if error else 200
    )
