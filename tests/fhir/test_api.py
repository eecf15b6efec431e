"""FHIR R4 API (issue 17): the CapabilityStatement, OperationOutcome errors in Swedish,
and reads and searches of every served type through the access module."""

from __future__ import annotations

import pytest

from integrations.fhir.registry import REGISTRY
from tests import factories as f
from tests.conftest import World, log_rows
from tests.fhir.conftest import clinical_rows, get, outcome_text, post, user_token, valid
from vardmiljo.models import Assignment, Patient

pytestmark = pytest.mark.django_db


def test_17_capability_statement_lists_exactly_the_registry(client) -> None:
    r = client.get("/fhir/R4/metadata")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/fhir+json")
    cs = r.json()
    valid(cs)
    assert cs["fhirVersion"] == "4.0.1"
    served = {res["type"]: res for res in cs["rest"][0]["resource"]}
    assert set(served) == set(REGISTRY)
    for name, res in served.items():
        assert [i["code"] for i in res["interaction"]] == REGISTRY[name].interactions()
    assert {"code": "create"} in served["Observation"]["interaction"]
    assert {p["name"] for p in served["Observation"]["searchParam"]} == set(REGISTRY["Observation"].search_params)
    uris = cs["rest"][0]["security"]["extension"][0]["extension"]
    assert {u["url"] for u in uris} == {"token", "authorize"}


def test_17_no_token_or_expired_token_is_401_outcome(world: World, client) -> None:
    r = get(client, f"Patient/{world.patient.pk}", None)
    assert r.status_code == 401 and "Åtkomsttoken saknas" in outcome_text(r)
    expired = user_token(world.physician, expires_in=-10)
    r = get(client, f"Patient/{world.patient.pk}", expired)
    assert r.status_code == 401 and "gått ut" in outcome_text(r)
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_17_token_for_an_ended_assignment_is_refused(world: World, client) -> None:
    from django.utils import timezone

    token = user_token(world.physician)
    Assignment.objects.filter(pk=world.physician.assignment.pk).update(valid_to=timezone.now())
    r = get(client, f"Patient/{world.patient.pk}", token)
    assert r.status_code == 401 and "medarbetaruppdrag" in outcome_text(r)


def test_17_unknown_type_unsupported_param_and_formats(world: World, client) -> None:
    token = user_token(world.physician)
    r = get(client, "Spaceship/1", token)
    assert r.status_code == 404 and "Spaceship" in outcome_text(r)
    r = get(client, "Patient", token, data={"name": "Karl", "favourite-colour": "blå"})
    assert r.status_code == 400
    assert "favourite-colour" in outcome_text(r)
    r = get(client, "Patient", token, data={"name": "Karl", "favourite-colour": "blå"}, HTTP_PREFER="handling=lenient")
    assert r.status_code == 200
    bundle = valid(r.json())
    outcomes = [e for e in r.json()["entry"] if e["search"]["mode"] == "outcome"]
    assert "favourite-colour" in outcomes[0]["resource"]["issue"][0]["diagnostics"]
    assert bundle.total == 1
    r = get(client, "Patient", token, data={"_format": "xml"})
    assert r.status_code == 406 and "JSON" in outcome_text(r)
    r = get(client, "Patient", token, HTTP_ACCEPT="application/fhir+xml")
    assert r.status_code == 406


def test_17_malformed_json_wrong_content_type_and_invalid_resource_change_nothing(world: World, client) -> None:
    from journal.models import Observation

    token = user_token(world.nurse, "user/*.cruds")
    r = post(client, "Observation", token, "{not json")
    assert r.status_code == 400 and "Ogiltig JSON" in outcome_text(r)
    r = post(client, "Observation", token, {"resourceType": "Observation"}, content_type="text/plain")
    assert r.status_code == 415 and "application/fhir+json" in outcome_text(r)
    r = post(client, "Observation", token, {"resourceType": "Observation", "status": "final"})  # no code: invalid R4
    assert r.status_code == 400 and "inte giltig FHIR" in outcome_text(r)
    body = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": f"Patient/{world.patient.pk}"},
        "valueQuantity": {"value": 900, "unit": "/min"},
    }
    r = post(client, "Observation", token, body)
    assert r.status_code == 422 and "Puls" in outcome_text(r)
    assert not Observation.objects.exists()


def test_17_observation_create_through_the_service(world: World, client, django_assert_max_num_queries) -> None:
    token = user_token(world.nurse, "user/Observation.crs")
    body = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "subject": {"reference": f"Patient/{world.patient.pk}"},
        "effectiveDateTime": "2026-01-02T10:00:00+01:00",
        "component": [
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": {"value": 135}},
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}, "valueQuantity": {"value": 85}},
        ],
    }
    r = post(client, "Observation", token, body)
    assert r.status_code == 201, r.content
    created = valid(r.json())
    assert r["Location"].endswith(f"/Observation/{created.id}")
    assert [c.valueQuantity.value for c in created.component] == [135, 85]
    assert log_rows(action="journal.observation.record", patient_id=world.patient.pk)
    # An outsider writes nothing: the patient is absent for them.
    outsider = user_token(world.outsider, "user/*.cruds")
    r = post(client, "Observation", outsider, body)
    assert r.status_code == 404


def test_17_scope_must_allow_the_interaction(world: World, client) -> None:
    token = user_token(world.physician, "user/Patient.rs")
    assert get(client, f"Patient/{world.patient.pk}", token).status_code == 200
    r = get(client, "Observation", token, data={"patient": world.patient.pk})
    assert r.status_code == 403 and "scope" in outcome_text(r)
    r = post(client, "Observation", token, {"resourceType": "Observation"})
    assert r.status_code == 403


def test_17_patient_read_identifiers_and_access_log(world: World, client) -> None:
    token = user_token(world.physician)
    r = get(client, f"Patient/{world.patient.pk}", token)
    assert r.status_code == 200
    p = valid(r.json())
    assert p.identifier[0].system == "http://electronichealth.se/identifier/personnummer"
    assert p.identifier[0].value == world.patient.identifier
    row = log_rows(action="fhir.patient.read", patient_id=world.patient.pk)[-1]
    assert row.ground == "care_relationship" and row.detail["client"] == "testapp"
    assert row.staff_id == world.physician.staff.pk


def test_17_absent_and_forbidden_answer_the_same(world: World, client) -> None:
    token = user_token(world.outsider)
    forbidden = get(client, f"Patient/{world.patient.pk}", token)
    absent = get(client, "Patient/999999999", token)
    assert forbidden.status_code == absent.status_code == 404
    assert outcome_text(forbidden).replace(str(world.patient.pk), "X") == outcome_text(absent).replace("999999999", "X")
    assert log_rows(action="fhir.patient.read.denied", patient_id=world.patient.pk)


def test_17_protected_identity_label_and_no_address(world: World, client) -> None:
    hidden = f.make_patient(unit=world.vc, protection=Patient.Protection.PROTECTED_REGISTRATION, address="Hemlig väg 1")
    r = get(client, f"Patient/{hidden.pk}", user_token(world.physician))
    p = r.json()
    valid(p)
    assert p["meta"]["security"][0]["code"] == "R"
    assert "address" not in p and "Hemlig" not in r.content.decode()
    registrar = f.make_actor(world.vc, role=Assignment.Role.REGISTRATION)
    p = get(client, f"Patient/{hidden.pk}", user_token(registrar)).json()
    assert p["address"] == [{"text": "Hemlig väg 1"}]
    # Never in a list, whoever searches.
    r = get(client, "Patient", user_token(registrar), data={"identifier": hidden.identifier})
    assert r.json()["total"] == 1 and "Hemlig" not in r.content.decode()


def test_17_patient_search_by_personnummer_and_name_records_the_list(world: World, client) -> None:
    token = user_token(world.physician)
    pnr = f"http://electronichealth.se/identifier/personnummer|{world.patient.identifier}"
    r = get(client, "Patient", token, data={"identifier": pnr})
    bundle = valid(r.json())
    assert bundle.total == 1 and bundle.entry[0].resource.id == str(world.patient.pk)
    row = log_rows(action="fhir.patient.search")[-1]
    assert row.detail["patient_ids"] == [world.patient.pk]
    # The outsider finds nobody, not even by a complete personnummer.
    r = get(client, "Patient", user_token(world.outsider), data={"identifier": pnr})
    assert r.json()["total"] == 0
    r = get(client, "Patient", token, data={"name": "karl"})
    assert r.json()["total"] == 1


def test_17_every_clinical_type_reads_and_searches_and_validates(world: World, client) -> None:
    rows = clinical_rows(world)
    token = user_token(world.nurse)
    for type_, row in rows.items():
        r = get(client, f"{type_}/{row.pk}", token)
        assert r.status_code == 200, (type_, r.content)
        valid(r.json())
        r = get(client, type_, token, data={"patient": f"Patient/{world.patient.pk}"})
        assert r.status_code == 200, (type_, r.content)
        bundle = valid(r.json())
        assert bundle.total >= 1, type_
        assert log_rows(action=f"fhir.{type_.lower()}.search", patient_id=world.patient.pk)
    flags = get(client, "Flag", token, data={"patient": world.patient.pk}).json()
    valid(flags)
    assert flags["total"] == 1
    condition = get(client, "Condition", token, data={"patient": world.patient.pk, "code": "E11.9"}).json()
    assert condition["entry"][0]["resource"]["code"]["coding"][0]["system"] == "urn:oid:1.2.752.116.1.1.1.1.3"


def test_17_observation_search_paging_date_code_and_summary(world: World, client) -> None:
    import datetime as dt

    from django.utils import timezone

    from journal import services as js

    start = timezone.now() - dt.timedelta(days=10)
    for i in range(5):
        js.observation_record(
            actor=world.nurse, patient_id=world.patient.pk, kind="pulse", value=60 + i, observed_at=start + dt.timedelta(days=i)
        )
    js.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="temp", value="37.5")
    token = user_token(world.physician)
    r = get(client, "Observation", token, data={"patient": world.patient.pk, "code": "http://loinc.org|8867-4", "_count": 2})
    b = r.json()
    valid(b)
    assert b["total"] == 5 and len(b["entry"]) == 2
    nxt = next(link["url"] for link in b["link"] if link["relation"] == "next")
    b2 = client.get(nxt.replace("http://testserver", ""), HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [e["resource"]["id"] for e in b2["entry"]] != [e["resource"]["id"] for e in b["entry"]]
    assert {lk["relation"] for lk in b2["link"]} == {"self", "next", "previous"}
    since = (start + dt.timedelta(days=3)).date().isoformat()
    r = get(client, "Observation", token, data={"patient": world.patient.pk, "code": "8867-4", "date": f"ge{since}"})
    assert r.json()["total"] == 2
    r = get(client, "Observation", token, data={"patient": world.patient.pk, "_summary": "count"})
    assert r.json()["total"] == 6 and r.json()["entry"] == []
    r = get(client, "Observation", token, data={"patient": world.patient.pk, "_sort": "date", "code": "8867-4"})
    values = [e["resource"]["valueQuantity"]["value"] for e in r.json()["entry"]]
    assert values == [60, 61, 62, 63, 64]
    r = get(client, "Observation", token, data={"patient": world.patient.pk, "_sort": "value"})
    assert r.status_code == 400 and "value" in outcome_text(r)
    r = get(client, "Observation", token, data={"code": "8867-4"})
    assert r.status_code == 400 and "patient" in outcome_text(r)


def test_17_organisation_and_staff_with_hsa_ids(world: World, client) -> None:
    token = user_token(world.physician)
    r = get(client, f"Organization/unit-{world.vc.pk}", token)
    org = valid(r.json())
    assert org.identifier[0].system == "urn:oid:1.2.752.29.4.19" and org.identifier[0].value == world.vc.hsa_id
    assert org.partOf.reference == f"Organization/provider-{world.region.pk}"
    r = get(client, "Organization", token, data={"identifier": f"urn:oid:1.2.752.29.4.19|{world.region.hsa_id}"})
    assert valid(r.json()).total == 1
    staff = world.physician.staff
    r = get(client, f"Practitioner/{staff.pk}", token)
    assert valid(r.json()).identifier[0].value == staff.hsa_id
    r = get(client, "PractitionerRole", token, data={"practitioner": f"Practitioner/{staff.pk}"})
    bundle = valid(r.json())
    assert bundle.total == 1 and bundle.entry[0].resource.organization.reference == f"Organization/unit-{world.vc.pk}"


def _referral_body(world: World, **extra: object) -> dict:
    body = {
        "resourceType": "ServiceRequest",
        "status": "active",
        "intent": "order",
        "priority": "urgent",
        "identifier": [{"system": "urn:labb:remiss", "value": "R-1"}],
        "subject": {"reference": f"Patient/{world.patient.pk}"},
        "performer": [{"identifier": {"system": "urn:oid:1.2.752.29.4.19", "value": world.med.hsa_id}}],
        "reasonCode": [{"text": "Bedömning av bröstsmärta"}],
    }
    body.update(extra)
    return body


def test_17_service_request_from_another_system_is_sent_once_and_moves_status(world: World, client) -> None:
    from remisser.models import Referral

    token = user_token(world.physician, "user/ServiceRequest.cruds")
    r = post(client, "ServiceRequest", token, _referral_body(world))
    assert r.status_code == 201, r.content
    sr = valid(r.json())
    assert sr.status == "active" and sr.priority == "urgent"
    again = post(client, "ServiceRequest", token, _referral_body(world))
    assert again.json()["id"] == sr.id  # the identifier sends once
    assert Referral.objects.filter(patient=world.patient).count() == 1
    # Cancel (revoked) with a reason, through remisser.services.
    body = {**r.json(), "status": "revoked", "note": [{"text": "Fel patient"}]}
    r = client.put(
        f"/fhir/R4/ServiceRequest/{sr.id}",
        data=__import__("json").dumps(body),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert r.status_code == 200, r.content
    assert valid(r.json()).status == "revoked"
    assert Referral.objects.get(pk=sr.id).status == "cancelled"
    # An illegal step changes nothing.
    body = {**r.json(), "extension": [{"url": "urn:vardmiljo:fhir:referral-status", "valueCode": "accepted"}]}
    r = client.put(
        f"/fhir/R4/ServiceRequest/{sr.id}",
        data=__import__("json").dumps(body),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert r.status_code == 422 and outcome_text(r)
    assert Referral.objects.get(pk=sr.id).status == "cancelled"
    r = post(client, "ServiceRequest", token, _referral_body(world, performer=[{"reference": "Organization/unit-999999"}]))
    assert r.status_code == 422 and "vårdenhet" in outcome_text(r)


def test_17_medication_request_carries_npl_and_atc(world: World, client) -> None:
    rows = clinical_rows(world)
    token = user_token(world.physician)
    mr = get(client, f"MedicationRequest/{rows['MedicationRequest'].pk}", token).json()
    valid(mr)
    systems = {c["system"] for c in mr["medicationCodeableConcept"]["coding"]}
    assert systems == {"urn:oid:1.2.752.129.2.1.5.1", "http://www.whocc.no/atc"}
    r = get(client, "MedicationStatement", token, data={"patient": world.patient.pk, "status": "active"})
    assert valid(r.json()).total == 1
    r = get(client, "MedicationStatement", token, data={"patient": world.patient.pk, "status": "stopped"})
    assert r.json()["total"] == 0


def test_17_appointment_booked_on_a_free_slot_once(world: World, client) -> None:
    from tests.tidbok.helpers import make_resource, make_slot

    resource = make_resource(world.vc)
    slot = make_slot(resource)
    make_slot(resource, in_minutes=48 * 60)
    token = user_token(world.nurse, "user/*.cruds")
    r = get(client, "Slot", token, data={"schedule": f"Schedule/{resource.pk}", "status": "free"})
    assert valid(r.json()).total == 2
    assert valid(get(client, f"Schedule/{resource.pk}", token).json()).comment == resource.name
    body = {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot.pk}"}],
        "participant": [{"actor": {"reference": f"Patient/{world.patient.pk}"}, "status": "accepted"}],
    }
    r = post(client, "Appointment", token, body)
    assert r.status_code == 201, r.content
    appt = valid(r.json())
    assert appt.status == "booked" and appt.slot[0].reference == f"Slot/{slot.pk}"
    again = post(client, "Appointment", token, body)
    assert again.status_code in (409, 422) and outcome_text(again)
    r = get(client, "Slot", token, data={"schedule": resource.pk, "status": "free"})
    assert r.json()["total"] == 1
    # Another provider's staff cannot see this unit's schedule.
    r = get(client, f"Schedule/{resource.pk}", user_token(world.outsider))
    assert r.status_code == 404
