"""Browser pages of the journal. Thin: parse, call one service or query, render."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from journal import pdf, queries, services
from journal.models import Allergy, Diagnosis, Note, Observation
from vardmiljo.errors import Conflict, DomainError
from vardmiljo.models import Staff
from vardmiljo.web import actor_required, form_error, get_actor, safe_next


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _posted_headings(request: HttpRequest, *, extra: bool = False) -> list[dict[str, str]]:
    titles = request.POST.getlist("h-title")
    texts = request.POST.getlist("h-text")
    out = [{"heading": t, "text": x} for t, x in zip(titles, texts, strict=False)]
    new = (request.POST.get("new_heading") or "").strip() if extra else ""
    if new:
        out.append({"heading": new, "text": ""})
    return out


# --- Writing a note -------------------------------------------------------


@actor_required
@require_http_methods(["GET", "POST"])
def note_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Choose a template (the overview panel posts here directly: one page load saved)."""
    actor = get_actor(request)
    error = ""
    afterwards = (
        request.POST.get("registered_afterwards") == "1"
        if request.method == "POST"
        else bool(request.GET.get("efterregistrering"))
    )
    original_time = request.POST.get("event_at") or request.GET.get("tid", "")
    if request.method == "POST":
        try:
            note = services.note_create(
                actor=actor,
                patient_id=patient_id,
                template_id=int(request.POST.get("template") or 0) or None,
                note_type=request.POST.get("note_type", ""),
                event_at=_local_time(original_time) if afterwards else None,
                registered_afterwards=afterwards,
            )
            return redirect("journal:note_edit", note_id=note.pk)
        except DomainError as exc:
            error = exc.message
    pa = queries.access(actor, patient_id, "journal.note.new")
    return render(
        request,
        "journal/note_new.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "templates": queries.template_choices(actor),
            "error": error,
            "afterwards": afterwards,
            "original_time": original_time[:16],
        },
        status=400 if error else 200,
    )


def _local_time(raw: str) -> dt.datetime | None:
    """A datetime-local field's value (`2026-11-29T14:05`) in the region's time zone, or None."""
    try:
        parsed = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _editor(
    request: HttpRequest, note: Note, pa: Any, *, error: str = "", status: int = 200, headings: list[dict[str, str]] | None = None
) -> HttpResponse:
    dx, pr = queries.note_codes(pa, note)
    return render(
        request,
        "journal/note_edit.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "note": note,
            "headings": headings if headings is not None else note.headings,
            "diagnoses": dx,
            "procedures": pr,
            "error": error,
            "edit_session": request.POST.get("edit_session") or secrets.token_hex(8),
        },
        status=status,
    )


@actor_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = get_actor(request)
    note, pa = queries.note_for(actor, note_id, action="journal.note.edit")
    if not note.can_edit() or note.author_id != actor.staff.pk:
        return redirect("journal:note_detail", note_id=note.pk)
    if request.method == "POST":  # without JavaScript: an explicit save (also adds a keyword)
        try:
            services.note_save_draft(
                actor=actor,
                note_id=note.pk,
                revision=request.POST.get("revision"),
                headings=_posted_headings(request, extra=True),
                edit_session=request.POST.get("edit_session", ""),
            )
            return redirect("journal:note_edit", note_id=note.pk)
        except DomainError as exc:
            return _editor(
                request,
                note,
                pa,
                error=exc.message,
                status=409 if isinstance(exc, Conflict) else 400,
                headings=_posted_headings(request),
            )
    return _editor(request, note, pa)


@actor_required
@require_POST
def note_autosave(request: HttpRequest, note_id: int) -> HttpResponse:
    """htmx/beacon autosave: answers with the save status and the new revision (out of band)."""
    actor = get_actor(request)
    ctx: dict[str, Any] = {}
    try:
        note = services.note_save_draft(
            actor=actor,
            note_id=note_id,
            revision=request.POST.get("revision"),
            headings=_posted_headings(request),
            edit_session=request.POST.get("edit_session", ""),
        )
        ctx = {"note": note, "saved": True}
    except DomainError as exc:
        ctx = {"error": exc.message, "conflict": isinstance(exc, Conflict)}
    # 200 even on refusal: htmx swaps only 2xx, and the message must show. Rendered
    # without the request context: the top bar's worklist counts are not needed here.
    return HttpResponse(render_to_string("journal/_autosave.html", ctx))


@actor_required
@require_POST
def note_sign(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        note = services.note_sign(
            actor=actor,
            note_id=note_id,
            revision=request.POST.get("revision"),
            headings=_posted_headings(request) if "h-title" in request.POST else None,
            edit_session=request.POST.get("edit_session", ""),
        )
    except DomainError as exc:
        note, pa = queries.note_for(actor, note_id, action="journal.note.edit")
        if not note.can_edit():
            messages.error(request, exc.message)
            return redirect("journal:note_detail", note_id=note.pk)
        return _editor(
            request,
            note,
            pa,
            error=exc.message,
            status=409 if isinstance(exc, Conflict) else 400,
            headings=_posted_headings(request) if "h-title" in request.POST else None,
        )
    messages.success(request, _("Anteckningen är signerad."))
    return redirect("patient_overview", patient_id=note.patient_id)


@actor_required
@require_POST
def note_diagnosis_add(request: HttpRequest, note_id: int) -> HttpResponse:
    """htmx: add a coded diagnosis (or KVÅ procedure) to the note being written."""
    actor = get_actor(request)
    note, pa = queries.note_for(actor, note_id, action="journal.note.edit")
    system = request.POST.get("system", "icd10")
    raw = request.POST.get("code") or request.POST.get("q", "")
    error = ""
    try:
        if system == "kva":
            services.procedure_add(actor=actor, patient_id=note.patient_id, code=raw, note_id=note.pk)
        else:
            services.diagnosis_add(actor=actor, patient_id=note.patient_id, code=raw, note_id=note.pk)
        raw = ""
    except DomainError as exc:
        error = exc.message
    dx, pr = queries.note_codes(pa, note)
    ctx = {
        "note": note,
        "diagnoses": dx,
        "procedures": pr,
        "error": error,
        "value": raw,
        "system": system,
        "suggestions": queries.code_search(system, raw, 5) if error and raw else [],
    }
    if _is_htmx(request):
        return render(request, "journal/_note_codes.html", ctx)
    if error:
        messages.error(request, error)
    return redirect("journal:note_edit", note_id=note.pk)


@actor_required
def code_search(request: HttpRequest) -> HttpResponse:
    """htmx: ICD-10-SE / KVÅ suggestions as you type (code or text)."""
    system = request.GET.get("system", "icd10")
    q = request.GET.get("q") or request.GET.get("code", "")
    return render(
        request,
        "journal/_code_suggestions.html",
        {
            "codes": queries.code_search(system, q, 8),
            "q": q,
            "system": system,
            "form_id": request.GET.get("form", "dx-form"),
        },
    )


# --- Reading, correcting --------------------------------------------------


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Skäl till rättelsen"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Ange skälet till rättelsen.")},
    )


class ErrorForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Skäl"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Ange ett skäl.")},
    )


@actor_required
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = get_actor(request)
    note, pa = queries.note_for(actor, note_id)
    dx, pr = queries.note_codes(pa, note)
    return render(
        request,
        "journal/note_detail.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "note": note,
            "versions": queries.note_versions(note),
            "diagnoses": dx,
            "procedures": pr,
            "error_form": ErrorForm(),
            "may_edit": note.can_edit() and note.author_id == actor.staff.pk,
            "may_correct": note.can_correct() and note.unit_id == actor.unit_id,
            "may_mark": not note.entered_in_error and note.unit_id == actor.unit_id,
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def note_correct(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = get_actor(request)
    note, pa = queries.note_for(actor, note_id, action="journal.note.correct.open")
    form = CorrectionForm(request.POST or None)
    headings = note.headings
    status = 200
    if request.method == "POST":
        headings = _posted_headings(request)
        if form.is_valid():
            try:
                services.note_correct(
                    actor=actor,
                    note_id=note.pk,
                    revision=request.POST.get("revision"),
                    headings=headings,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Rättelsen är signerad. Den tidigare texten finns kvar i versionshistoriken."))
                return redirect("journal:note_detail", note_id=note.pk)
            except DomainError as exc:
                form_error(form, exc)
        status = 400
    return render(
        request,
        "journal/note_correct.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "note": note,
            "form": form,
            "headings": headings,
        },
        status=status,
    )


@actor_required
@require_POST
def note_error(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = get_actor(request)
    form = ErrorForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.note_mark_error(actor=actor, note_id=note_id, revision=request.POST.get("revision"), reason=reason)
        messages.success(request, _("Anteckningen är markerad som felaktigt registrerad."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("journal:note_detail", note_id=note_id)


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> queries.TimelineFilter:
    g = request.GET if request.method == "GET" else request.POST
    try:
        page = max(int(g.get("sida") or 1), 1)
    except ValueError:
        page = 1
    try:
        unit = int(g.get("enhet") or 0) or None
    except ValueError:
        unit = None
    return queries.TimelineFilter(
        unit=unit,
        profession=g.get("yrke", ""),
        note_type=g.get("typ", ""),
        keyword=g.get("sokord", "").strip(),
        q=g.get("q", "").strip()[:200],
        date_from=_date(g.get("fran")),
        date_to=_date(g.get("till")),
        page=page,
    )


@actor_required
def timeline(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    tl = queries.timeline(actor, patient_id, _filters(request))
    ctx = {"pa": tl.pa, "patient": tl.pa.patient, "tl": tl, "professions": Staff.Profession.choices}
    if _is_htmx(request):
        return render(request, "journal/_timeline_rows.html", ctx)
    units, note_types = queries.timeline_facets(tl.pa)
    ctx.update(units=units, note_types=note_types)
    return render(request, "journal/timeline.html", ctx)


@actor_required
@require_http_methods(["GET", "POST"])
def print_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's copy: a PDF of a selection of the record. Logged as journal.print."""
    actor = get_actor(request)
    if request.method == "POST":
        f = _filters(request)
        ids = [int(x) for x in request.POST.getlist("note") if x.isdigit()]
        sel = queries.print_selection(
            actor, patient_id, f, note_ids=ids or None, include_codes=request.POST.get("med_koder") == "1"
        )
        body = pdf.render(sel, printed_by=str(actor.staff), unit=str(actor.unit))
        resp = HttpResponse(body, content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="journalkopia-{patient_id}.pdf"'
        return resp
    tl = queries.timeline(actor, patient_id, _filters(request))
    units, note_types = queries.timeline_facets(tl.pa)
    return render(
        request,
        "journal/print.html",
        {
            "pa": tl.pa,
            "patient": tl.pa.patient,
            "tl": tl,
            "units": units,
            "note_types": note_types,
            "professions": Staff.Profession.choices,
        },
    )


# --- Measurements, diagnoses, alerts --------------------------------------


class ObservationForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Mätvärde"), choices=[c for c in Observation.Kind.choices if c[0] != Observation.Kind.BMI]
    )
    value = forms.CharField(
        label=gettext_lazy("Värde"),
        required=False,
        help_text=gettext_lazy("Blodtryck som 130/80. BMI räknas ut från vikt och längd."),
    )
    value_text = forms.ChoiceField(
        label=gettext_lazy("Rökning"), required=False, choices=[("", "–"), *Observation.Smoking.choices]
    )


@actor_required
@require_http_methods(["GET", "POST"])
def observations(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    form = ObservationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.observation_record(
                actor=actor,
                patient_id=patient_id,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
                value_text=form.cleaned_data["value_text"],
            )
            messages.success(request, _("Mätvärdet är sparat."))
            return redirect("journal:observations", patient_id=patient_id)
        except DomainError as exc:
            form_error(form, exc)
    pa = queries.access(actor, patient_id, "journal.observations")
    return render(
        request,
        "journal/observations.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "form": form,
            "rows": queries.observations_all(pa),
            "latest": queries.latest_observations(pa),
        },
        status=400 if form.errors else 200,
    )


class DiagnosisForm(forms.Form):
    system = forms.ChoiceField(label=gettext_lazy("Kodverk"), choices=[("icd10", "ICD-10-SE (diagnos)"), ("kva", "KVÅ (åtgärd)")])
    code = forms.CharField(
        label=gettext_lazy("Kod eller text"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Ange en kod.")},
    )


@actor_required
@require_http_methods(["GET", "POST"])
def diagnoses(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    form = DiagnosisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["system"] == "kva":
                services.procedure_add(actor=actor, patient_id=patient_id, code=form.cleaned_data["code"])
            else:
                services.diagnosis_add(actor=actor, patient_id=patient_id, code=form.cleaned_data["code"])
            messages.success(request, _("Sparat."))
            return redirect("journal:diagnoses", patient_id=patient_id)
        except DomainError as exc:
            form_error(form, exc)
    pa = queries.access(actor, patient_id, "journal.diagnoses")
    return render(
        request,
        "journal/diagnoses.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "form": form,
            "diagnoses": queries.diagnoses_all(pa),
            "procedures": queries.procedures_all(pa),
            "Status": Diagnosis.Status,
        },
        status=400 if form.errors else 200,
    )


@actor_required
@require_POST
def diagnosis_resolve(request: HttpRequest, diagnosis_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        dx = services.diagnosis_resolve(actor=actor, diagnosis_id=diagnosis_id)
        return redirect("journal:diagnoses", patient_id=dx.patient_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(safe_next(request, request.POST.get("next"), reverse("home")))


class AllergyForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Typ"), choices=Allergy.Kind.choices)
    substance = forms.CharField(
        label=gettext_lazy("Ämne eller tillstånd"),
        max_length=200,
        error_messages={"required": gettext_lazy("Ange ämne eller tillstånd.")},
    )
    atc_code = forms.CharField(
        label=gettext_lazy("ATC-kod (valfri)"),
        required=False,
        max_length=10,
        help_text=gettext_lazy("Klass eller substans, t.ex. J01C för penicilliner."),
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Allvarlighetsgrad"), choices=Allergy.Severity.choices, initial=Allergy.Severity.MODERATE
    )
    reaction = forms.CharField(label=gettext_lazy("Reaktion/kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


@actor_required
@require_http_methods(["GET", "POST"])
def allergies(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    form = AllergyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allergy_record(actor=actor, patient_id=patient_id, **form.cleaned_data)
            messages.success(request, _("Signalen är registrerad."))
            return redirect("journal:allergies", patient_id=patient_id)
        except DomainError as exc:
            form_error(form, exc)
    pa = queries.access(actor, patient_id, "journal.allergies")
    return render(
        request,
        "journal/allergies.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "form": form,
            "rows": queries.allergies_all(pa),
        },
        status=400 if form.errors else 200,
    )


@actor_required
@require_POST
def allergy_inactivate(request: HttpRequest, allergy_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        a = services.allergy_inactivate(actor=actor, allergy_id=allergy_id, reason=request.POST.get("reason", ""))
        messages.success(request, _("Signalen är inaktuell."))
        return redirect("journal:allergies", patient_id=a.patient_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(safe_next(request, request.POST.get("next"), reverse("home")))


# --- Worklists ------------------------------------------------------------


@actor_required
def unsigned(request: HttpRequest) -> HttpResponse:
    return render(request, "journal/unsigned.html", {"notes": queries.unsigned_for(get_actor(request))})


@actor_required
def acknowledgements(request: HttpRequest) -> HttpResponse:
    return render(request, "journal/acknowledgements.html", {"items": queries.acknowledgements_open(get_actor(request))})


@actor_required
@require_POST
def acknowledge(request: HttpRequest, acknowledgement_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        services.acknowledgement_confirm(
            actor=actor, acknowledgement_id=acknowledgement_id, comment=request.POST.get("comment", "")
        )
        messages.success(request, _("Vidimerad."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("journal:acknowledgements")
