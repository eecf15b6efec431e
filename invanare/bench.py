"""Benchmark scenarios of the e-services (`manage.py bench --only invanare`).

Data (made by each scenario's prepare, idempotent, so `--skip-seed` works): a resident
with 10,000 access-log rows spread over five years (the log is partitioned by month;
the partitions are created first), and a web-bookable resource with free times at the
resident's unit. Each request goes through the full request path with the resident's
own session cookie."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from invanare.sessions import ResidentSessionStore
from vardmiljo.bench import BenchClient, BenchContext, Scenario
from vardmiljo.models import AccessLog, CareRelationship, Patient

LOG_ROWS = 10_000
MONTHS = 60
BENCH_PNR = "195501019800"  # serial 980: nobody's real number (check digit set below)


def _resident(ctx: BenchContext) -> Patient:
    from vardmiljo.identifiers import luhn_digit

    pnr = BENCH_PNR[:11] + str(luhn_digit(BENCH_PNR[2:11]))
    p, created = Patient.objects.get_or_create(
        identifier=pnr,
        defaults={
            "id_kind": Patient.IdKind.PERSONNUMMER,
            "given_name": "Bänk",
            "family_name": "Invånare",
            "birth_date": dt.date(1955, 1, 1),
        },
    )
    if created:
        CareRelationship.objects.create(patient=p, unit=ctx.demo.units["vc"], ground=CareRelationship.Ground.VISIT)
    return p


def _seed_log(ctx: BenchContext, patient: Patient) -> None:
    if AccessLog.objects.filter(patient_id=patient.pk, action="bench.read").exists():
        return
    anna = ctx.demo.staff["anna"]
    a = ctx.demo.assignments["anna"]
    unit = a.unit
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT vardmiljo_audit_partition((now() - make_interval(months => m))::date) FROM generate_series(0, %s) AS m",
            [MONTHS],
        )
        # Five years of reads, evenly spread, one in twenty-five an emergency access.
        cur.execute(
            """INSERT INTO vardmiljo_accesslog (logged_at, chain, staff_id, staff_hsa_id, staff_name, assignment_id,
                   unit_id, unit_name, provider_id, provider_name, action, object_type, object_id, patient_id, ground,
                   reason, flagged, protected_patient, client_ip, detail)
               SELECT now() - make_interval(mins => (g * 262)::int), %s, %s, %s, %s, %s, %s, %s, %s, %s, 'bench.read', '', '',
                      %s, CASE WHEN g %% 25 = 0 THEN 'emergency' ELSE 'care_relationship' END,
                      CASE WHEN g %% 25 = 0 THEN 'Akut' ELSE '' END, g %% 25 = 0, false, '127.0.0.1', '{}'
               FROM generate_series(1, %s) AS g""",
            [
                anna.pk % settings.AUDIT_CHAINS,
                anna.pk,
                anna.hsa_id or "",
                anna.get_full_name(),
                a.pk,
                unit.pk,
                unit.name,
                unit.provider_id,
                unit.provider.name,
                patient.pk,
                LOG_ROWS,
            ],
        )
        cur.execute("ANALYZE vardmiljo_accesslog")


def _client(patient: Patient) -> BenchClient:
    c = BenchClient(raise_request_exception=True)
    s = ResidentSessionStore()
    s["resident_id"] = patient.pk
    s.save()
    c.cookies[settings.INVANARE_SESSION_COOKIE_NAME] = s.session_key or ""
    return c


def scenarios(ctx: BenchContext) -> list[Scenario]:
    state: dict[str, Any] = {}

    def prepare(_n: int) -> None:
        if "patient" not in state:
            state["patient"] = _resident(ctx)
            state["client"] = _client(state["patient"])

    def prepare_log(n: int) -> None:
        prepare(n)
        _seed_log(ctx, state["patient"])

    def prepare_slots(n: int) -> None:
        from tidbok.models import Resource, Slot

        prepare(n)
        unit = ctx.demo.units["vc"]
        res, _ = Resource.objects.get_or_create(unit=unit, name="Bänk webbtid", defaults={"web_booking": True})
        start = (timezone.now() + dt.timedelta(days=400)).replace(second=0, microsecond=0)
        Slot.objects.bulk_create(
            [
                Slot(
                    resource=res,
                    unit=unit,
                    starts_at=start + dt.timedelta(minutes=15 * i),
                    ends_at=start + dt.timedelta(minutes=15 * i + 15),
                    slot_type="new_visit",
                )
                for i in range(n + 20)
            ]
        )
        state["slots"] = list(
            Slot.objects.filter(resource=res, status=Slot.Status.FREE, starts_at__gte=start)
            .order_by("starts_at")
            .values_list("pk", flat=True)
        )

    def start_page(i: int) -> Any:
        return state["client"].get("/invanare/")

    def log_extract(i: int) -> Any:
        return state["client"].get(f"/invanare/journal/{state['patient'].pk}/vem-har-last/")

    def book(i: int) -> Any:
        return state["client"].post(
            f"/invanare/journal/{state['patient'].pk}/tider/", {"op": "book", "slot": state["slots"][i + 10]}
        )

    def book_warm(i: int) -> Any:
        return state["client"].post(f"/invanare/journal/{state['patient'].pk}/tider/", {"op": "book", "slot": state["slots"][i]})

    return [
        Scenario(name="invanare.start", run=start_page, prepare=prepare),
        Scenario(name="invanare.log_extract", run=log_extract, prepare=prepare_log),
        Scenario(name="invanare.book", run=_warm_then(book_warm, book), prepare=prepare_slots),
    ]


def _warm_then(warm: Any, run: Any) -> Any:
    """The command warms each scenario with its first ten requests: those book the first ten
    times, the timed requests the ones after them (a time is booked once)."""
    calls = {"n": 0}

    def step(i: int) -> Any:
        calls["n"] += 1
        return warm(i) if calls["n"] <= 10 else run(i)

    return step
