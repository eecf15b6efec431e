"""Benchmark scenarios for integrations (manage.py bench --only integrations).

The import's own speed is measured by `manage.py legacy_import_bench`
(prints notes_per_s); here: the patient's quality-registry page through the
full request path, and the simulated registry receiving a transfer.
"""

from __future__ import annotations

import json
from typing import Any

from vardmiljo.bench import BenchClient, BenchContext, Scenario


def scenarios(ctx: BenchContext) -> list[Scenario]:
    anna = ctx.client("anna")
    pids = ctx.demo.patient_ids

    def page(i: int):
        return anna.get(f"/integrationer/patient/{pids[i % len(pids)]}/kvalitetsregister/")

    def receive(i: int):
        body = json.dumps({"register": "ndr", "personnummer": "195001019826", "variabler": {"hba1c": {"varde": 52}}})
        return anna.post(
            "/integrationer/sim/registry/ndr/",
            data=body,
            content_type="application/json",
            headers={"Idempotency-Key": f"bench-{i}-{id(ctx)}"},
        )

    return [
        Scenario(name="integrations.registry_page", run=page),
        Scenario(name="integrations.sim_registry_receive", run=receive),
        *fhir_scenarios(ctx),
    ]


OBSERVATIONS_PER_PATIENT = 100


def fhir_scenarios(ctx: BenchContext) -> list[Scenario]:
    """FHIR reads as a connected system makes them: a bearer token acting in the physician's
    assignment, access decision and access-log row included."""
    state: dict[str, Any] = {}
    pids = ctx.demo.patient_ids

    def token(_n: int) -> None:
        if "headers" in state:
            return
        import datetime as dt
        import secrets

        from django.utils import timezone
        from oauth2_provider.models import AccessToken, Application, set_token_value

        from integrations.fhir.models import TokenContext

        actor = ctx.actor("anna")
        app, _ = Application.objects.get_or_create(
            client_id="bench",
            defaults={"name": "Bench", "client_type": "confidential", "authorization_grant_type": "client-credentials"},
        )
        raw = secrets.token_urlsafe(32)
        at = AccessToken(user=actor.staff, application=app, scope="user/*.rs", expires=timezone.now() + dt.timedelta(days=1))
        set_token_value(at, raw)
        at.save()
        TokenContext.objects.create(access_token=at, assignment=ctx.demo.assignments["anna"])
        state["headers"] = {"Authorization": f"Bearer {raw}"}
        state["client"] = BenchClient(raise_request_exception=True)

    def identifiers(n: int) -> None:
        token(n)
        # The personnummer of the patients searched, read as a client would (no model access here).
        state["pnr"] = [
            state["client"].get(f"/fhir/R4/Patient/{pid}", headers=state["headers"]).json()["identifier"][0]["value"]
            for pid in pids[: min(n, 300)]
        ]

    def observations(n: int) -> None:
        token(n)
        from journal import services as js
        from journal.queries import access, observations_all

        actor = ctx.actor("anna")
        have = len(observations_all(access(actor, pids[0], "bench.prepare"), kind="pulse", limit=OBSERVATIONS_PER_PATIENT))
        for i in range(have, OBSERVATIONS_PER_PATIENT):
            js.observation_record(actor=actor, patient_id=pids[0], kind="pulse", value=60 + i % 40)

    def read(i: int):
        return state["client"].get(f"/fhir/R4/Patient/{pids[i % len(pids)]}", headers=state["headers"])

    def search_pnr(i: int):
        pnr = state["pnr"][i % len(state["pnr"])]
        return state["client"].get(
            "/fhir/R4/Patient",
            {"identifier": f"http://electronichealth.se/identifier/personnummer|{pnr}"},
            headers=state["headers"],
        )

    def observation_search(i: int):
        return state["client"].get(
            "/fhir/R4/Observation", {"patient": pids[0], "code": "8867-4", "_count": 100}, headers=state["headers"]
        )

    return [
        Scenario(name="fhir.patient_read", run=read, prepare=token),
        Scenario(name="fhir.patient_search_pnr", run=search_pnr, prepare=identifiers),
        Scenario(name="fhir.observation_search", run=observation_search, prepare=observations),
    ]
