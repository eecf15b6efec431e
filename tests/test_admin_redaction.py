"""Issue 12 item 3: Django admin shows no clinical text and no payload, and what it shows of
a patient is in the patient's log extract. A payload is read only on the support page,
with a reason, on its own ground, flagged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import models
from django.test import RequestFactory
from django.utils import timezone

from integrations.models import ImportJob, RegistryTransfer
from remisser.models import Referral
from tests import factories as f
from tests.conftest import World
from tests.test_access_guard import patient_linked_models
from vardmiljo import audit, followup
from vardmiljo.admin import PatientDataAdmin
from vardmiljo.models import AccessLog, Block, CareRelationship, EmergencyAccess, Outbox, Patient

SECRET = "HEMLIG-KLINISK-TEXT"
# Models whose rows hold patient data without a foreign key to a patient.
HOLDS_PATIENT_DATA = {ImportJob}
# Free-text fields an admin page may show, with why they are not clinical.
STATUS_TEXT = {
    (Outbox, "last_error"): "our own delivery error message, needed to fix a delivery",
    (ImportJob, "last_error"): "the import runner's own interruption message",
    (ImportJob, "counts"): "how many records of each kind were created",
}
IDENTITY = {"identifier", "given_name", "family_name", "birth_date", "phone", "address"}


def _clinical(model: type[models.Model]) -> set[str]:
    """Free text, payloads and receipts, the patient object (its name and personnummer),
    and on the patient itself its address."""
    out = set()
    for fld in model._meta.get_fields():
        if not getattr(fld, "concrete", False):
            continue
        if isinstance(fld, models.TextField | models.JSONField) and (model, fld.name) not in STATUS_TEXT:
            out.add(fld.name)
        elif fld.is_relation and fld.related_model is Patient:
            out.add(fld.name)
    if model is Patient:
        out.add("address")
    return out


def _names(model_admin: admin.ModelAdmin, request: Any) -> set[str]:
    shown: set[str] = set()
    shown |= {str(n) for n in model_admin.get_fields(request, model_admin.model())}
    shown |= {n for n in model_admin.get_list_display(request) if isinstance(n, str)}
    shown |= {n.lstrip("=^@") for n in model_admin.get_search_fields(request)}
    shown |= {n if isinstance(n, str) else "" for n in model_admin.list_filter}
    return shown - {""}


def violations(model_admin: admin.ModelAdmin, request: Any) -> list[str]:
    model = model_admin.model
    out = []
    if not isinstance(model_admin, PatientDataAdmin):
        out.append(f"{model.__name__}: {type(model_admin).__name__} is not a PatientDataAdmin")
    clinical = _clinical(model)
    for name in _names(model_admin, request):
        head, _, rest = name.partition("__")
        if head in clinical:
            out.append(f"{model.__name__}: shows {name}")
        elif rest and any(part in IDENTITY for part in rest.split("__")):
            out.append(f"{model.__name__}: shows {name} (the patient's identity)")
    for inline in model_admin.get_inline_instances(request):
        inline_clinical = _clinical(inline.model)
        for name in [*(inline.fields or ()), *(inline.readonly_fields or ())]:
            if name in inline_clinical:
                out.append(f"{model.__name__}: inline {inline.model.__name__} shows {name}")
    return out


def _superuser_request(rf: RequestFactory) -> Any:
    request = rf.get("/admin/")
    request.user = f.make_staff(is_staff=True, is_superuser=True)
    return request


@pytest.mark.django_db
def test_12_3_every_admin_of_a_patient_linked_model_is_redacted() -> None:
    request = _superuser_request(RequestFactory())
    guarded = patient_linked_models() | HOLDS_PATIENT_DATA
    registered = {m: ma for m, ma in admin.site._registry.items() if m in guarded}
    assert {Patient, Referral, Outbox, RegistryTransfer, AccessLog, Block, ImportJob} <= set(registered)
    problems = [v for ma in registered.values() for v in violations(ma, request)]
    # The identity register's own admin shows identity (it is what it administers), never the address.
    problems = [p for p in problems if not (p.startswith("Patient:") and p.split("shows ")[-1] in IDENTITY - {"address"})]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_12_3_the_walk_fails_on_an_admin_that_shows_clinical_text() -> None:
    request = _superuser_request(RequestFactory())

    class Leaky(admin.ModelAdmin):
        list_display = ("id", "patient__identifier")
        fields = ("question", "status")

    class Redacted(PatientDataAdmin):
        shown_fields = ("id", "status", "patient")

    leaky = violations(Leaky(Referral, admin.site), request)
    assert any("not a PatientDataAdmin" in v for v in leaky)
    assert any("shows question" in v for v in leaky) and any("patient__identifier" in v for v in leaky)
    assert violations(Redacted(Referral, admin.site), request) == ["Referral: shows patient"]


@pytest.fixture
def rows(world: World) -> dict[str, Any]:
    from remisser import services as rs
    from vardmiljo.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        ref = rs.referral_send(
            actor=world.physician,
            patient_id=world.patient.pk,
            receiver_unit_id=world.med.pk,
            priority="inom_2_veckor",
            question=f"{SECRET} bröstsmärta?",
        )
    finally:
        app.conf.task_always_eager = eager
    p = world.patient
    outbox = Outbox.objects.create(
        channel="test", idempotency_key="t-1", object_type="x", object_id="1", patient=p, payload={"text": SECRET}
    )
    transfer = RegistryTransfer.objects.create(
        registry="ndr", patient=p, payload={"pnr": p.identifier, "text": SECRET}, payload_sha256="0" * 64
    )
    block = Block.objects.create(
        patient=p, provider=world.region, unit=world.vc, set_by=world.physician.staff, requested_by_patient_note=SECRET
    )
    em = EmergencyAccess.objects.create(
        patient=p,
        staff=world.physician.staff,
        assignment=world.physician.assignment,
        reason=SECRET,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    rel = CareRelationship.objects.create(patient=p, unit=world.med, ground="manual", reason=SECRET)
    log_id = audit.record(world.physician, "t.read", patient=p, reason=SECRET)
    return {
        "remisser/referral": ref.pk,
        "vardmiljo/outbox": outbox.pk,
        "integrations/registrytransfer": transfer.pk,
        "vardmiljo/block": block.pk,
        "vardmiljo/emergencyaccess": em.pk,
        "vardmiljo/carerelationship": rel.pk,
        "vardmiljo/accesslog": log_id,
    }


@pytest.mark.django_db
def test_12_3_admin_pages_show_no_clinical_text_and_land_in_the_extract(client, world: World, rows) -> None:  # type: ignore[no-untyped-def]
    client.force_login(f.make_staff(is_staff=True, is_superuser=True))
    pnr = world.patient.identifier
    for base, pk in rows.items():
        for url in (f"/admin/{base}/", f"/admin/{base}/{pk}/change/"):
            resp = client.get(url)
            html = resp.content.decode()
            assert resp.status_code == 200, url
            assert SECRET not in html and pnr not in html and world.patient.family_name not in html, url
        label = base.replace("/", ".")
        extract = list(followup.extract_rows(world.patient.pk))
        assert any(r.action == f"admin.{label}.list" and world.patient.pk in (r.patient_ids or []) for r in extract), base
        assert any(r.action == f"admin.{label}.read" and r.patient_id == world.patient.pk for r in extract), base
        assert all(r.ground == "administration" for r in extract if r.action.startswith("admin."))
    # The identity register lists identities (its purpose) and logs it; it never shows the address.
    Patient.objects.filter(pk=world.patient.pk).update(address=SECRET)
    html = client.get(f"/admin/vardmiljo/patient/{world.patient.pk}/change/").content.decode()
    assert SECRET not in html
    assert AccessLog.objects.filter(action="admin.vardmiljo.patient.read", patient_id=world.patient.pk).exists()


@pytest.mark.django_db
def test_12_3_payload_only_on_the_support_page_with_a_reason_flagged(client, world: World, rows) -> None:  # type: ignore[no-untyped-def]
    for base in ("vardmiljo/outbox", "integrations/registrytransfer"):
        pk = rows[base]
        url = f"/admin/{base}/{pk}/innehall/"
        client.force_login(f.make_staff(is_staff=True, is_superuser=True))
        assert "innehall/" in client.get(f"/admin/{base}/{pk}/change/").content.decode()
        page = client.get(url).content.decode()
        assert SECRET not in page and 'name="reason"' in page
        page = client.post(url, {"reason": ""}).content.decode()
        assert SECRET not in page
        page = client.post(url, {"reason": "Leveransen fastnar, kontrollerar formatet"}).content.decode()
        assert SECRET in page
        row = AccessLog.objects.filter(action=f"admin.{base.replace('/', '.')}.payload").get()
        assert row.ground == "support" and row.flagged and row.patient_id == world.patient.pk
        assert row.reason == "Leveransen fastnar, kontrollerar formatet"
        assert row in list(followup.extract_rows(world.patient.pk))
        # An administrator who may view the rows but lacks the payload permission is refused.
        viewer = f.make_staff(is_staff=True)
        model = base.split("/")[1]
        viewer.user_permissions.add(Permission.objects.get(codename=f"view_{model}"))
        client.force_login(viewer)
        assert client.get(f"/admin/{base}/{pk}/change/").status_code == 200
        resp = client.post(url, {"reason": "nyfiken"})
        assert resp.status_code == 403 and SECRET not in resp.content.decode()
