"""Browser pages of läkemedel: thin; reads through queries, writes through services."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lakemedel import handout as handout_pdf
from lakemedel import queries, services
from lakemedel.dosage import format_number
from lakemedel.forms import ChangeForm, DiscontinueForm, OrderForm, PrescriptionForm, ReasonForm, ReviewForm
from lakemedel.safety import check_order
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.web import actor_required, form_error, get_actor


def _no_access(request: HttpRequest, patient_id: int) -> HttpResponse:
    return render(request, "vardmiljo/no_access.html", {"patient_id": patient_id}, status=404)


def _order_input(cd: dict[str, Any], product_id: str | int | None) -> services.OrderInput:
    return services.OrderInput(
        product_id=product_id,
        dose=cd.get("dose") or "",
        dose_unit=cd.get("dose_unit") or "",
        frequency=cd.get("frequency") or "",
        times=cd.get("times"),
        period=cd.get("period") or "day",
        prn_max_per_day=cd.get("prn_max_per_day"),
        route=cd.get("route") or "",
        indication=cd.get("indication") or "",
        start_date=cd.get("start_date"),
        planned_end_date=cd.get("planned_end_date"),
    )


@actor_required
@require_GET
def medication_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    try:
        ml = queries.medication_list(get_actor(request), patient_id, include_past=request.GET.get("visa") == "alla")
    except NotFound:
        return _no_access(request, patient_id)
    return render(
        request,
        "lakemedel/list.html",
        {
            "ml": ml,
            "pa": ml.pa,
            "patient": ml.pa.patient,
            "renew_key": uuid.uuid4().hex,
            "show_past": request.GET.get("visa") == "alla",
            "review_form": ReviewForm(),
        },
    )


def _order_page(request: HttpRequest, patient_id: int, *, order_id: int | None) -> HttpResponse:
    actor = get_actor(request)
    form_cls = ChangeForm if order_id else OrderForm
    error: DomainError | None = None
    product_id = request.POST.get("product") if request.method == "POST" else None
    if request.method == "POST":
        # Straight to the service (it checks access); the page is read only when there is something to show.
        posted = form_cls(request.POST)
        if posted.is_valid():
            cd = posted.cleaned_data
            try:
                if order_id is None:
                    services.order_create(
                        actor=actor,
                        patient_id=patient_id,
                        data=_order_input(cd, product_id),
                        override_reason=cd.get("override_reason") or "",
                    )
                    messages.success(request, _("Ordinationen är insatt."))
                else:
                    services.order_change(
                        actor=actor,
                        patient_id=patient_id,
                        order_id=order_id,
                        data=_order_input(cd, product_id),
                        expected_version=cd.get("version"),
                        reason=cd.get("reason") or "",
                        override_reason=cd.get("override_reason") or "",
                    )
                    messages.success(request, _("Ordinationen är ändrad."))
                return redirect("lakemedel:list", patient_id=patient_id)
            except NotFound:
                return _no_access(request, patient_id)
            except DomainError as exc:
                error = exc
    try:
        if order_id is None:
            pa = queries.access_for(actor, patient_id, action="lakemedel.order.form")
            order = None
        else:
            pa, order = queries.order_for(actor, patient_id, order_id, action="lakemedel.order.form")
    except NotFound:
        return _no_access(request, patient_id)
    initial: dict[str, Any] = {"start_date": timezone.localdate()}
    product = order.product if order is not None else None
    if order is not None:
        initial = {
            "dose": format_number(order.dose),
            "dose_unit": order.dose_unit,
            "frequency": order.frequency,
            "times": order.times,
            "period": order.period,
            "prn_max_per_day": order.prn_max_per_day,
            "route": order.route,
            "indication": order.indication,
            "start_date": order.start_date,
            "planned_end_date": order.planned_end_date,
            "version": order.version,
        }
    form = form_cls(request.POST or None, initial=initial)
    product_error = ""
    checks = None
    if request.method == "POST":
        form.is_valid()
        try:
            product = queries.product_get(product_id) if product_id else None
        except DomainError:
            product = None
        if error is not None:
            if error.field == "product":
                product_error = error.message
            else:
                form_error(form, error)
        if product is not None:
            checks = check_order(
                pa, product, indication=request.POST.get("indication", ""), exclude_order_id=order.pk if order else None
            )
    return render(
        request,
        "lakemedel/order_form.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "form": form,
            "order": order,
            "product": product,
            "product_error": product_error,
            "checks": checks,
        },
        status=400 if request.method == "POST" else 200,
    )


@actor_required
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _order_page(request, patient_id, order_id=None)


@actor_required
@require_http_methods(["GET", "POST"])
def order_change(request: HttpRequest, patient_id: int, order_id: int) -> HttpResponse:
    return _order_page(request, patient_id, order_id=order_id)


@actor_required
@require_GET
def product_search(request: HttpRequest) -> HttpResponse:
    products = queries.product_search(request.GET.get("q", ""))
    return render(request, "lakemedel/_product_results.html", {"products": products, "q": request.GET.get("q", "")})


@actor_required
@require_POST
def order_check(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The safety checks, shown inline while ordering (htmx)."""
    actor = get_actor(request)
    try:
        pa = queries.access_for(actor, patient_id, action="lakemedel.check")
    except NotFound:
        return HttpResponse(status=404)
    try:
        product = queries.product_get(request.POST.get("product"))
    except DomainError:
        return render(request, "lakemedel/_checks.html", {"checks": None})
    exclude = request.POST.get("order_id")
    checks = check_order(
        pa,
        product,
        indication=request.POST.get("indication", ""),
        exclude_order_id=int(exclude) if exclude and exclude.isdigit() else None,
    )
    unit_select = ""
    if not request.POST.get("dose_unit") and product.dose_unit:
        # Offer the product's natural dose unit (the prescriber can still change it).
        unit_select = OrderForm(initial={"dose_unit": product.dose_unit})["dose_unit"].as_widget(attrs={"hx-swap-oob": "true"})
    return render(request, "lakemedel/_checks.html", {"checks": checks, "product": product, "unit_select": unit_select})


_TRANSITION_PAGES: dict[str, tuple[Any, str, str, Any, str]] = {
    "pause": (ReasonForm, _("Pausa ordination"), _("Pausa"), services.order_pause, _("Ordinationen är pausad.")),
    "resume": (ReasonForm, _("Återuppta ordination"), _("Återuppta"), services.order_resume, _("Ordinationen är återupptagen.")),
    "discontinue": (
        DiscontinueForm,
        _("Sätt ut läkemedel"),
        _("Sätt ut"),
        services.order_discontinue,
        _("Läkemedlet är utsatt."),
    ),
}


def _transition(request: HttpRequest, patient_id: int, order_id: int, action: str) -> HttpResponse:
    actor = get_actor(request)
    form_cls, title, submit, service, done = _TRANSITION_PAGES[action]
    error: DomainError | None = None
    if request.method == "POST":
        posted = form_cls(request.POST)
        if posted.is_valid():
            try:
                service(
                    actor=actor,
                    patient_id=patient_id,
                    order_id=order_id,
                    reason=posted.cleaned_data["reason"],
                    expected_version=posted.cleaned_data.get("version"),
                )
                messages.success(request, str(done))
                return redirect("lakemedel:list", patient_id=patient_id)
            except NotFound:
                return _no_access(request, patient_id)
            except DomainError as exc:
                error = exc
    try:
        pa, order = queries.order_for(actor, patient_id, order_id, action=f"lakemedel.order.{action}.form")
    except NotFound:
        return _no_access(request, patient_id)
    form = form_cls(request.POST or None, initial={"version": order.version})
    if request.method == "POST":
        form.is_valid()
        if error is not None:
            form_error(form, error)
    return render(
        request,
        "lakemedel/transition.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "order": order,
            "form": form,
            "title": title,
            "submit": submit,
        },
        status=400 if request.method == "POST" else 200,
    )


@actor_required
@require_http_methods(["GET", "POST"])
def order_pause(request: HttpRequest, patient_id: int, order_id: int) -> HttpResponse:
    return _transition(request, patient_id, order_id, "pause")


@actor_required
@require_http_methods(["GET", "POST"])
def order_resume(request: HttpRequest, patient_id: int, order_id: int) -> HttpResponse:
    return _transition(request, patient_id, order_id, "resume")


@actor_required
@require_http_methods(["GET", "POST"])
def order_discontinue(request: HttpRequest, patient_id: int, order_id: int) -> HttpResponse:
    return _transition(request, patient_id, order_id, "discontinue")


@actor_required
@require_GET
def order_history(request: HttpRequest, patient_id: int, order_id: int) -> HttpResponse:
    try:
        pa, order, versions = queries.order_history(get_actor(request), patient_id, order_id)
    except NotFound:
        return _no_access(request, patient_id)
    return render(
        request,
        "lakemedel/history.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "order": order,
            "versions": versions,
            "prescriptions": queries.prescriptions_of_order(pa, order),
            "alerts": queries.alerts_of_order(pa, order),
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def prescribe(request: HttpRequest, patient_id: int, order_id: int) -> HttpResponse:
    actor = get_actor(request)
    error: DomainError | None = None
    if request.method == "POST":
        # The fast path: straight to the service (which checks access); the page is read only to show errors.
        posted = PrescriptionForm(request.POST, sizes=None)
        if posted.is_valid():
            cd = posted.cleaned_data
            try:
                services.prescription_create(
                    actor=actor,
                    patient_id=patient_id,
                    order_id=order_id,
                    idempotency_key=cd.get("idempotency_key"),
                    data=services.PrescriptionInput(
                        packages=cd["packages"],
                        package_size=cd["package_size"],
                        dispensings=cd["dispensings"],
                        interval_days=cd.get("interval_days"),
                        valid_until=cd["valid_until"],
                        pharmacy_message=cd.get("pharmacy_message", ""),
                    ),
                )
                messages.success(request, _("E-receptet är skickat till utkorgen."))
                return redirect("lakemedel:list", patient_id=patient_id)
            except NotFound:
                return _no_access(request, patient_id)
            except DomainError as exc:
                error = exc
    try:
        pa, order = queries.order_for(actor, patient_id, order_id, action="lakemedel.prescribe.form")
    except NotFound:
        return _no_access(request, patient_id)
    sizes = [int(s) for s in order.product.package_sizes or []]
    form = PrescriptionForm(request.POST or None, sizes=sizes, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST":
        form.is_valid()
        if error is not None:
            form_error(form, error)
    return render(
        request,
        "lakemedel/prescribe.html",
        {"pa": pa, "patient": pa.patient, "order": order, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@actor_required
@require_POST
def renew(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        renewed = services.prescriptions_renew(
            actor=actor,
            patient_id=patient_id,
            prescription_ids=request.POST.getlist("all_rx" if request.POST.get("all") else "rx"),
            idempotency_key=request.POST.get("idempotency_key"),
        )
    except NotFound:
        return _no_access(request, patient_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("lakemedel:list", patient_id=patient_id)
    messages.success(request, ngettext("%(n)s recept förnyat.", "%(n)s recept förnyade.", len(renewed)) % {"n": len(renewed)})
    return redirect("lakemedel:list", patient_id=patient_id)


@actor_required
@require_POST
def review(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.medication_review_record(actor=get_actor(request), patient_id=patient_id, note=form.cleaned_data.get("note", ""))
        messages.success(request, _("Läkemedelsgenomgången är registrerad."))
    except NotFound:
        return _no_access(request, patient_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("lakemedel:list", patient_id=patient_id)


@actor_required
@require_GET
def print_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    try:
        ml = queries.handout(get_actor(request), patient_id)
    except NotFound:
        return _no_access(request, patient_id)
    return render(
        request, "lakemedel/print.html", {"ml": ml, "pa": ml.pa, "patient": ml.pa.patient, "printed_at": timezone.localtime()}
    )


@actor_required
@require_GET
def print_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        ml = queries.handout(actor, patient_id)
    except NotFound:
        return _no_access(request, patient_id)
    data = handout_pdf.medication_list_pdf(ml, printed_by=str(actor.staff), unit=str(actor.unit or ""))
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="lakemedelslista-{ml.pa.patient_id}.pdf"'
    return resp


@actor_required
@require_GET
def failed(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    rows = queries.failed_prescriptions(actor)
    return render(request, "lakemedel/failed.html", {"rows": rows})


def simulator_enabled() -> bool:
    return bool(settings.DEMO or os.environ.get("ERECEPT_SIMULATOR") == "1")


@csrf_exempt
@require_POST
def sim_erecept(request: HttpRequest) -> HttpResponse:
    """The simulated national prescription service (demo and tests; never in production)."""
    if not simulator_enabled():
        return JsonResponse({"detail": "simulatorn är avstängd"}, status=404)
    key = request.headers.get("Idempotency-Key", "")
    try:
        payload = json.loads(request.body.decode("utf-8") or "{}")
    except ValueError:
        return JsonResponse({"detail": "ogiltig JSON"}, status=400)
    if not key:
        return JsonResponse({"detail": "Idempotency-Key saknas"}, status=400)
    if "SIMULERA-AVVISNING" in str(payload.get("pharmacy_message", "")):
        return JsonResponse({"detail": "avvisat av e-hälsomyndigheten (simulerat)"}, status=422)
    if "SIMULERA-FEL" in str(payload.get("pharmacy_message", "")):
        return JsonResponse({"detail": "tillfälligt fel (simulerat)"}, status=503)
    receipt, duplicate = services.simulated_receive(key=key, payload=payload)
    return JsonResponse(receipt, status=200 if duplicate else 201)
