"""Browser pages of slutenvård: the ward worklist (patientlista, printable), the bed
board (beläggning), admission, the stay with its actions, SBAR handover, the
discharge summary as PDF. Thin: queries and services do the work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from slutenvard import forms, pdf, queries, services
from slutenvard.models import Bed, Stay
from vardmiljo.errors import DomainError, NotFound, PermissionDenied
from vardmiljo.models import Staff
from vardmiljo.web import actor_required, form_error, get_actor


def _int(raw: Any) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _datetime(raw: str | None, field: str) -> dt.datetime | None:
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        raise DomainError(_("Ange datum och klockslag."), field=field)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _date(raw: str | None, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise DomainError(_("Ange datumet som ÅÅÅÅ-MM-DD."), field=field)
    return value


@actor_required
def worklist(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    try:
        wl = queries.worklist_for(actor)
    except PermissionDenied as exc:
        messages.info(request, str(exc))
        return redirect("slutenvard:bed_board")
    pages = [wl.rows[i : i + 12] for i in range(0, len(wl.rows), 12)] or [[]]
    return render(request, "slutenvard/worklist.html", {"wl": wl, "pages": pages})


@actor_required
def bed_board(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    try:
        day = _date(request.GET.get("datum"), "datum")
    except DomainError as exc:
        messages.error(request, exc.message)
        day = None
    board = queries.bed_board(actor, hospital_id=_int(request.GET.get("sjukhus")), day=day)
    return render(request, "slutenvard/bed_board.html", {"board": board})


@actor_required
@require_http_methods(["GET", "POST"])
def admit(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    wards = queries.wards_of_provider(actor)
    if not wards:
        raise NotFound()
    own = queries.ward_of(actor)
    known = None
    patient_id = _int(request.GET.get("patient"))
    if patient_id:
        known = queries.patient_for_admission(actor, patient_id)
    form = forms.AdmitForm(
        request.POST or None,
        initial={"ward": own.pk if own else wards[0].pk, "admitted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
        wards=wards,
        beds=queries.free_beds(actor),
        physicians=queries.staff_choices(actor, Staff.Profession.PHYSICIAN),
        nurses=queries.staff_choices(actor, Staff.Profession.NURSE),
        units=queries.primary_care_units(actor),
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            pid = known.pk if known else queries.patient_by_identifier(actor, cd["identifier"]).pk
            stay = services.stay_admit(
                actor=actor,
                patient_id=pid,
                ward_id=cd["ward"],
                bed_id=cd["bed"],
                source=cd["source"],
                reason=cd["reason"],
                admitted_at=cd["admitted_at"],
                pal_id=cd["pal"],
                pas_id=cd["pas"],
                expected_discharge=cd["expected_discharge"],
                plan=cd["plan"],
                primary_care_unit_id=cd["primary_care_unit"],
            )
            messages.success(request, _("Patienten är inskriven."))
            return redirect("slutenvard:stay", stay_id=stay.pk)
        except DomainError as exc:
            form_error(form, exc)
    return render(request, "slutenvard/admit.html", {"form": form, "known": known})


@actor_required
def stay_detail(request: HttpRequest, stay_id: int) -> HttpResponse:
    actor = get_actor(request)
    stay, pa = queries.stay_for(actor, stay_id)
    beds = queries.free_beds(actor, hospital_id=stay.ward.hospital_id)
    return render(
        request,
        "slutenvard/stay.html",
        {
            "stay": stay,
            "pa": pa,
            "patient": pa.patient,
            "events": queries.stay_events(stay),
            "own_beds": [b for b in beds if b.ward_id == stay.ward_id],
            "other_beds": [b for b in beds if b.ward_id != stay.ward_id],
            "wards": [w for w in queries.wards_of_provider(actor) if w.pk != stay.ward_id],
            "destinations": Stay.Destination.choices,
            "summary": queries.summary_note(stay),
            "physicians": queries.staff_choices(actor, Staff.Profession.PHYSICIAN),
            "nurses": queries.staff_choices(actor, Staff.Profession.NURSE),
            "units": queries.primary_care_units(actor),
            "at_ward": actor.unit_id in (stay.ward.unit_id, stay.bed.ward.unit_id if stay.bed else None),
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )


def _do(request: HttpRequest, stay_id: int, action: str) -> tuple[str, str | None]:
    """Run one stay action from the stay page's form; the success message and where to go."""
    actor = get_actor(request)
    p = request.POST
    reason = p.get("reason", "")
    if action == "place":
        services.stay_place(actor=actor, stay_id=stay_id, bed_id=_int(p.get("bed")) or 0)
        return _("Patienten har fått säng."), None
    if action == "transfer":
        services.stay_transfer(
            actor=actor,
            stay_id=stay_id,
            to_ward_id=_int(p.get("ward")) or 0,
            bed_id=_int(p.get("bed")),
            at=_datetime(p.get("at"), "at"),
        )
        # The sending ward no longer sees the stay page: back to its own list.
        return _("Patienten är överflyttad."), reverse("slutenvard:worklist")
    if action in ("move", "outlie"):
        services.stay_move_bed(actor=actor, stay_id=stay_id, bed_id=_int(p.get("bed")) or 0, outlying=action == "outlie")
        return (_("Patienten är utlokaliserad.") if action == "outlie" else _("Patienten har bytt säng.")), None
    if action == "leave":
        until = _datetime(p.get("until"), "until")
        if until is None:
            raise DomainError(_("Ange när permissionen slutar."), field="until")
        services.stay_leave(actor=actor, stay_id=stay_id, until=until)
        return _("Permissionen är registrerad."), None
    if action == "return":
        services.stay_leave_end(actor=actor, stay_id=stay_id)
        return _("Patienten är åter från permission."), None
    if action == "discharge":
        services.stay_discharge(
            actor=actor, stay_id=stay_id, destination=p.get("destination", ""), at=_datetime(p.get("at"), "at")
        )
        return _("Patienten är utskriven."), None
    if action == "update":
        services.stay_update(
            actor=actor,
            stay_id=stay_id,
            pal_id=_int(p.get("pal")),
            pas_id=_int(p.get("pas")),
            expected_discharge=_date(p.get("expected_discharge"), "expected_discharge"),
            plan=p.get("plan"),
            primary_care_unit_id=_int(p.get("primary_care_unit")),
        )
        return _("Uppgifterna är sparade."), None
    if action == "cancel_admit":
        services.stay_cancel_admit(actor=actor, stay_id=stay_id, reason=reason)
        return _("Inskrivningen är makulerad."), None
    if action == "cancel_transfer":
        services.stay_cancel_transfer(actor=actor, stay_id=stay_id, reason=reason)
        return _("Överflyttningen är makulerad."), None
    if action == "cancel_discharge":
        services.stay_cancel_discharge(actor=actor, stay_id=stay_id, reason=reason)
        return _("Utskrivningen är makulerad."), None
    if action == "summary":
        note = services.summary_draft(actor=actor, stay_id=stay_id)
        return _("Epikrisen är skapad. Skriv förlopp och uppföljning och signera."), reverse("journal:note_edit", args=[note.pk])
    if action == "summary_send":
        services.summary_send(actor=actor, stay_id=stay_id)
        return _("Epikrisen är skickad till vårdcentralen."), None
    raise NotFound()


@actor_required
@require_POST
def stay_action(request: HttpRequest, stay_id: int, action: str) -> HttpResponse:
    try:
        message, to = _do(request, stay_id, action)
        messages.success(request, message)
        if to:
            return redirect(to)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("slutenvard:stay", stay_id=stay_id)


@actor_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, stay_id: int) -> HttpResponse:
    actor = get_actor(request)
    stay, pa = queries.stay_for(actor, stay_id)
    form = forms.SbarForm(request.POST or None, initial={"situation": stay.reason, "recommendation": stay.plan})
    if request.method == "POST" and form.is_valid():
        try:
            services.handover_write(actor=actor, stay_id=stay.pk, **form.cleaned_data)
            messages.success(request, _("Överrapporteringen är signerad i journalen."))
            return redirect("slutenvard:worklist")
        except DomainError as exc:
            form_error(form, exc)
    return render(request, "slutenvard/handover.html", {"form": form, "stay": stay, "patient": pa.patient, "pa": pa})


@actor_required
@require_POST
def bed_state(request: HttpRequest, bed_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        bed = services.bed_set_state(actor=actor, bed_id=bed_id, state=request.POST.get("state", ""))
        messages.success(request, _("Säng %(b)s: %(s)s.") % {"b": bed.label, "s": Bed.State(bed.state).label})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("slutenvard:worklist")


@actor_required
def summary_pdf(request: HttpRequest, stay_id: int) -> HttpResponse:
    actor = get_actor(request)
    stay, pa = queries.stay_for(actor, stay_id, action="slutenvard.summary.print")
    note = queries.signed_summary(pa, stay)
    body = pdf.render(stay=stay, note=note, printed_by=str(actor.staff), unit=str(actor.unit))
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="epikris-{stay.pk}.pdf"'
    return resp
