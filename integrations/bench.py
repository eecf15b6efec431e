"""Benchmark scenarios for integrations (manage.py bench --only integrations).

The import's own speed is measured by `manage.py legacy_import_bench`
(prints notes_per_s); here: the patient's quality-registry page through the
full request path, and the simulated registry receiving a transfer.
"""

from __future__ import annotations

import json

from vardmiljo.bench import BenchContext, Scenario


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
    ]
