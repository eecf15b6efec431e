"""Browser pages of the ward's nursing documentation: the observation chart (vital
signs with NEWS2 and trend charts), risk assessments and the care plan. Thin: parse,
call one service or query, render."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from journal import charts, codes, nursing, queries, services
from journal.models import RiskAssessment, VitalSigns
from vardmiljo.access import PatientAccess
from vardmiljo.errors import DomainError
from vardmiljo.web import actor_required, get_actor

VITALS_FIELDS = (
    "observed_at",
    "respiratory_rate",
    "spo2",
    "spo2_scale",
    "on_oxygen",
    "systolic",
    "diastolic",
    "pulse",
    "consciousness",
    "temperature",
)
NUMBERS = ("respiratory_rate", "spo2", "systolic", "diastolic", "pulse", "temperature")
DEFAULT_ROWS, MAX_ROWS = 3, 12


def _rows_wanted(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("rader") or request.POST.get("rader") or DEFAULT_ROWS), 1), MAX_ROWS)
    except ValueError:
        return DEFAULT_ROWS


def _posted_sets(request: HttpRequest, n: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(every row as typed, for showing the form again; the rows with any value, for the service)."""
    typed = [{f: request.POST.get(f"r{i}-{f}", "").strip() for f in VITALS_FIELDS} for i in range(1, n + 1)]
    filled = [r for r in typed if any(r[f] for f in NUMBERS)]
    return typed, filled


def _blank_rows(n: int, scale: int) -> list[dict[str, str]]:
    return [
        {**{f: "" for f in VITALS_FIELDS}, "spo2_scale": str(scale), "on_oxygen": "air", "consciousness": "A"} for _i in range(n)
    ]


@actor_required
@require_http_methods(["GET", "POST"])
def vitals_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The observation chart's entry form: several sets at once, keyboard only."""
    actor = get_actor(request)
    n = _rows_wanted(request)
    error = ""
    rows: list[dict[str, str]] = []
    if request.method == "POST":
        rows, filled = _posted_sets(request, n)
        try:
            sets = services.vital_signs_record(
                actor=actor, patient_id=patient_id, sets=filled, submission=request.POST.get("submission", "")
            )
        except DomainError as exc:
            error = exc.message
        else:
            escalated = [v for v in sets if v.news2_escalate]
            latest = sets[-1]
            msg = _("%(n)d mätning(ar) sparade. Senaste NEWS2 %(s)d, klinisk risk %(r)s, nästa kontroll senast %(d)s.") % {
                "n": len(sets),
                "s": latest.news2_score,
                "r": latest.get_news2_risk_display(),
                "d": f"{timezone.localtime(latest.next_due_at):%Y-%m-%d %H:%M}",
            }
            if escalated:
                messages.error(request, _("Eskalera: NEWS2 %(s)d. Kontakta ansvarig läkare.") % {"s": escalated[-1].news2_score})
            messages.success(request, msg)
            return redirect("journal:vitals", patient_id=patient_id)
    pa = queries.access(actor, patient_id, "journal.vitals.new")
    if not rows:
        rows = _blank_rows(n, queries.last_spo2_scale(pa))
    return render(
        request,
        "journal/vitals_new.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "rows": [(i, r) for i, r in enumerate(rows, start=1)],
            "n": n,
            "more": min(n + 3, MAX_ROWS),
            "error": error,
            "submission": secrets.token_hex(12),
            "consciousness": VitalSigns.Consciousness.choices,
        },
        status=400 if error else 200,
    )


def _charts(sets: list[VitalSigns], start: dt.datetime, end: dt.datetime) -> list[Any]:
    ok = [v for v in sets if not v.entered_in_error]
    flagged = [v.observed_at for v in ok if v.news2_escalate]
    if ok:
        # The axis runs from a little before the first set to now, not from the start of
        # the period: a day of sets in a three-day window would otherwise be squeezed right.
        first = min(v.observed_at for v in ok)
        start = max(start, first - max((end - first) * 0.05, dt.timedelta(minutes=30)))

    def pts(attr: str) -> list[tuple[dt.datetime, Any]]:
        return [(v.observed_at, getattr(v, attr)) for v in ok if getattr(v, attr) is not None]

    common: dict[str, Any] = {"flagged": flagged, "start": start, "end": end}
    return [
        charts.line_chart(
            chart_id="ch-news2",
            title=_("NEWS2-poäng"),
            unit=_("poäng"),
            series=[charts.Series(_("NEWS2"), pts("news2_score"), "diamond")],
            y_range=(0, 9),
            normal=(0, 4),
            normal_label=_("låg risk 0–4"),
            **common,
        ),
        charts.line_chart(
            chart_id="ch-rr",
            title=_("Andningsfrekvens"),
            unit=_("andetag/min"),
            series=[charts.Series(_("Andningsfrekvens"), pts("respiratory_rate"), "circle")],
            y_range=(8, 26),
            normal=(12, 20),
            **common,
        ),
        charts.line_chart(
            chart_id="ch-spo2",
            title=_("Syremättnad"),
            unit="%",
            series=[charts.Series(_("SpO2"), pts("spo2"), "triangle")],
            y_range=(88, 100),
            normal=(96, 100),
            **common,
        ),
        charts.line_chart(
            chart_id="ch-bp",
            title=_("Blodtryck"),
            unit="mmHg",
            series=[
                charts.Series(_("Systoliskt"), pts("systolic"), "triangle"),
                charts.Series(_("Diastoliskt"), pts("diastolic"), "square"),
            ],
            y_range=(50, 180),
            normal=(111, 219),
            **common,
        ),
        charts.line_chart(
            chart_id="ch-pulse",
            title=_("Puls"),
            unit=_("slag/min"),
            series=[charts.Series(_("Puls"), pts("pulse"), "square")],
            y_range=(40, 130),
            normal=(51, 90),
            **common,
        ),
        charts.line_chart(
            chart_id="ch-temp",
            title=_("Temperatur"),
            unit="°C",
            series=[charts.Series(_("Temperatur"), pts("temperature"), "circle")],
            y_range=(35, 39.5),
            normal=(36.1, 38.0),
            **common,
        ),
    ]


@actor_required
def vitals(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The observation chart: latest NEWS2 with its escalation, trend charts and the table."""
    actor = get_actor(request)
    try:
        days = min(max(int(request.GET.get("dygn") or 3), 1), 14)
    except ValueError:
        days = 3
    pa = queries.access(actor, patient_id, "journal.vitals")
    end = timezone.now()
    start = end - dt.timedelta(days=days)
    sets = queries.vital_signs_for(pa, since=start)
    latest = next((v for v in sets if not v.entered_in_error), None)
    return render(
        request,
        "journal/vitals.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "sets": sets,
            "latest": latest,
            "overdue": latest is not None and latest.next_due_at < end,
            "charts": _charts(sets, start, end) if sets else [],
            "days": days,
            "day_choices": (1, 3, 7, 14),
        },
    )


@actor_required
@require_POST
def vitals_error(request: HttpRequest, patient_id: int, vital_signs_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        services.vital_signs_mark_error(actor=actor, vital_signs_id=vital_signs_id, reason=request.POST.get("reason", ""))
        messages.success(request, _("Raden är markerad som felaktigt registrerad."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("journal:vitals", patient_id=patient_id)


# --- Risk assessments -----------------------------------------------------


def _scale_or_404(kind: str) -> tuple[nursing.Item, ...]:
    if kind not in nursing.SCALES:
        raise Http404()
    return nursing.SCALES[kind]


@actor_required
def risk_assessments(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    pa = queries.access(actor, patient_id, "journal.risk")
    rows = queries.risk_assessments_for(pa)
    latest: dict[str, RiskAssessment] = {}
    for r in rows:
        if not r.entered_in_error:
            latest.setdefault(r.kind, r)
    return render(
        request,
        "journal/risk_assessments.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "rows": rows,
            "kinds": [(k, label, latest.get(k)) for k, label in RiskAssessment.Kind.choices],
        },
    )


@actor_required
@require_http_methods(["GET", "POST"])
def risk_assessment_new(request: HttpRequest, patient_id: int, kind: str) -> HttpResponse:
    actor = get_actor(request)
    items = _scale_or_404(kind)
    error, field = "", ""
    answers: dict[str, Any] = {}
    if request.method == "POST":
        answers = {i.key: request.POST.getlist(i.key) if i.multiple else request.POST.get(i.key, "") for i in items}
        try:
            ra = services.risk_assessment_record(
                actor=actor,
                patient_id=patient_id,
                kind=kind,
                answers=answers,
                comment=request.POST.get("comment", ""),
                submission=request.POST.get("submission", ""),
            )
        except DomainError as exc:
            error, field = exc.message, exc.field or ""
        else:
            messages.success(
                request, _("%(k)s: %(s)d poäng – %(l)s.") % {"k": ra.get_kind_display(), "s": ra.score, "l": ra.level}
            )
            return redirect("journal:risk_assessments", patient_id=patient_id)
    pa = queries.access(actor, patient_id, "journal.risk.new")
    chosen = {k: (v if isinstance(v, list) else [v]) for k, v in answers.items()}
    return render(
        request,
        "journal/risk_assessment_new.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "kind": kind,
            "kind_label": RiskAssessment.Kind(kind).label,
            "items": [(i, chosen.get(i.key, [])) for i in items],
            "error": error,
            "error_field": field,
            "comment": request.POST.get("comment", ""),
            "submission": secrets.token_hex(12),
        },
        status=400 if error else 200,
    )


@actor_required
@require_POST
def risk_assessment_error(request: HttpRequest, patient_id: int, risk_assessment_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        services.risk_assessment_mark_error(
            actor=actor, risk_assessment_id=risk_assessment_id, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Bedömningen är markerad som felaktigt registrerad."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("journal:risk_assessments", patient_id=patient_id)


# --- Care plan ------------------------------------------------------------


@actor_required
@require_http_methods(["GET", "POST"])
def care_plan(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = get_actor(request)
    error, field = "", ""
    values = {k: request.POST.get(k, "") for k in ("keyword", "diagnosis", "goal", "interventions")}
    if request.method == "POST":
        try:
            services.care_plan_item_add(actor=actor, patient_id=patient_id, **values)
        except DomainError as exc:
            error, field = exc.message, exc.field or ""
        else:
            messages.success(request, _("Raden är tillagd i vårdplanen."))
            return redirect("journal:care_plan", patient_id=patient_id)
    pa: PatientAccess = queries.access(actor, patient_id, "journal.careplan")
    return render(
        request,
        "journal/care_plan.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "items": queries.care_plan_for(pa),
            "keywords": codes.VIPS_KEYWORDS,
            "values": values,
            "error": error,
            "error_field": field,
        },
        status=400 if error else 200,
    )


@actor_required
@require_POST
def care_plan_close(request: HttpRequest, patient_id: int, item_id: int) -> HttpResponse:
    actor = get_actor(request)
    try:
        services.care_plan_item_close(actor=actor, item_id=item_id, evaluation=request.POST.get("evaluation", ""))
        messages.success(request, _("Raden är utvärderad och avslutad."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("journal:care_plan", patient_id=patient_id)
