"""The shell pages and the core API: wiring, status codes and access."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.conftest import World, login
from vardmiljo.models import AccessLog, Assignment, EmergencyAccess, Patient

pytestmark = pytest.mark.django_db


def test_login_redirects_to_single_assignment(client, world: World) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/login/", {"username": world.physician.staff.username, "password": "demo"}, follow=True)
    assert resp.status_code == 200
    assert client.session["assignment_id"] == world.physician.assignment.pk


def test_staff_with_two_assignments_chooses(client, world: World) -> None:  # type: ignore[no-untyped-def]
    Assignment.objects.create(staff=world.physician.staff, unit=world.med)
    client.force_login(world.physician.staff)
    resp = client.get("/uppdrag/")
    assert "Välj medarbetaruppdrag" in resp.content.decode()
    resp = client.post("/uppdrag/", {"assignment": world.physician.assignment.pk})
    assert resp.status_code == 302 and client.session["assignment_id"] == world.physician.assignment.pk


def test_search_by_personnummer_without_century_opens_patient(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    short = world.patient.identifier[2:8] + world.patient.identifier[8:]
    resp = client.get("/", {"q": short})
    assert resp.status_code == 302 and resp["Location"] == f"/patient/{world.patient.pk}/"


def test_search_by_name_lists_only_visible_patients(client, world: World) -> None:  # type: ignore[no-untyped-def]
    f.make_patient(unit=world.med, given_name="Karin", family_name="Karlberg")
    login(client, world.physician)
    resp = client.get("/", {"q": "karl"})
    text = resp.content.decode()
    assert "Karin Karlsson" in text or resp.status_code == 302
    assert "Karlberg" not in text


def test_invalid_personnummer_in_search_says_why(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    assert "Kontrollsiffran" in client.get("/", {"q": "19121212-1213"}).content.decode()
    assert "datum" in client.get("/", {"q": "19991332-1234"}).content.decode()


def test_overview_denied_for_colleague_offers_grounds(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.colleague)
    resp = client.get(f"/patient/{world.patient.pk}/")
    assert resp.status_code == 404
    assert "Nödåtkomst" in resp.content.decode()


def test_emergency_access_page_requires_reason_then_opens(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.outsider)
    url = f"/patient/{world.patient.pk}/nodatkomst/"
    resp = client.post(url, {"reason": ""})
    assert resp.status_code == 200 and "Ange ett skäl" in resp.content.decode()
    assert not EmergencyAccess.objects.exists()
    resp = client.post(url, {"reason": "Medvetslös patient"}, follow=True)
    assert resp.status_code == 200 and "Nödåtkomst" in resp.content.decode()
    assert AccessLog.objects.filter(action="patient.overview", flagged=True, staff_id=world.outsider.staff.pk).exists()


def test_protected_address_never_on_overview_for_clinician(client, world: World) -> None:  # type: ignore[no-untyped-def]
    p = f.make_patient(unit=world.vc, protection=Patient.Protection.PROTECTED_REGISTRATION, address="Hemliga gatan 9")
    login(client, world.physician)
    assert "Hemliga gatan" not in client.get(f"/patient/{p.pk}/").content.decode()


def test_api_patient_search_and_detail(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    resp = client.get("/api/v1/patients/", {"q": world.patient.identifier})
    assert resp.status_code == 200 and resp.json()[0]["may_open"] is True
    assert client.get(f"/api/v1/patients/{world.patient.pk}/").status_code == 200
    resp = client.get("/api/v1/patients/", {"q": "19121212-1213"})
    assert resp.status_code == 400 and "Kontrollsiffran" in resp.json()["detail"]


def test_api_outsider_gets_404(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.outsider)
    assert client.get(f"/api/v1/patients/{world.patient.pk}/").status_code == 404


def test_api_token_with_assignment_header(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.physician.staff)
    resp = client.get(
        f"/api/v1/patients/{world.patient.pk}/",
        HTTP_AUTHORIZATION=f"Token {token.key}",
        HTTP_X_ASSIGNMENT=str(world.physician.assignment.pk),
    )
    assert resp.status_code == 200


def test_log_extract_and_review_pages_need_follow_up(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    assert client.get("/uppfoljning/loggutdrag/", {"identifier": world.patient.identifier}).status_code == 403
    reviewer = f.make_actor(world.vc, purpose=Assignment.Purpose.FOLLOW_UP, role=Assignment.Role.LOG_REVIEWER)
    client.get(f"/patient/{world.patient.pk}/")  # physician's read, to be in the extract
    login(client, reviewer)
    resp = client.get("/uppfoljning/loggutdrag/", {"identifier": world.patient.identifier})
    assert resp.status_code == 200 and "patient.overview" in resp.content.decode()
    resp = client.get("/uppfoljning/loggkontroll/")
    assert resp.status_code == 200


def test_admin_access_log_is_read_only(admin_client, world: World) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo import audit

    rid = audit.record(world.physician, "x", patient=world.patient)
    assert admin_client.get("/admin/vardmiljo/accesslog/").status_code == 200
    assert admin_client.post(f"/admin/vardmiljo/accesslog/{rid}/delete/").status_code in (403, 302)
    assert AccessLog.objects.filter(pk=rid).exists()


def test_consent_and_block_pages_record_on_request(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from vardmiljo.models import Block, Consent

    f.relate(world.patient, world.priv)
    login(client, world.outsider)
    url = f"/patient/{world.patient.pk}/samtycke/"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"form": "consent", "valid_until": "2099-12-31"})
    assert resp.status_code == 302 and Consent.objects.filter(patient=world.patient, provider=world.private).exists()
    login(client, world.physician)
    resp = client.post(url, {"form": "block", "unit": world.vc.pk, "patient_request": ""})
    assert resp.status_code == 200 and not Block.objects.exists()
    resp = client.post(url, {"form": "block", "unit": world.vc.pk, "patient_request": "Patienten ber om spärr"})
    assert resp.status_code == 302
    block = Block.objects.get()
    login(client, world.outsider)
    assert "spärrat" in client.get(f"/patient/{world.patient.pk}/").content.decode()
    # Issue 12 item 1: only the provider whose data the block protects lifts it.
    resp = client.post(url, {"form": "lift", "block_id": block.pk, "patient_request": "Patienten häver"})
    assert resp.status_code == 403
    login(client, world.physician)
    resp = client.post(url, {"form": "lift", "block_id": block.pk, "patient_request": "Patienten häver"})
    assert resp.status_code == 302
    block.refresh_from_db()
    assert block.lifted_at is not None


def test_password_change_or_deactivation_ends_other_sessions(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    url = f"/patient/{world.patient.pk}/"
    assert client.get(url).status_code == 200
    staff = world.physician.staff
    staff.set_password("ett-helt-nytt-lösenord")
    staff.save()
    r = client.get(url)
    assert r.status_code == 302 and "/login" in r["Location"]
    login(client, world.physician)
    assert client.get(url).status_code == 200
    type(staff).objects.filter(pk=staff.pk).update(is_active=False)
    r = client.get(url)
    assert r.status_code == 302 and "/login" in r["Location"]


def test_overview_query_count_is_flat(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Session, actor (staff with assignment), access decision, access-log row and one query
    per panel: the same for a patient with no data as for one with a longer record."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from journal.codes import ensure_defaults
    from tests.journal.helpers import signed

    login(client, world.physician)
    url = f"/patient/{world.patient.pk}/"
    client.get(url)  # worklist counters are cached for a few seconds per assignment
    with CaptureQueriesContext(connection) as empty:
        assert client.get(url).status_code == 200
    ensure_defaults()
    for _ in range(8):
        signed(world)
    client.get(url)
    with CaptureQueriesContext(connection) as full:
        assert client.get(url).status_code == 200
    assert len(full) == len(empty) <= 16


def test_expired_or_foreign_assignment_in_session_asks_to_choose_again(client, world: World) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    login(client, world.physician)
    url = f"/patient/{world.patient.pk}/"
    assert client.get(url).status_code == 200
    # Someone else's assignment in this session is not this user's.
    session = client.session
    session["assignment_id"] = world.nurse.assignment.pk
    session.save()
    r = client.get(url)
    assert r.status_code == 302 and "uppdrag" in r["Location"]
    login(client, world.physician)
    Assignment.objects.filter(pk=world.physician.assignment.pk).update(valid_to=timezone.now() - dt.timedelta(seconds=1))
    r = client.get(url)
    assert r.status_code == 302 and "uppdrag" in r["Location"]
