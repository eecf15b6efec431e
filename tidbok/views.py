"""Browser pages of tidbok: day list, week view, booking search and form, cancellation,
check-in, waiting list, the patient's bookings, schedule administration."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tidbok import forms, queries, reminders, services
from vardmiljo.errors import DomainError
from vardmiljo.web import actor_required, form_error, get_actor


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@actor_required
def daylist(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    try:
        day = queries.parse_day(request.GET.get("datum"))
    except DomainError as exc:
        messages.error(request, exc.message)
        day = timezone.localdate()
    resource_id = _int(request.GET.get("resurs"))
    dl = queries.daylist_for(actor, day=day, resource_id=resource_id)
    return render(
        request,
        "tidbok/daylist.html",
        {
            "dl": dl,
            "resources": dl.unit_resources,
            "resource_id": resource_id,
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
        },
    )


@actor_required
def week(request: HttpRequest, resource_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        start = queries.parse_day(request.GET.get("datum"))
    except DomainError:
        start = timezone.localdate()
    wv = queries.resource_week(actor, resource_id=resource_id, start=start)
    return render(
        request,
        "tidbok/week.html",
        {
            "wv": wv,
            "prev": wv.start - dt.timedelta(days=7),
            "next": wv.start + dt.timedelta(days=7),
        },
    )


def _carry(request: HttpRequest) -> dict[str, str]:
    """Where a booking comes from (patient, waiting-list entry, referral, rebooking), carried through the search."""
    return {k: request.GET[k] for k in ("patient", "vantelista", "remiss", "omboka") if request.GET.get(k, "").isdigit()}


@actor_required
def book_search(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    resources = queries.resources_for(actor)
    carry = _carry(request)
    # From a referral: only times of the kind of visit it asks for, "Första lediga" included.
    visit_type, resource_kind = queries.requested_visit(
        actor, referral_id=_int(carry.get("remiss")), waitlist_entry_id=_int(carry.get("vantelista"))
    )
    form = forms.SearchForm(request.GET or None, resources=resources)
    slots = []
    first = request.GET.get("forsta") == "1"
    if set(request.GET) <= {"patient", "vantelista", "remiss", "omboka"}:
        form = forms.SearchForm(resources=resources, initial={"slot_type": visit_type})
        slots = queries.free_slots(actor, slot_type=visit_type, resource_kind=resource_kind)
    elif form.is_valid():
        cd = form.cleaned_data
        slots = queries.free_slots(
            actor,
            slot_type=cd["slot_type"] or visit_type,
            resource_id=cd["resource"],
            day=None if first else cd["day"],
            limit=1 if first else queries.SEARCH_LIMIT,
            resource_kind="" if cd["resource"] else resource_kind,
        )
    return render(
        request,
        "tidbok/book_search.html",
        {
            "form": form,
            "slots": slots,
            "first": first,
            "visit_type": visit_type,
            "carry": carry,
            "carry_qs": "&".join(f"{k}={v}" for k, v in carry.items()),
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def book_slot(request: HttpRequest, slot_id: int) -> HttpResponse:
    actor = get_actor(request)
    slot = queries.slot_for(actor, slot_id)
    carry = _carry(request)
    patient_id = _int(carry.get("patient"))
    entry_id = _int(carry.get("vantelista"))
    rebook_id = _int(carry.get("omboka"))
    referral_id = _int(carry.get("remiss"))
    known = None
    pa_known = None
    if rebook_id:
        booking, pa_known = queries.booking_for(actor, rebook_id)
        known, patient_id = pa_known.patient, pa_known.patient_id
    elif entry_id:
        entry, pa_known = queries.waitlist_entry_for(actor, entry_id)
        known, patient_id = pa_known.patient, entry.patient_id
    elif patient_id:
        pa_known = queries.patient_for_booking(actor, patient_id)
        known = pa_known.patient if pa_known else None
        if known is None:
            patient_id = None
    # A second time at the unit the same day is usually a mistake: say so before booking.
    same_day = (
        queries.same_day_bookings(pa_known, timezone.localtime(slot.starts_at).date(), exclude_booking_id=rebook_id)
        if pa_known is not None
        else []
    )
    form = forms.BookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if patient_id is None:
                patient_id = queries.patient_by_identifier(actor, form.cleaned_data["identifier"]).pk
            if rebook_id:
                booking = services.booking_rebook(
                    actor=actor, booking_id=rebook_id, slot_id=slot.pk, reason=form.cleaned_data["note"]
                )
                messages.success(request, _("Bokningen är flyttad."))
            else:
                booking = services.booking_create(
                    actor=actor,
                    patient_id=patient_id,
                    slot_id=slot.pk,
                    note=form.cleaned_data["note"],
                    waitlist_entry_id=entry_id,
                    referral_id=referral_id,
                )
                messages.success(request, _("Tiden är bokad."))
            local = timezone.localtime(booking.starts_at)
            return redirect(f"{reverse('tidbok:daylist')}?datum={local:%Y-%m-%d}")
        except DomainError as exc:
            form_error(form, exc)
    return render(
        request,
        "tidbok/book_form.html",
        {
            "form": form,
            "slot": slot,
            "known": known,
            "same_day": same_day,
            "rebook": rebook_id,
            "carry": carry,
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    actor = get_actor(request)
    booking, pa = queries.booking_for(actor, booking_id)
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(
                actor=actor, booking_id=booking.pk, by=form.cleaned_data["by"], reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Bokningen är avbokad."))
            local = timezone.localtime(booking.starts_at)
            return redirect(f"{reverse('tidbok:daylist')}?datum={local:%Y-%m-%d}")
        except DomainError as exc:
            form_error(form, exc)
    return render(request, "tidbok/cancel.html", {"form": form, "booking": booking, "patient": pa.patient, "pa": pa})


@actor_required
@require_POST
def check_in(request: HttpRequest, booking_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        booking = services.booking_check_in(actor=actor, booking_id=booking_id)
        messages.success(request, _("Patienten är ankomstregistrerad."))
        day = timezone.localtime(booking.starts_at).date()
    except DomainError as exc:
        messages.error(request, exc.message)
        day = timezone.localdate()
    return redirect(f"{reverse('tidbok:daylist')}?datum={day:%Y-%m-%d}")


@actor_required
def waitlist(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    rows, total = queries.waitlist_for(actor)
    from tidbok import conf

    return render(request, "tidbok/waitlist.html", {"rows": rows, "total": total, "days": conf.care_guarantee_days()})


@actor_required
@require_http_methods(["GET", "POST"])
def waitlist_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    pa = queries.patient_for_booking(actor, patient_id)
    if pa is None:
        raise Http404()
    form = forms.WaitlistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.waitlist_add(
                actor=actor,
                patient_id=patient_id,
                unit_id=actor.unit_id or 0,
                priority=form.cleaned_data["priority"],
                due_by=form.cleaned_data["due_by"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Patienten står nu på väntelistan."))
            return redirect("tidbok:waitlist")
        except DomainError as exc:
            form_error(form, exc)
    return render(
        request,
        "tidbok/simple_form.html",
        {
            "form": form,
            "patient": pa.patient,
            "pa": pa,
            "title": _("Sätt upp på väntelistan"),
            "submit": _("Sätt upp på väntelistan"),
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def waitlist_remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    actor = get_actor(request)
    entry, pa = queries.waitlist_entry_for(actor, entry_id)
    form = forms.RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.waitlist_remove(actor=actor, entry_id=entry.pk, reason=form.cleaned_data["reason"])
            messages.success(request, _("Patienten är borttagen från väntelistan."))
            return redirect("tidbok:waitlist")
        except DomainError as exc:
            form_error(form, exc)
    return render(
        request,
        "tidbok/simple_form.html",
        {
            "form": form,
            "patient": pa.patient,
            "pa": pa,
            "title": _("Ta bort från väntelistan"),
            "submit": _("Ta bort"),
        },
    )


@actor_required
def patient_bookings(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    pa, bookings = queries.bookings_for_patient(actor, patient_id)
    return render(
        request,
        "tidbok/patient_bookings.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "bookings": bookings,
            "now": timezone.now(),
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    """The unit manager's page: resources, weekly templates, exceptions, slot generation."""
    actor = get_actor(request)
    resources, templates, counts = queries.schedule_admin_for(actor)
    unit_id = actor.unit_id or 0
    action = request.POST.get("action", "")
    post = request.POST if request.method == "POST" else None
    rform = forms.ResourceForm(post if action == "resource" else None, prefix="r")
    tform = forms.TemplateForm(post if action == "template" else None, prefix="t", resources=resources)
    eform = forms.ExceptionForm(post if action == "exception" else None, prefix="e", resources=resources)
    gform = forms.GenerateForm(post if action == "generate" else None, prefix="g")
    try:
        if action == "resource" and rform.is_valid():
            services.resource_create(actor=actor, unit_id=unit_id, **rform.cleaned_data)
            messages.success(request, _("Resursen är skapad."))
            return redirect("tidbok:schedule")
        if action == "template" and tform.is_valid():
            cd = tform.cleaned_data
            services.template_add(
                actor=actor,
                resource_id=cd["resource"],
                weekday=cd["weekday"],
                start_time=cd["start_time"],
                end_time=cd["end_time"],
                slot_type=cd["slot_type"],
                slot_minutes=cd["slot_minutes"],
            )
            messages.success(request, _("Mallraden är sparad. Generera tider för att den ska synas i tidboken."))
            return redirect("tidbok:schedule")
        if action == "exception" and eform.is_valid():
            cd = eform.cleaned_data
            services.exception_add(
                actor=actor,
                unit_id=unit_id,
                resource_id=cd["resource"],
                kind=cd["kind"],
                starts_at=cd["starts_at"],
                ends_at=cd["ends_at"],
                reason=cd["reason"],
            )
            messages.success(request, _("Undantaget är sparat; lediga tider under perioden är spärrade."))
            return redirect("tidbok:schedule")
        if action == "generate" and gform.is_valid():
            n = services.slots_generate(actor=actor, weeks=gform.cleaned_data["weeks"], unit_id=unit_id)
            messages.success(request, _("%(n)s nya tider skapade.") % {"n": n})
            return redirect("tidbok:schedule")
    except DomainError as exc:
        form_error({"resource": rform, "template": tform, "exception": eform, "generate": gform}[action], exc)
    return render(
        request,
        "tidbok/schedule.html",
        {
            "resources": [(r, templates.get(r.pk, []), counts.get(r.pk, 0)) for r in resources],
            "rform": rform,
            "tform": tform,
            "eform": eform,
            "gform": gform,
        },
    )


@csrf_exempt
@require_POST
def reminder_simulator(request: HttpRequest) -> JsonResponse:
    """A local stand-in for the region's SMS/e-mail gateway (demo and tests only)."""
    if not reminders.simulator_enabled():
        raise Http404()
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "ogiltig JSON"}, status=400)
    key = request.headers.get("Idempotency-Key") or str(body.get("key", ""))
    if not key or not body.get("to"):
        return JsonResponse({"error": "nyckel och mottagare krävs"}, status=422)
    return JsonResponse(
        {
            "status": "accepted",
            "id": "sim-" + hashlib.sha256(key.encode()).hexdigest()[:16],
            "channel": body.get("channel", "sms"),
        },
        status=202,
    )
