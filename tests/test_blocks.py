"""Issue 12 item 1: a block (spärr) is placed and lifted, at the patient's request, only by
the care provider whose data it protects (for a unit block: that unit's provider). Nobody
else is offered the form or may post it. Every persona against every block."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import World, login
from vardmiljo import audit, services
from vardmiljo.actor import Actor
from vardmiljo.errors import NotFound, PermissionDenied
from vardmiljo.models import AccessLog, Assignment, Block, CareProvider, CareUnit

pytestmark = pytest.mark.django_db


def _personas(world: World) -> dict[str, Actor]:
    return {
        "physician": world.physician,
        "nurse": world.nurse,
        "colleague": world.colleague,
        "outsider": world.outsider,
    }


def _targets(world: World) -> dict[str, tuple[CareUnit | None, CareProvider]]:
    """Every kind of block: each unit's data, and each provider's data as a whole."""
    return {
        "unit vc": (world.vc, world.region),
        "unit med": (world.med, world.region),
        "unit priv": (world.priv, world.private),
        "provider region": (None, world.region),
        "provider private": (None, world.private),
    }


def _block(world: World, unit: CareUnit | None, provider: CareProvider) -> Block:
    return Block.objects.create(
        patient=world.patient, unit=unit, provider=provider, set_by=world.physician.staff, requested_by_patient_note="x"
    )


@pytest.fixture
def related(world: World) -> World:
    # A care relationship at every unit: whether a persona may lift is then decided by the
    # block's owner alone, not by access to the record.
    f.relate(world.patient, world.med)
    f.relate(world.patient, world.priv)
    return world


def test_12_1_every_persona_against_every_block_lift(related: World) -> None:
    world = related
    for (who, actor), (what, (unit, provider)) in itertools.product(_personas(world).items(), _targets(world).items()):
        block = _block(world, unit, provider)
        allowed = provider.pk == actor.provider_id
        if allowed:
            services.block_lift(actor=actor, block_id=block.pk, patient_request="Patienten ber om hävning")
        else:
            with pytest.raises(PermissionDenied):
                services.block_lift(actor=actor, block_id=block.pk, patient_request="Patienten ber om hävning")
        block.refresh_from_db()
        assert (block.lifted_at is not None) == allowed, (who, what)
        assert (block.lifted_by_id == actor.staff.pk) == allowed, (who, what)
        if not allowed:
            audit.keep_refusals()  # as the request's end does: the rollback took the refusal row
            assert AccessLog.objects.filter(
                action="block.lift.denied", staff_id=actor.staff.pk, object_id=str(block.pk), ground="denied"
            ).exists()


def test_12_1_every_persona_against_every_block_set(related: World) -> None:
    world = related
    for (who, actor), (what, (unit, provider)) in itertools.product(_personas(world).items(), _targets(world).items()):
        kwargs = {"unit_id": unit.pk} if unit else {"provider_id": provider.pk}
        allowed = provider.pk == actor.provider_id
        if allowed:
            block = services.block_set(actor=actor, patient_id=world.patient.pk, patient_request="Patienten ber", **kwargs)
            assert block.provider_id == provider.pk and block.unit_id == (unit.pk if unit else None)
            block.delete()
        else:
            before = Block.objects.count()
            with pytest.raises(PermissionDenied):
                services.block_set(actor=actor, patient_id=world.patient.pk, patient_request="Patienten ber", **kwargs)
            assert Block.objects.count() == before, (who, what)


def test_12_1_no_care_relationship_or_no_care_assignment_cannot_lift(world: World) -> None:
    block = _block(world, world.med, world.region)
    reviewer = f.make_actor(world.vc, purpose=Assignment.Purpose.FOLLOW_UP, role=Assignment.Role.LOG_REVIEWER)
    for actor in (world.colleague, reviewer):  # the colleague's unit has no care relationship here
        with pytest.raises(NotFound):
            services.block_lift(actor=actor, block_id=block.pk, patient_request="x")
    block.refresh_from_db()
    assert block.lifted_at is None


def test_12_1_consent_page_offers_the_lift_form_only_to_the_owning_provider(client, related: World) -> None:  # type: ignore[no-untyped-def]
    world = related
    blocks = {what: _block(world, unit, provider) for what, (unit, provider) in _targets(world).items()}
    url = reverse("consent_page", args=[world.patient.pk])
    for who, actor in _personas(world).items():
        login(client, actor)
        html = client.get(url).content.decode()
        for what, block in blocks.items():
            offered = f'name="block_id" value="{block.pk}"' in html
            assert offered == (block.provider_id == actor.provider_id), (who, what)
        # The set form names only the actor's own provider's units.
        own = {u.pk for u in (world.vc, world.med, world.priv) if u.provider_id == actor.provider_id}
        for u in (world.vc, world.med, world.priv):
            assert (f'<option value="{u.pk}"' in html) == (u.pk in own), (who, u.name)


def test_12_1_greta_case_outsider_posting_the_lift_is_refused(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """The reported case: a block at Vårdcentral Centrum, the patient consents to
    Privatläkarna, and david.lakare (Privatläkarna) posts form=lift."""
    f.relate(world.patient, world.priv)
    f.consent(world.patient, world.private, world.outsider.staff)
    block = f.block(world.patient, world.vc, world.physician.staff)
    login(client, world.outsider)
    url = reverse("consent_page", args=[world.patient.pk])
    resp = client.post(url, {"form": "lift", "block_id": block.pk, "patient_request": "x"})
    assert resp.status_code == 403 and "vårdgivare vars uppgifter den skyddar" in resp.content.decode()
    block.refresh_from_db()
    assert block.lifted_at is None and block.lifted_by_id is None
    assert AccessLog.objects.filter(action="block.lift.denied", staff_id=world.outsider.staff.pk).exists()
    # Setting a block on another provider's unit is refused too (the form does not offer it).
    resp = client.post(url, {"form": "block", "unit": world.vc.pk, "patient_request": "Patienten ber"})
    assert resp.status_code == 200 and Block.objects.count() == 1
    login(client, world.physician)
    resp = client.post(url, {"form": "lift", "block_id": block.pk, "patient_request": "Patienten häver"})
    assert resp.status_code == 302
    block.refresh_from_db()
    assert block.lifted_by_id == world.physician.staff.pk
