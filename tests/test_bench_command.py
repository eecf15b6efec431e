"""`manage.py bench` runs its scenarios through the request path and prints server time."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_bench_prints_server_time_per_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("bench", "--patients", "30", "-n", "5", "--skip-seed", "--only", "journal.search_pnr,journal.overview")
    out = capsys.readouterr().out
    lines = {m.group(1): m for m in re.finditer(r"^(\S+) n=5 p50=([\d.]+) p95=([\d.]+) p99=([\d.]+) rt95=([\d.]+)$", out, re.M)}
    assert set(lines) == {"journal.search_pnr", "journal.overview"}
    for m in lines.values():
        p50, p95, rt95 = float(m.group(2)), float(m.group(3)), float(m.group(5))
        # Server time is part of the round trip, never more.
        assert 0 < p50 <= p95 <= rt95


@pytest.mark.django_db
def test_17_bench_fhir_scenarios_run(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("bench", "--patients", "30", "-n", "5", "--skip-seed", "--only", "fhir.")
    out = capsys.readouterr().out
    names = set(re.findall(r"^(fhir\.\S+) n=5 ", out, re.M))
    assert names == {"fhir.patient_read", "fhir.patient_search_pnr", "fhir.observation_search"}
