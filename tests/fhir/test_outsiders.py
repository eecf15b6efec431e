"""The outsider matrix (issue 17) over every patient-linked FHIR type: physician, nurse,
another unit, another provider, consent, block, protected identity and emergency
access. Whoever may not read a resource gets the same 404 as for one that does not
exist, and an empty search; nothing leaks."""

from __future__ import annotations

import pytest

from integrations.fhir.registry import REGISTRY
from tests import factories as f
from tests.conftest import World, log_rows
from tests.fhir.conftest import clinical_rows, get, outcome_text, user_token, valid
from vardmiljo import services as core
from vardmiljo.models import CareProvider, Patient

pytestmark = pytest.mark.django_db

# Types about the patient as a whole, not owned by one unit's record: readable by whoever may open the patient.
PATIENT_LEVEL = {"Patient", "Consent"}
CATALOGUE = {"Organization", "Practitioner", "PractitionerRole", "Schedule", "Slot", "AuditEvent"}


def _persona(world: World, case: str):  # type: ignore[no-untyped-def]
    p = world.patient
    if case in ("physician", "nurse"):
        return getattr(world, case)
    if case in ("other_unit", "other_provider"):
        return world.colleague if case == "other_unit" else world.outsider
    if case == "other_provider_with_relationship":
        third = f.make_unit(f.make_provider("Tredje AB", CareProvider.Kind.PRIVATE), "Tredje")
        f.relate(p, third)
        return f.make_actor(third)
    if case == "consent":
        f.relate(p, world.priv)
        return world.outsider  # the patient consented to Privatläkarna (clinical_rows)
    if case == "block":
        f.relate(p, world.med)
        f.block(p, world.vc, world.physician.staff)
        return world.colleague
    if case == "emergency":
        core.emergency_access_open(actor=world.outsider, patient_id=p.pk, reason="Medvetslös, akut")
        return world.outsider
    raise AssertionError(case)


CASES = {
    # case: which types the persona reads
    "physician": "all",
    "nurse": "all",
    "other_unit": "none",
    "other_provider": "none",
    "other_provider_with_relationship": "patient",
    "consent": "all",
    "block": "patient",
    "emergency": "all",
}


def test_17_matrix_covers_every_patient_linked_type(world: World) -> None:
    rows = clinical_rows(world)
    assert set(rows) | PATIENT_LEVEL | CATALOGUE == set(REGISTRY)


@pytest.mark.parametrize("case", list(CASES))
def test_17_outsider_matrix(world: World, client, case: str) -> None:
    ids = {**clinical_rows(world), "Patient": str(world.patient.pk)}
    actor = _persona(world, case)
    token = user_token(actor)
    for type_, rid in ids.items():
        visible = CASES[case] == "all" or (CASES[case] == "patient" and type_ in PATIENT_LEVEL)
        r = get(client, f"{type_}/{rid}", token)
        if visible:
            assert r.status_code == 200, (case, type_, r.content)
            valid(r.json())
        else:
            assert r.status_code == 404, (case, type_, r.content)
            absent_id = "9" * 12 if rid.isdigit() else rid.split("-")[0] + "-999999999"
            absent = get(client, f"{type_}/{absent_id}", token)
            assert absent.status_code == 404
            # Word for word what a resource that does not exist answers.
            assert outcome_text(r) == f"{type_}/{rid} finns inte."
            assert outcome_text(absent) == f"{type_}/{absent_id} finns inte."
        if type_ == "Patient":
            r = get(client, "Patient", token, data={"identifier": world.patient.identifier})
        else:
            r = get(client, type_, token, data={"patient": world.patient.pk})
        assert r.status_code == 200, (case, type_, r.content)
        bundle = valid(r.json())
        assert (bundle.total > 0) == visible, (case, type_, bundle.total)
    if case == "emergency":
        assert all(row.flagged for row in log_rows(action="fhir.observation.read", patient_id=world.patient.pk))


def test_17_protected_identity_over_every_type(world: World, client) -> None:
    hidden = f.make_patient(unit=world.vc, protection=Patient.Protection.PROTECTED_REGISTRATION, address="Gömd gata 3")
    ids = clinical_rows(world, hidden)
    token = user_token(world.physician)
    for type_, rid in {**ids, "Patient": str(hidden.pk)}.items():
        r = get(client, f"{type_}/{rid}", token)
        assert r.status_code == 200 and "Gömd" not in r.content.decode(), type_
    # Every read of a protected patient is flagged for review.
    assert all(row.flagged and row.protected_patient for row in log_rows(patient_id=hidden.pk, action__startswith="fhir."))
