"""The personas of the demo data, as a person would meet them (issue: trust core)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from vardmiljo import access, demo
from vardmiljo.access import Ground
from vardmiljo.actor import Actor
from vardmiljo.errors import NotFound
from vardmiljo.models import AccessLog, CareProvider, Patient, Staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx() -> demo.DemoContext:
    return demo.seed_core(40, progress=lambda m: None)


def actor(ctx: demo.DemoContext, key: str) -> Actor:
    return Actor(staff=ctx.staff[key], assignment=ctx.assignments[key], client_ip="10.0.0.1")


def test_seed_is_idempotent() -> None:
    call_command("seed_demo", "--patients", "30")
    counts = (Patient.objects.count(), Staff.objects.count(), CareProvider.objects.count())
    call_command("seed_demo", "--patients", "30")
    assert (Patient.objects.count(), Staff.objects.count(), CareProvider.objects.count()) == counts
    assert all(p.identifier[8] == "9" and p.identifier[9] in "89" for p in Patient.objects.all()[:30])


def test_physician_and_nurse_at_the_health_centre_read_listed_patients(ctx: demo.DemoContext) -> None:
    pid = ctx.patient_ids[0]
    for key in ("anna", "bo"):
        assert access.patient_access(actor(ctx, key), pid, action="t").ground == Ground.CARE_RELATIONSHIP


def test_hospital_physician_without_relationship_is_denied(ctx: demo.DemoContext) -> None:
    with pytest.raises(NotFound):
        access.patient_access(actor(ctx, "cecilia"), ctx.patient_ids[0], action="t")
    assert AccessLog.objects.filter(staff_id=ctx.staff["cecilia"].pk, ground=Ground.DENIED).exists()


def test_blocked_patient_hides_private_clinic_data_from_the_region(ctx: demo.DemoContext) -> None:
    britta = ctx.special["blocked"]
    pa = access.patient_access(actor(ctx, "anna"), britta.pk, action="t")
    assert not pa.may_read_unit(ctx.units["priv"])
    pa_priv = access.patient_access(actor(ctx, "david"), britta.pk, action="t")
    assert pa_priv.may_read_unit(ctx.units["priv"])


def test_shared_patient_consent_lets_the_private_physician_read_region_data(ctx: demo.DemoContext) -> None:
    greta = ctx.special["shared"]
    pa = access.patient_access(actor(ctx, "david"), greta.pk, action="t")
    assert pa.consent and pa.may_read_unit(ctx.units["vc"])
    # Britta gave no consent: the private physician reads only the private clinic's data.
    pa2 = access.patient_access(actor(ctx, "david"), ctx.special["blocked"].pk, action="t")
    assert not pa2.may_read_unit(ctx.units["vc"])


def test_protected_patient_is_flagged_and_address_hidden(ctx: demo.DemoContext) -> None:
    sam = ctx.special["protected"]
    pa = access.patient_access(actor(ctx, "anna"), sam.pk, action="t")
    assert pa.flagged and access.patient_address(pa) is None
    row = AccessLog.objects.filter(patient_id=sam.pk, action="t").get()
    assert row.protected_patient and row.flagged
