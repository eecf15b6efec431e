"""Pages of integrations: the patient's quality-registry page (objection) and the
local simulated registry endpoint (tests, demo)."""

from __future__ import annotations

import json
import time

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import queries, services
from integrations.registries import simulator
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.web import actor_required, form_error, get_actor


@csrf_exempt  # a machine endpoint: authenticated by network placement in a real registry, here a simulation
@require_POST
def simulated_registry(request: HttpRequest, name: str) -> HttpResponse:
    if not simulator.enabled():
        return JsonResponse({"error": "simulatorn är avstängd"}, status=404)
    try:
        sleep = float(request.GET.get("sleep") or 0)
        status = int(request.GET.get("status") or 0)
    except ValueError:
        return JsonResponse({"error": "sleep och status måste vara tal"}, status=400)
    if 0 < sleep:
        time.sleep(min(sleep, 30.0))
    if 100 <= status <= 599:
        return JsonResponse({"error": f"simulerat fel {status}"}, status=status)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return JsonResponse({"error": "Idempotency-Key saknas"}, status=400)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "ogiltig JSON"}, status=400)
    if not isinstance(payload, dict) or payload.get("register") != name:
        return JsonResponse({"error": "fel register eller format"}, status=422)
    return JsonResponse(simulator.receive(registry=name, idempotency_key=key, payload=payload), status=201)


class ObjectionForm(forms.Form):
    patient_statement = forms.CharField(
        label=_("Patientens besked"),
        widget=forms.TextInput,
        help_text=_("T.ex. ”Patienten meddelade muntligt vid besöket 2024-05-02”."),
    )


@actor_required
def patient_registries(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Kvalitetsregister: the patient's objection (PDL 7 kap. 2 §) and what has been sent."""
    actor = get_actor(request)
    try:
        pa, rows, transfers = queries.registry_overview(actor, patient_id)
    except NotFound:
        return render(request, "vardmiljo/no_access.html", {"patient_id": patient_id}, status=404)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registry_objection_set(
                actor=actor,
                patient_id=patient_id,
                objection=request.POST.get("objection") == "1",
                patient_statement=form.cleaned_data["patient_statement"],
            )
            return redirect("integrations:patient_registries", patient_id=patient_id)
        except DomainError as exc:
            form_error(form, exc)
    return render(
        request,
        "integrations/patient_registries.html",
        {
            "pa": pa,
            "patient": pa.patient,
            "registries": rows,
            "transfers": transfers,
            "form": form,
        },
    )
