"""The trust core, persona by persona: allowed, denied, and logged correctly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from tests import factories as f
from tests.conftest import World
from vardmiljo import access, audit, services
from vardmiljo.access import Ground
from vardmiljo.errors import DomainError, NotFound
from vardmiljo.followup import verify_chain
from vardmiljo.models import AccessLog, Assignment, CareRelationship, Patient

pytestmark = pytest.mark.django_db


def test_physician_with_care_relationship_reads_and_is_logged(world: World) -> None:
    pa = access.patient_access(world.physician, world.patient.pk, action="test.read")
    assert pa.ground == Ground.CARE_RELATIONSHIP
    row = AccessLog.objects.filter(patient_id=world.patient.pk, action="test.read").get()
    assert row.staff_id == world.physician.staff.pk
    assert row.unit_id == world.vc.pk and row.provider_id == world.region.pk
    assert row.ground == Ground.CARE_RELATIONSHIP and row.client_ip == "127.0.0.1"
    assert not row.flagged


def test_nurse_at_same_unit_reads(world: World) -> None:
    assert access.patient_access(world.nurse, world.patient.pk, action="test.read").ground == Ground.CARE_RELATIONSHIP


def test_colleague_same_provider_without_relationship_is_denied_and_logged(world: World) -> None:
    with pytest.raises(NotFound):
        access.patient_access(world.colleague, world.patient.pk, action="test.read")
    row = AccessLog.objects.get(patient_id=world.patient.pk, staff_id=world.colleague.staff.pk)
    assert row.action == "test.read.denied" and row.ground == Ground.DENIED


def test_absent_and_forbidden_answer_the_same(world: World) -> None:
    with pytest.raises(NotFound):
        access.patient_access(world.outsider, world.patient.pk, action="x")
    with pytest.raises(NotFound):
        access.patient_access(world.outsider, 10**9, action="x")


def test_expired_assignment_is_denied(world: World) -> None:
    Assignment.objects.filter(pk=world.physician.assignment.pk).update(valid_to=timezone.now() - dt.timedelta(minutes=1))
    world.physician.assignment.refresh_from_db()
    with pytest.raises(NotFound):
        access.patient_access(world.physician, world.patient.pk, action="x")
    assert access.patients_visible_to(world.physician).count() == 0


def test_other_provider_reads_own_data_only_without_consent(world: World) -> None:
    f.relate(world.patient, world.priv)
    pa = access.patient_access(world.outsider, world.patient.pk, action="x")
    assert pa.may_read_unit(world.priv)
    assert not pa.may_read_unit(world.vc)
    f.consent(world.patient, world.private, world.outsider.staff)
    pa = access.patient_access(world.outsider, world.patient.pk, action="x")
    assert pa.consent and pa.may_read_unit(world.vc)


def test_block_hides_a_units_data_from_other_units(world: World) -> None:
    f.relate(world.patient, world.med)
    f.block(world.patient, world.vc, world.physician.staff)
    pa = access.patient_access(world.colleague, world.patient.pk, action="x")
    assert not pa.may_read_unit(world.vc)
    assert pa.may_read_unit(world.med)
    # The blocked unit itself still reads its own data.
    own = access.patient_access(world.physician, world.patient.pk, action="x")
    assert own.may_read_unit(world.vc)


def test_block_filter_narrows_querysets(world: World) -> None:
    f.relate(world.patient, world.med)
    f.block(world.patient, world.vc, world.physician.staff)
    pa = access.patient_access(world.colleague, world.patient.pk, action="x")
    rels = pa.filter(CareRelationship.objects.all())
    assert {r.unit_id for r in rels} == {world.med.pk}


def test_provider_block_hides_that_providers_data_even_with_consent(world: World) -> None:
    from vardmiljo.models import Block

    f.relate(world.patient, world.priv)
    f.consent(world.patient, world.private, world.outsider.staff)
    # The patient blocks all of Region Väst's data (a provider-wide block has no unit).
    Block.objects.create(patient=world.patient, provider=world.region, set_by=world.physician.staff)
    pa = access.patient_access(world.outsider, world.patient.pk, action="x")
    assert pa.consent and pa.blocked_provider_ids == {world.region.pk}
    assert not pa.may_read_unit(world.vc) and not pa.may_read_unit(world.med)
    assert pa.may_read_unit(world.priv)
    # The blocked provider's own units still read their data.
    own = access.patient_access(world.physician, world.patient.pk, action="x")
    assert not own.blocked_provider_ids and own.may_read_unit(world.med)


def test_lifted_block_no_longer_hides(world: World) -> None:
    f.relate(world.patient, world.med)
    b = f.block(world.patient, world.vc, world.physician.staff)
    assert world.vc.pk in access.patient_access(world.colleague, world.patient.pk, action="x").blocked_unit_ids
    b.lifted_at = timezone.now()
    b.lifted_by = world.physician.staff
    b.save()
    assert access.patient_access(world.colleague, world.patient.pk, action="x").may_read_unit(world.vc)


@pytest.mark.parametrize("bad", ["0", "-1", str(2**63), "1e3", "", None])
def test_out_of_range_or_malformed_patient_id_is_not_found(world: World, bad: object) -> None:
    with pytest.raises(NotFound):
        access.patient_access(world.physician, bad, action="x")  # type: ignore[arg-type]


def test_emergency_access_needs_reason_and_is_flagged(world: World) -> None:
    with pytest.raises(DomainError):
        services.emergency_access_open(actor=world.outsider, patient_id=world.patient.pk, reason="  ")
    services.emergency_access_open(actor=world.outsider, patient_id=world.patient.pk, reason="Medvetslös i akutrummet")
    pa = access.patient_access(world.outsider, world.patient.pk, action="overview")
    assert pa.ground == Ground.EMERGENCY and pa.flagged
    assert pa.may_read_unit(world.vc)
    row = AccessLog.objects.filter(action="overview", staff_id=world.outsider.staff.pk).get()
    assert row.flagged and row.ground == Ground.EMERGENCY and row.reason == "Medvetslös i akutrummet"


def test_protected_identity_address_only_for_registration_role(world: World) -> None:
    p = f.make_patient(unit=world.vc, protection=Patient.Protection.PROTECTED_REGISTRATION, address="Hemlig 1")
    pa = access.patient_access(world.physician, p.pk, action="x")
    assert access.patient_address(pa) is None
    reception = f.make_actor(world.vc, role=Assignment.Role.REGISTRATION)
    pa2 = access.patient_access(reception, p.pk, action="x")
    assert access.patient_address(pa2) == "Hemlig 1"
    assert AccessLog.objects.filter(action="patient.address.read", patient_id=p.pk, flagged=True).exists()
    # Stored encrypted.
    with connection.cursor() as cur:
        cur.execute("SELECT address FROM vardmiljo_patient WHERE id = %s", [p.pk])
        assert "Hemlig" not in cur.fetchone()[0]


def test_consent_for_unidentified_patient_is_refused(world: World) -> None:
    p = Patient.objects.create(
        identifier="20240101-AB12", id_kind=Patient.IdKind.RESERVNUMMER, given_name="Okänd", family_name="Kvinna"
    )
    f.relate(p, world.vc)
    with pytest.raises(DomainError):
        services.consent_record(actor=world.physician, patient_id=p.pk, valid_until=timezone.now() + dt.timedelta(days=1))
    assert not p.consents.exists()


def test_manual_care_relationship_needs_reason(world: World) -> None:
    with pytest.raises(DomainError):
        services.care_relationship_manual(actor=world.colleague, patient_id=world.patient.pk, reason="")
    services.care_relationship_manual(actor=world.colleague, patient_id=world.patient.pk, reason="Konsult på begäran")
    assert access.patient_access(world.colleague, world.patient.pk, action="x").ground == Ground.CARE_RELATIONSHIP


def test_access_log_refuses_update_and_delete(world: World) -> None:
    audit.record(world.physician, "test.write", patient=world.patient)
    for sql in ("UPDATE vardmiljo_accesslog SET action = 'x'", "DELETE FROM vardmiljo_accesslog", "TRUNCATE vardmiljo_accesslog"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)


def test_hash_chain_verifies_and_detects_tampering(world: World) -> None:
    for i in range(5):
        audit.record(world.physician, f"test.{i}", patient=world.patient)
    total, bad = verify_chain()
    assert bad is None and total >= 5
    row = AccessLog.objects.filter(action="test.2").get()
    with connection.cursor() as cur:
        # A superuser bypassing the trigger (as an attacker with DB access would).
        cur.execute("ALTER TABLE vardmiljo_accesslog DISABLE TRIGGER accesslog_no_update")
        cur.execute("UPDATE vardmiljo_accesslog SET action = 'tampered' WHERE id = %s", [row.pk])
        cur.execute("ALTER TABLE vardmiljo_accesslog ENABLE TRIGGER accesslog_no_update")
    _, bad = verify_chain()
    assert bad is not None and bad.row_id == row.pk


def test_patients_visible_to_lists_only_related(world: World) -> None:
    other = f.make_patient(unit=world.med)
    ids = set(access.patients_visible_to(world.physician).values_list("pk", flat=True))
    assert world.patient.pk in ids and other.pk not in ids


def test_identify_says_whether_the_list_of_visible_patients_holds_the_patient(world: World) -> None:
    """The reception-desk lookup's `may_open` and patients_visible_to() answer alike."""
    ended = f.make_patient(unit=world.vc)
    CareRelationship.objects.filter(patient=ended).update(valid_to=timezone.now() - dt.timedelta(minutes=1))
    stranger = f.make_patient(unit=world.med)
    emergency = f.make_patient(unit=world.med)
    services.emergency_access_open(actor=world.physician, patient_id=emergency.pk, reason="Medvetslös")
    follow_up = f.make_actor(world.vc, purpose=Assignment.Purpose.FOLLOW_UP)
    for actor in (world.physician, world.colleague, world.outsider, follow_up):
        visible = set(access.patients_visible_to(actor).values_list("pk", flat=True))
        for p in (world.patient, ended, stranger, emergency):
            found = access.identify_patient(actor, p.identifier)
            assert found is not None and found.pk == p.pk
            assert found.may_open == (p.pk in visible), (actor, p)
    assert access.identify_patient(world.physician, world.patient.identifier).may_open
    assert not access.identify_patient(world.physician, stranger.identifier).may_open
    assert access.identify_patient(world.physician, emergency.identifier).may_open
    assert access.identify_patient(world.physician, "191212121212") is None


def test_sql_condition_reads_the_same_rows_as_filter(world: World) -> None:
    """PatientAccess.sql() (panels written in SQL) and filter() agree, case by case."""
    from vardmiljo.db import rows
    from vardmiljo.models import Block

    def agree(actor: object) -> set[int]:
        pa = access.patient_access(actor, world.patient.pk, action="x")  # type: ignore[arg-type]
        cond, params = pa.sql(CareRelationship, "r")
        via_sql = {r["id"] for r in rows(f"SELECT r.id FROM vardmiljo_carerelationship r WHERE {cond}", params)}
        assert via_sql == set(pa.filter(CareRelationship.objects.all()).values_list("pk", flat=True))
        return via_sql

    other = f.make_patient(unit=world.med)  # another patient's rows never count
    f.relate(other, world.priv)
    f.relate(world.patient, world.med)
    f.relate(world.patient, world.priv)
    everything = set(CareRelationship.objects.filter(patient=world.patient).values_list("pk", flat=True))
    region_rows = set(
        CareRelationship.objects.filter(patient=world.patient, unit__provider=world.region).values_list("pk", flat=True)
    )
    assert agree(world.physician) == region_rows  # own provider only
    assert agree(world.outsider) == everything - region_rows  # the private provider's own
    f.consent(world.patient, world.private, world.outsider.staff)
    assert agree(world.outsider) == everything  # consent: the whole record
    f.block(world.patient, world.vc, world.physician.staff)
    assert world.vc.pk not in set(CareRelationship.objects.filter(pk__in=agree(world.outsider)).values_list("unit_id", flat=True))
    assert agree(world.physician) == region_rows  # the blocked unit reads its own
    Block.objects.create(patient=world.patient, provider=world.private, set_by=world.physician.staff)
    agree(world.physician)
    agree(world.outsider)
    services.emergency_access_open(actor=world.colleague, patient_id=world.patient.pk, reason="Akut")
    agree(world.colleague)


def test_refusal_inside_a_rolled_back_transaction_is_still_logged(world: World) -> None:
    """A refused write is refused inside the write's own transaction; the rollback must
    not take the access-log row with it (the request's end records it again)."""
    audit.forget_refusals()
    with pytest.raises(NotFound), transaction.atomic():
        access.patient_access(world.colleague, world.patient.pk, action="test.write", write=True)
    assert not AccessLog.objects.filter(staff_id=world.colleague.staff.pk, action="test.write.denied").exists()
    assert audit.keep_refusals() == 1
    row = AccessLog.objects.get(staff_id=world.colleague.staff.pk, action="test.write.denied")
    assert row.ground == Ground.DENIED and row.patient_id == world.patient.pk
    assert audit.keep_refusals() == 0  # each refusal once


def test_refusal_that_commits_is_not_logged_twice(world: World) -> None:
    audit.forget_refusals()
    with pytest.raises(NotFound):
        access.patient_access(world.colleague, world.patient.pk, action="test.read")
    assert audit.keep_refusals() == 0
    assert AccessLog.objects.filter(staff_id=world.colleague.staff.pk, action="test.read.denied").count() == 1
