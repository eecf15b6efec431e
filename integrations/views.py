"""Pages of integrations: the local simulated registry endpoint (tests, demo)."""

from __future__ import annotations

import json
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.registries import simulator


@csrf_exempt  # a machine endpoint: authenticated by network placement in a real registry, here a simulation
@require_POST
def simulated_registry(request: HttpRequest, name: str) -> HttpResponse:
    if not simulator.enabled():
        return JsonResponse({"error": "simulatorn är avstängd"}, status=404)
    sleep = request.GET.get("sleep", "")
    if sleep:
        time.sleep(min(float(sleep), 30.0))
    status = request.GET.get("status", "")
    if status:
        return JsonResponse({"error": f"simulerat fel {status}"}, status=int(status))
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
