"""Browser pages of remisser: inbox, outbox, a referral with its trail and the
forms to send, triage, answer and acknowledge. Thin: parse, call, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from remisser import queries, services
from remisser.forms import ReplyForm, SenderForm, SendForm, TriageForm
from remisser.models import Referral
from vardmiljo.errors import Conflict, DomainError, NotFound
from vardmiljo.web import actor_required, form_error, get_actor

S = Referral.Status


def _offset(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("offset", 0)), 0)
    except ValueError:
        return 0


@actor_required
def inbox(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    page = queries.inbox_page(actor, offset=_offset(request))
    return render(request, "remisser/inbox.html", {"page": page, "tab": "inbox"})


@actor_required
def outbox(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    page = queries.outbox(actor, offset=_offset(request))
    return render(request, "remisser/outbox.html", {"page": page, "tab": "outbox"})


@actor_required
def undelivered(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    page = queries.undelivered(actor, offset=_offset(request))
    return render(
        request, "remisser/undelivered.html", {"page": page, "tab": "undelivered", "units": queries.receiver_units(actor)}
    )


def _back(request: HttpRequest, referral_id: int) -> HttpResponse:
    # Back to the worklist when the action was taken there, otherwise to the referral.
    if request.POST.get("back") == "undelivered":  # a marker, not a URL
        return redirect("remisser:undelivered")
    return redirect("remisser:detail", referral_id=referral_id)


@actor_required
@require_POST
def delivery_retry(request: HttpRequest, referral_id: int) -> HttpResponse:
    try:
        ref = services.referral_delivery_retry(actor=get_actor(request), referral_id=referral_id)
        messages.success(request, _("Remissen skickas igen till %(unit)s.") % {"unit": ref.receiver_unit})
    except NotFound:
        return render(request, "remisser/not_found.html", {}, status=404)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, referral_id)


@actor_required
@require_POST
def redirect_to_unit(request: HttpRequest, referral_id: int) -> HttpResponse:
    try:
        unit_id = int(request.POST.get("to_unit") or 0) or None
    except ValueError:
        unit_id = None
    try:
        if unit_id is None:
            raise DomainError(_("Välj enheten att skicka remissen till."), field="to_unit")
        ref = services.referral_redirect(
            actor=get_actor(request), referral_id=referral_id, to_unit_id=unit_id, note=request.POST.get("note", "")
        )
        messages.success(request, _("Remissen skickades till %(unit)s.") % {"unit": ref.receiver_unit})
    except NotFound:
        return render(request, "remisser/not_found.html", {}, status=404)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, referral_id)


@actor_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    form = SendForm(request.POST or None, units=queries.receiver_units(actor))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                # The service checks (and logs) the access itself; the page reads the patient only to show the form again.
                ref = services.referral_send(
                    actor=actor,
                    patient_id=patient_id,
                    receiver_unit_id=d["receiver_unit"],  # read (with its route) by the form: not read again
                    priority=d["priority"],
                    question=d["question"],
                    idempotency_key=d["idempotency_key"],
                )
                messages.success(request, _("Remissen skickades till %(unit)s.") % {"unit": ref.receiver_unit})
                return redirect("remisser:detail", referral_id=ref.pk)
            except NotFound:
                pass
            except DomainError as exc:
                form_error(form, exc)
    try:
        pa = queries.referral_patient_access(actor, patient_id)
    except NotFound:
        return render(request, "vardmiljo/no_access.html", {"patient_id": patient_id}, status=404)
    return render(request, "remisser/send.html", {"form": form, "pa": pa, "patient": pa.patient}, status=status)


def _forms(actor: Any, ref: Referral, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    """Which forms the actor's unit gets for this referral, by status and side."""
    allowed = services.TRANSITIONS.get(ref.status, set())
    owner = actor.unit_id == ref.owner_unit_id
    sender = actor.unit_id == ref.sender_unit_id
    bound = bound or {}
    ctx: dict[str, Any] = {"is_owner": owner, "is_sender": sender}
    delivery = bound.get("delivery")
    if sender and ref.in_transit and delivery is not None and delivery.status != delivery.Status.DELIVERED:
        ctx["redirect_units"] = queries.receiver_units(actor)
    if owner and allowed & {S.ACCEPTED, S.REJECTED, S.FORWARDED, S.COMPLETION_REQUESTED}:
        ctx["triage_form"] = bound.get("triage") or TriageForm(initial={"version": ref.version}, units=queries.forward_units(ref))
        ctx["can"] = {s: (s in allowed) for s in (S.ACCEPTED, S.REJECTED, S.FORWARDED, S.COMPLETION_REQUESTED)}
    if owner and S.ANSWERED in allowed:
        ctx["reply_form"] = bound.get("reply") or ReplyForm(initial={"version": ref.version})
    if sender and allowed & {S.SENT, S.CANCELLED, S.CLOSED, S.ACKNOWLEDGED}:
        ctx["sender_form"] = bound.get("sender") or SenderForm(
            initial={"version": ref.version}, units=queries.receiver_units(actor)
        )
        ctx["sender_can"] = {
            "resend": S.SENT in allowed,
            "cancel": S.CANCELLED in allowed,
            "close": S.CLOSED in allowed,
            "acknowledge": S.ACKNOWLEDGED in allowed,
        }
    return ctx


@actor_required
def detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        ctx = queries.referral_detail(actor, referral_id)
    except NotFound:
        return render(request, "remisser/not_found.html", {}, status=404)
    ctx.update(_forms(actor, ctx["referral"], {"delivery": ctx["delivery"]}))
    return render(request, "remisser/detail.html", ctx)


def _triage(actor: Any, ref_id: int, d: dict[str, Any], action: str) -> object:
    v = d.get("version")
    if action == "acceptera":
        return services.referral_accept(
            actor=actor, referral_id=ref_id, expected_version=v, note=d.get("note", ""), waitlist=bool(d.get("waitlist"))
        )
    if action == "avvisa":
        return services.referral_reject(actor=actor, referral_id=ref_id, reason=d.get("note", ""), expected_version=v)
    if action == "vidarebefordra":
        unit = d.get("to_unit")
        if unit is None:
            raise DomainError(_("Välj enheten att vidarebefordra till."), field="to_unit")
        return services.referral_forward(
            actor=actor, referral_id=ref_id, to_unit_id=unit.pk, note=d.get("note", ""), expected_version=v
        )
    return services.referral_request_completion(actor=actor, referral_id=ref_id, note=d.get("note", ""), expected_version=v)


def _sender(actor: Any, ref_id: int, d: dict[str, Any], action: str) -> object:
    v = d.get("version")
    note = d.get("note", "")
    if action == "skicka-igen":
        unit = d.get("to_unit")
        return services.referral_resend(
            actor=actor, referral_id=ref_id, question=note, to_unit_id=unit.pk if unit else None, expected_version=v
        )
    if action == "makulera":
        return services.referral_cancel(actor=actor, referral_id=ref_id, reason=note, expected_version=v)
    if action == "avsluta":
        return services.referral_close(actor=actor, referral_id=ref_id, note=note, expected_version=v)
    return services.referral_acknowledge(actor=actor, referral_id=ref_id, expected_version=v, close=action == "vidimera-avsluta")


# action in the URL -> (form key, form class, service call, message)
ACTIONS: dict[str, tuple[str, type, Callable[..., object], Any]] = {
    "acceptera": ("triage", TriageForm, _triage, gettext_lazy("Remissen accepterades.")),
    "avvisa": ("triage", TriageForm, _triage, gettext_lazy("Remissen avvisades och är åter hos avsändaren.")),
    "vidarebefordra": ("triage", TriageForm, _triage, gettext_lazy("Remissen vidarebefordrades.")),
    "komplettering": ("triage", TriageForm, _triage, gettext_lazy("Komplettering begärd; remissen är åter hos avsändaren.")),
    "svara": (
        "reply",
        ReplyForm,
        lambda a, r, d, _x: services.referral_answer(actor=a, referral_id=r, text=d["text"], expected_version=d.get("version")),
        gettext_lazy("Remissvaret signerades och skickades."),
    ),
    "skicka-igen": ("sender", SenderForm, _sender, gettext_lazy("Remissen skickades igen.")),
    "makulera": ("sender", SenderForm, _sender, gettext_lazy("Remissen makulerades.")),
    "avsluta": ("sender", SenderForm, _sender, gettext_lazy("Remissen avslutades.")),
    "vidimera": ("sender", SenderForm, _sender, gettext_lazy("Remissvaret vidimerades.")),
    "vidimera-avsluta": ("sender", SenderForm, _sender, gettext_lazy("Remissvaret vidimerades och remissen avslutades.")),
}


@actor_required
@require_POST
def act(request: HttpRequest, referral_id: int, action: str) -> HttpResponse:
    actor = get_actor(request)
    if action not in ACTIONS:
        raise NotFound()
    key, form_class, call, done = ACTIONS[action]
    # The unit list only when a unit was chosen (forward, resend elsewhere): an accept does without.
    has_units = form_class is not ReplyForm
    units = queries.receiver_units(actor) if has_units and request.POST.get("to_unit") else None
    form = form_class(request.POST, **({"units": units} if units is not None else {}))
    status = 400
    if form.is_valid():
        try:
            call(actor, referral_id, form.cleaned_data, action)
            messages.success(request, str(done))
            return redirect("remisser:detail", referral_id=referral_id)
        except Conflict as exc:
            form_error(form, exc)
            status = 409
        except DomainError as exc:
            form_error(form, exc)
    try:
        ctx = queries.referral_detail(actor, referral_id)
    except NotFound:
        return render(request, "remisser/not_found.html", {}, status=404)
    if has_units and units is None:
        form.fields["to_unit"].queryset = queries.receiver_units(actor)  # shown again
    ctx.update(_forms(actor, ctx["referral"], {key: form, "delivery": ctx["delivery"]}))
    return render(request, "remisser/detail.html", ctx, status=status)


@actor_required
def patient_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        pa = queries.referral_patient_access(actor, patient_id, action="referral.patient_list")
    except NotFound:
        return render(request, "vardmiljo/no_access.html", {"patient_id": patient_id}, status=404)
    rows, total = queries.patient_referrals(pa, open_only=False, limit=200)
    return render(request, "remisser/patient_list.html", {"pa": pa, "patient": pa.patient, "rows": rows, "total": total})


@actor_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    services.referral_notification_read(actor=get_actor(request), notification_id=notification_id)
    return redirect("remisser:inbox")
