"""Plain functions that make test data. No factory library: one call, one row."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from vardmiljo.actor import Actor
from vardmiljo.identifiers import make_personnummer
from vardmiljo.models import Assignment, Block, CareProvider, CareRelationship, CareUnit, Consent, Patient, Staff

_seq = itertools.count(1)


def make_provider(name: str = "Region Test", kind: str = CareProvider.Kind.REGION) -> CareProvider:
    n = next(_seq)
    return CareProvider.objects.create(hsa_id=f"SE{2321000000 + n:010d}-E{n:012d}", name=name, kind=kind)


def make_unit(provider: CareProvider | None = None, name: str = "Enhet") -> CareUnit:
    provider = provider or make_provider()
    n = next(_seq)
    return CareUnit.objects.create(provider=provider, hsa_id=f"{provider.hsa_id[:12]}-U{n:012d}", name=f"{name} {n}")


def make_staff(
    username: str | None = None, profession: str = Staff.Profession.PHYSICIAN, prescriber_code: str = "", **extra: object
) -> Staff:
    n = next(_seq)
    return Staff.objects.create(
        username=username or f"staff{n}",
        first_name="Test",
        last_name=f"Person{n}",
        hsa_id=f"SE2321000131-P{n:012d}",
        profession=profession,
        prescriber_code=prescriber_code,
        password=make_password("demo"),
        **extra,
    )


def make_actor(
    unit: CareUnit,
    *,
    profession: str = Staff.Profession.PHYSICIAN,
    role: str = Assignment.Role.CLINICIAN,
    purpose: str = Assignment.Purpose.CARE,
    prescriber_code: str = "",
    username: str | None = None,
) -> Actor:
    staff = make_staff(username, profession=profession, prescriber_code=prescriber_code)
    a = Assignment.objects.create(
        staff=staff, unit=unit, role=role, purpose=purpose, valid_from=timezone.now() - dt.timedelta(days=1)
    )
    a = Assignment.objects.select_related("unit__provider").get(pk=a.pk)
    return Actor(staff=staff, assignment=a, client_ip="127.0.0.1")


def make_patient(
    *,
    unit: CareUnit | None = None,
    given_name: str = "Test",
    family_name: str = "Patientsson",
    protection: str = Patient.Protection.NONE,
    address: str = "",
    birth: dt.date | None = None,
) -> Patient:
    n = next(_seq)
    birth = birth or (dt.date(1950, 1, 1) + dt.timedelta(days=n * 37 % 20000))
    pnr = make_personnummer(birth, 980 + n % 20)
    while Patient.objects.filter(identifier=pnr).exists():
        n = next(_seq)
        pnr = make_personnummer(birth + dt.timedelta(days=n), 980 + n % 20)
    p = Patient.objects.create(
        identifier=pnr,
        id_kind=Patient.IdKind.PERSONNUMMER,
        given_name=given_name,
        family_name=family_name,
        birth_date=birth,
        sex="F",
        protection=protection,
        address=address,
    )
    if unit is not None:
        relate(p, unit)
    return p


def relate(patient: Patient, unit: CareUnit, ground: str = CareRelationship.Ground.VISIT) -> CareRelationship:
    return CareRelationship.objects.create(patient=patient, unit=unit, ground=ground)


def consent(patient: Patient, provider: CareProvider, by: Staff) -> Consent:
    return Consent.objects.create(
        patient=patient, provider=provider, recorded_by=by, valid_until=timezone.now() + dt.timedelta(days=30)
    )


def block(patient: Patient, unit: CareUnit, by: Staff) -> Block:
    return Block.objects.create(
        patient=patient, provider=unit.provider, unit=unit, set_by=by, requested_by_patient_note="patientens begäran"
    )
