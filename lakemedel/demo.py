"""Demo data: realistic medication lists, a few prescriptions and reviews for
the first demo patients, written through the services (so versions, checks
and the access log are real)."""

from __future__ import annotations

from vardmiljo.actor import Actor
from vardmiljo.demo import DemoContext

# (product name, strength, dose, frequency, times or prn max, indication)
PROFILES: list[list[tuple[str, str, str, str, int, str]]] = [
    [
        ("Enalapril Sandoz", "10 mg", "1", "regular", 1, "Hypertoni"),
        ("Amlodipin Sandoz", "5 mg", "1", "regular", 1, "Hypertoni"),
        ("Atorvastatin Krka", "20 mg", "1", "regular", 1, "Hyperlipidemi"),
    ],
    [
        ("Metformin Teva", "500 mg", "2", "regular", 2, "Diabetes typ 2"),
        ("Jardiance", "10 mg", "1", "regular", 1, "Diabetes typ 2"),
        ("Trombyl", "75 mg", "1", "regular", 1, "Sekundärprevention"),
        ("Atorvastatin Krka", "40 mg", "1", "regular", 1, "Hyperlipidemi"),
    ],
    [
        ("Eliquis", "5 mg", "1", "regular", 2, "Förmaksflimmer"),
        ("Bisoprolol Sandoz", "5 mg", "1", "regular", 1, "Förmaksflimmer"),
        ("Furix", "40 mg", "1", "regular", 1, "Hjärtsvikt"),
    ],
    [("Sertralin Actavis", "50 mg", "1", "regular", 1, "Depression"), ("Imovane", "5 mg", "1", "prn", 1, "Sömnbesvär")],
    [
        ("Symbicort Turbuhaler", "160/4,5 mikrog/dos", "2", "regular", 2, "Astma"),
        ("Ventoline Evohaler", "0,1 mg/dos", "2", "prn", 8, "Astma"),
    ],
    [("Levaxin", "100 mikrog", "1", "regular", 1, "Hypotyreos"), ("Alvedon", "500 mg", "2", "prn", 4, "Smärta")],
    [
        ("Omeprazol Actavis", "20 mg", "1", "regular", 1, "Gastroesofageal reflux"),
        ("Kalcipos-D", "500 mg/800 IE", "1", "regular", 2, "Osteoporos"),
        ("Alendronat Teva", "70 mg", "1", "regular", 1, "Osteoporos"),
    ],
]
DEMO_PATIENTS = 60


def seed(ctx: DemoContext) -> None:
    from django.db import transaction

    from lakemedel import catalogue, services
    from lakemedel.models import MedicationOrder, Product
    from vardmiljo.errors import DomainError

    catalogue.ensure_sample()
    ids = ctx.patient_ids[:DEMO_PATIENTS]
    if MedicationOrder.objects.filter(patient_id__in=ids).exists():
        return
    anna = Actor(staff=ctx.staff["anna"], assignment=ctx.assignments["anna"], client_ip="127.0.0.1")
    products = {(p.name, p.strength): p for p in Product.objects.all()}
    for n, pid in enumerate(ids):
        profile = PROFILES[n % len(PROFILES)]
        with transaction.atomic():
            for i, (name, strength, dose, freq, times, indication) in enumerate(profile):
                p = products.get((name, strength))
                if p is None:
                    continue
                try:
                    order = services.order_create(
                        actor=anna,
                        patient_id=pid,
                        override_reason="Demodata: känd kombination, följs upp",
                        data=services.OrderInput(
                            product_id=p.pk,
                            dose=dose,
                            dose_unit=p.dose_unit,
                            frequency=freq,
                            times=times if freq == "regular" else None,
                            prn_max_per_day=times if freq == "prn" else None,
                            indication=indication,
                        ),
                    )
                except DomainError as exc:
                    ctx.progress(f"lakemedel demo: {name} hoppades över: {exc.message}")
                    continue
                if i < 2 and n % 2 == 0:
                    services.prescription_create(
                        actor=anna,
                        patient_id=pid,
                        order_id=order.pk,
                        data=services.PrescriptionInput(packages=1, dispensings=4, interval_days=80),
                    )
            if n % 3 == 0:
                services.medication_review_record(actor=anna, patient_id=pid, note="Genomgång vid årskontroll")
    ctx.progress(f"lakemedel: läkemedelslistor för {len(ids)} demopatienter")
