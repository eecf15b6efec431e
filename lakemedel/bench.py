"""Benchmark of läkemedel: 1,000,000 orders (COPY), then prescribe, renew and
the medication panel through the full request path."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from lakemedel import catalogue
from lakemedel.models import MedicationOrder, Prescription, Product
from vardmiljo.bench import BenchContext, Scenario

TARGET_ORDERS = 1_000_000
REASONS = ["Biverkan", "Behandlingen avslutad", "Byte till annat preparat", "Ingen effekt", "Patientens önskan"]
INDICATIONS = [
    "Hypertoni",
    "Diabetes typ 2",
    "Smärta",
    "Hypotyreos",
    "Förmaksflimmer",
    "Depression",
    "Astma",
    "Hyperlipidemi",
    "Hjärtsvikt",
    "Sömnbesvär",
    "Gastroesofageal reflux",
    "",
]
ORDER_COLS = (
    "product_id",
    "substance",
    "atc_code",
    "dose",
    "dose_unit",
    "route",
    "frequency",
    "times",
    "period",
    "prn_max_per_day",
    "indication",
    "start_date",
    "planned_end_date",
    "prescriber_id",
    "patient_id",
    "unit_id",
    "status",
    "version",
    "discontinued_reason",
    "discontinued_at",
    "created_at",
    "updated_at",
)


def seed_bench(ctx: BenchContext) -> None:
    catalogue.ensure_sample()
    have = MedicationOrder.objects.count()
    if have >= TARGET_ORDERS:
        return
    rng = random.Random(5)
    products = list(
        Product.objects.filter(requires_indication=False).values_list("pk", "substance", "atc_code", "dose_unit", "route")
    )
    patients = ctx.demo.patient_ids
    prescriber = ctx.demo.staff["anna"].pk
    unit = ctx.demo.units["vc"].pk
    now = timezone.now()
    today = timezone.localdate()
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM lakemedel_medicationorder")
        start_id = cur.fetchone()[0]
        n = TARGET_ORDERS - have
        per = max(1, n // len(patients))
        with cur.copy(f"COPY lakemedel_medicationorder ({', '.join(ORDER_COLS)}) FROM STDIN") as copy:
            written = 0
            for pid in patients:
                for _ in range(per if written + per <= n else n - written):
                    prod = products[rng.randrange(len(products))]
                    r = rng.random()
                    status = "active" if r < 0.7 else ("paused" if r < 0.75 else "discontinued")
                    prn = rng.random() < 0.15
                    start = today - dt.timedelta(days=rng.randrange(3000))
                    copy.write_row(
                        (
                            prod[0],
                            prod[1],
                            prod[2],
                            rng.choice(("1", "1", "2", "0.5")),
                            prod[3],
                            prod[4],
                            "prn" if prn else "regular",
                            None if prn else rng.choice((1, 1, 2, 3)),
                            "day",
                            rng.choice((2, 3, 4)) if prn else None,
                            rng.choice(INDICATIONS),
                            start,
                            None,
                            prescriber,
                            pid,
                            unit,
                            status,
                            1,
                            rng.choice(REASONS) if status == "discontinued" else "",
                            now if status == "discontinued" else None,
                            now,
                            now,
                        )
                    )
                    written += 1
                if written >= n:
                    break
        ctx.demo.progress(f"lakemedel: {written} ordinationer kopierade")
        cur.execute(
            """INSERT INTO lakemedel_medicationorderversion
               (order_id, patient_id, unit_id, version, kind, status, reason, changed_by_id, changed_at,
                product_id, substance, atc_code, dose, dose_unit, route, frequency, times, period, prn_max_per_day,
                indication, start_date, planned_end_date, prescriber_id)
               SELECT id, patient_id, unit_id, 1, 'created', status, '', prescriber_id, created_at,
                product_id, substance, atc_code, dose, dose_unit, route, frequency, times, period, prn_max_per_day,
                indication, start_date, planned_end_date, prescriber_id
               FROM lakemedel_medicationorder WHERE id > %s""",
            [start_id],
        )
        cur.execute(
            """INSERT INTO lakemedel_prescription
               (order_id, patient_id, unit_id, product_id, prescriber_id, prescriber_code, dosage_text, packages,
                package_size, dispensings, interval_days, valid_until, pharmacy_message, status, idempotency_key,
                receipt_id, sent_at, created_at)
               SELECT o.id, o.patient_id, o.unit_id, o.product_id, o.prescriber_id, '1234567', 'enligt ordination', 1,
                (p.package_sizes->>0)::int, 4, 90, %s, '', 'active', 'seed:' || o.id, 'SEED', %s, %s
               FROM lakemedel_medicationorder o JOIN lakemedel_product p ON p.id = o.product_id
               WHERE o.id > %s AND o.status = 'active' AND o.id %% 3 = 0""",
            [today + dt.timedelta(days=200), now, now, start_id],
        )
    ctx.demo.progress(f"lakemedel: {Prescription.objects.count()} recept")


def scenarios(ctx: BenchContext) -> list[Scenario]:
    client = ctx.client("anna")
    state: dict[str, list[tuple[int, int]]] = {}

    def prep_prescribe(n: int) -> None:
        rows = list(MedicationOrder.objects.filter(status="active").order_by("-pk").values_list("patient_id", "pk")[: n + 20])
        state["orders"] = rows

    def prescribe(i: int):
        pid, oid = state["orders"][i % len(state["orders"])]
        return client.post(
            reverse("lakemedel:prescribe", args=[pid, oid]),
            {
                "packages": "1",
                "package_size": "",
                "dispensings": "1",
                "valid_until": "",
                "idempotency_key": uuid.uuid4().hex,
            }
            | _size_and_date(oid),
        )

    sizes: dict[int, str] = {}

    def _size_and_date(oid: int) -> dict[str, str]:
        if oid not in sizes:
            sizes[oid] = str(MedicationOrder.objects.select_related("product").get(pk=oid).product.package_sizes[0])
        return {"package_size": sizes[oid], "valid_until": (timezone.localdate() + dt.timedelta(days=300)).isoformat()}

    def prep_renew(n: int) -> None:
        # Distinct active prescriptions: each renewal replaces its source.
        state["rx"] = list(
            Prescription.objects.filter(status="active", idempotency_key__startswith="seed:")
            .order_by("pk")
            .values_list("patient_id", "pk")[: n + 20]
        )

    counter = itertools.count()

    def renew(i: int):
        pid, rx = state["rx"][next(counter)]
        return client.post(reverse("lakemedel:renew", args=[pid]), {"rx": [str(rx)], "idempotency_key": uuid.uuid4().hex})

    pids = ctx.demo.patient_ids

    def panel(i: int):
        return client.get(reverse("patient_overview", args=[pids[(i * 7919) % len(pids)]]))

    def med_list(i: int):
        return client.get(reverse("lakemedel:list", args=[pids[(i * 104729) % len(pids)]]))

    terms = ["al", "met", "C09", "simv", "oxy", "N06AB", "lev", "om"]

    def search(i: int):
        return client.get(reverse("lakemedel:product_search"), {"q": terms[i % len(terms)]})

    # Each scenario's prepare() gets n; the warm-up uses the first 10 items too.
    return [
        Scenario(name="lakemedel.prescribe", run=prescribe, prepare=prep_prescribe),
        Scenario(name="lakemedel.renew", run=renew, prepare=lambda n: prep_renew(n + 10)),
        Scenario(name="lakemedel.panel", run=panel),
        Scenario(name="lakemedel.list", run=med_list),
        Scenario(name="lakemedel.search", run=search),
    ]
