"""Demo and benchmark data: one region with a health centre and a hospital
clinic, a private provider and a municipality, five staff personas, and N
patients with valid, Luhn-correct personnummer drawn from serial numbers
980–999 on dates in the past, a range reserved here for fictitious people.

Each clinical app may add `<app>/demo.py` with `seed(ctx: DemoContext)`;
`seed_demo` calls them in order after the core. Everything is idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from vardmiljo.identifiers import make_personnummer
from vardmiljo.models import Assignment, Block, CareProvider, CareRelationship, CareUnit, Consent, Patient, Staff

CLINICAL_APPS = ("journal", "lakemedel", "remisser", "tidbok", "slutenvard", "integrations", "driftstopp", "invanare")

GIVEN_F = [
    "Anna",
    "Maria",
    "Eva",
    "Karin",
    "Sara",
    "Elin",
    "Ingrid",
    "Lena",
    "Kerstin",
    "Emma",
    "Sofia",
    "Linnea",
    "Astrid",
    "Britt",
    "Margareta",
    "Ida",
    "Maja",
    "Hanna",
    "Frida",
    "Greta",
    "Agnes",
    "Ebba",
    "Wilma",
    "Alva",
]
GIVEN_M = [
    "Lars",
    "Karl",
    "Erik",
    "Anders",
    "Johan",
    "Per",
    "Nils",
    "Mikael",
    "Olof",
    "Gustav",
    "Oskar",
    "Axel",
    "Hugo",
    "Liam",
    "William",
    "Elias",
    "Lucas",
    "Magnus",
    "Sven",
    "Göran",
    "Bengt",
    "Stig",
    "Björn",
    "Leo",
]
FAMILY = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Olofsson",
    "Lindström",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Ali",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Mohammed",
    "Engström",
    "Eklund",
    "Danielsson",
    "Lundin",
    "Håkansson",
]
STREETS = ["Storgatan", "Kungsgatan", "Drottninggatan", "Skolgatan", "Kyrkogatan", "Parkvägen", "Björkvägen"]

PASSWORD = "demo"  # noqa: S105 (the documented demo password; demo mode only)


@dataclass
class DemoContext:
    region: CareProvider
    private: CareProvider
    municipality: CareProvider
    units: dict[str, CareUnit]
    staff: dict[str, Staff]
    assignments: dict[str, Assignment]
    patient_ids: list[int]
    special: dict[str, Patient] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(42))
    progress: Callable[[str], None] = print


def _person_ids(n: int, rng: random.Random) -> Iterator[tuple[str, dt.date, str]]:
    start = dt.date(1930, 1, 1)
    days = (dt.date(2022, 12, 31) - start).days
    seen: set[str] = set()
    while len(seen) < n:
        birth = start + dt.timedelta(days=rng.randrange(days))
        serial = 980 + rng.randrange(20)
        pnr = make_personnummer(birth, serial)
        if pnr in seen:
            continue
        seen.add(pnr)
        yield pnr, birth, "F" if serial % 2 == 0 else "M"


def _provider(hsa: str, name: str, kind: str) -> CareProvider:
    return CareProvider.objects.get_or_create(hsa_id=hsa, defaults={"name": name, "kind": kind})[0]


def _unit(provider: CareProvider, hsa: str, name: str) -> CareUnit:
    return CareUnit.objects.get_or_create(hsa_id=hsa, defaults={"name": name, "provider": provider})[0]


def _staff(username: str, first: str, last: str, hsa: str, profession: str, prescriber: str = "", **extra: object) -> Staff:
    staff, created = Staff.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "hsa_id": hsa,
            "profession": profession,
            "prescriber_code": prescriber,
            "password": make_password(PASSWORD),
            **extra,
        },
    )
    return staff


def _assignment(
    staff: Staff, unit: CareUnit, role: str = Assignment.Role.CLINICIAN, purpose: str = Assignment.Purpose.CARE
) -> Assignment:
    return Assignment.objects.get_or_create(
        staff=staff,
        unit=unit,
        purpose=purpose,
        role=role,
        defaults={"valid_from": timezone.now() - dt.timedelta(days=365)},
    )[0]


@transaction.atomic
def seed_core(patients: int = 1000, progress: Callable[[str], None] = print) -> DemoContext:
    region = _provider("SE2321000131-E000000000001", "Region Väst", CareProvider.Kind.REGION)
    private = _provider("SE5560000001-P000000000001", "Privatläkarna Väst AB", CareProvider.Kind.PRIVATE)
    municipality = _provider("SE2120000001-K000000000001", "Kommunen", CareProvider.Kind.MUNICIPALITY)
    units = {
        "vc": _unit(region, "SE2321000131-E000000000011", "Vårdcentral Centrum"),
        "med": _unit(region, "SE2321000131-E000000000012", "Medicinkliniken"),
        "priv": _unit(private, "SE5560000001-P000000000011", "Privatläkarna Väst"),
        "hem": _unit(municipality, "SE2120000001-K000000000011", "Kommunen Hemsjukvård"),
    }
    staff = {
        "anna": _staff("anna.lakare", "Anna", "Läkare", "SE2321000131-P000000000101", Staff.Profession.PHYSICIAN, "1234567"),
        "bo": _staff("bo.sjukskoterska", "Bo", "Sjuksköterska", "SE2321000131-P000000000102", Staff.Profession.NURSE),
        "cecilia": _staff(
            "cecilia.lakare", "Cecilia", "Läkare", "SE2321000131-P000000000103", Staff.Profession.PHYSICIAN, "2345678"
        ),
        "david": _staff("david.lakare", "David", "Läkare", "SE5560000001-P000000000104", Staff.Profession.PHYSICIAN, "3456789"),
        "eva": _staff(
            "eva.admin",
            "Eva",
            "Administratör",
            "SE2321000131-P000000000105",
            Staff.Profession.ADMINISTRATOR,
            is_staff=True,
            is_superuser=True,
        ),
    }
    assignments = {
        "anna": _assignment(staff["anna"], units["vc"]),
        "bo": _assignment(staff["bo"], units["vc"]),
        "cecilia": _assignment(staff["cecilia"], units["med"]),
        "david": _assignment(staff["david"], units["priv"]),
        "eva": _assignment(staff["eva"], units["vc"], Assignment.Role.LOG_REVIEWER, Assignment.Purpose.FOLLOW_UP),
    }
    # Anna also coordinates the health centre's referrals and schedules.
    for unit in (units["vc"],):
        assign_perm("vardmiljo.manage_unit", staff["anna"], unit)
    assign_perm("vardmiljo.manage_unit", staff["cecilia"], units["med"])

    rng = random.Random(42)
    have = Patient.objects.count()
    if have < patients:
        progress(f"Skapar {patients - have} patienter …")
        batch: list[Patient] = []
        existing = set(Patient.objects.values_list("identifier", flat=True)) if have else set()
        wanted = patients - have
        for pnr, birth, sex in _person_ids(patients + len(existing), rng):
            if pnr in existing:
                continue
            given = rng.choice(GIVEN_F if sex == "F" else GIVEN_M)
            batch.append(
                Patient(
                    identifier=pnr,
                    id_kind=Patient.IdKind.PERSONNUMMER,
                    given_name=given,
                    family_name=rng.choice(FAMILY),
                    birth_date=birth,
                    sex=sex,
                    phone=f"070-{rng.randrange(1000000, 9999999)}",
                )
            )
            wanted -= 1
            if len(batch) >= 5000:
                Patient.objects.bulk_create(batch)
                batch = []
            if wanted == 0:
                break
        Patient.objects.bulk_create(batch)
        # Every demo patient is listed at the health centre (its care relationship).
        new_ids = list(Patient.objects.exclude(care_relationships__unit=units["vc"]).values_list("pk", flat=True))
        rels = [CareRelationship(patient_id=pk, unit=units["vc"], ground=CareRelationship.Ground.VISIT) for pk in new_ids]
        CareRelationship.objects.bulk_create(rels, batch_size=5000)
    patient_ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    ctx = DemoContext(
        region=region,
        private=private,
        municipality=municipality,
        units=units,
        staff=staff,
        assignments=assignments,
        patient_ids=patient_ids,
        rng=rng,
        progress=progress,
    )
    _special_patients(ctx)
    return ctx


def _special_patients(ctx: DemoContext) -> None:
    """The personas of the access tests: a blocked and a protected patient, and
    one seen at both the health centre and the private provider with consent."""
    specs = {
        "blocked": ("197001019802", "Britta", "Spärrsson", Patient.Protection.NONE),
        "protected": ("198502029817", "Sam", "Skyddad", Patient.Protection.PROTECTED_REGISTRATION),
        "shared": ("196003039806", "Greta", "Delad", Patient.Protection.NONE),
    }
    for key, (pnr, given, family, protection) in specs.items():
        from vardmiljo.identifiers import luhn_digit

        pnr = pnr[:11] + str(luhn_digit(pnr[2:11]))
        p, created = Patient.objects.get_or_create(
            identifier=pnr,
            defaults={
                "id_kind": Patient.IdKind.PERSONNUMMER,
                "given_name": given,
                "family_name": family,
                "birth_date": dt.date(int(pnr[:4]), int(pnr[4:6]), int(pnr[6:8])),
                "sex": "F" if int(pnr[10]) % 2 == 0 else "M",
                "protection": protection,
                "address": "Hemliga vägen 1, 123 45 Staden"
                if protection != Patient.Protection.NONE
                else "Storgatan 1, 123 45 Staden",
            },
        )
        ctx.special[key] = p
        if created:
            for unit in (ctx.units["vc"], ctx.units["med"], ctx.units["priv"]):
                CareRelationship.objects.create(patient=p, unit=unit, ground=CareRelationship.Ground.VISIT)
            if key == "blocked":
                # The patient has asked that the private clinic's notes stay with the private clinic.
                Block.objects.create(
                    patient=p,
                    provider=ctx.private,
                    unit=ctx.units["priv"],
                    set_by=ctx.staff["david"],
                    requested_by_patient_note="Patienten begärde spärr vid besök",
                )
            if key == "shared":
                Consent.objects.create(
                    patient=p,
                    provider=ctx.private,
                    recorded_by=ctx.staff["david"],
                    valid_until=timezone.now() + dt.timedelta(days=365),
                )


def seed_apps(ctx: DemoContext) -> None:
    for app in CLINICAL_APPS:
        if find_spec(f"{app}.demo"):
            ctx.progress(f"Demodata: {app}")
            import_module(f"{app}.demo").seed(ctx)


def seed(patients: int = 1000, progress: Callable[[str], None] = print) -> DemoContext:
    ctx = seed_core(patients, progress)
    seed_apps(ctx)
    return ctx
