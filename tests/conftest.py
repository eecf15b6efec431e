"""Personas (see ../shared/STYLE.md): a physician and a nurse at one health
centre, a colleague at the same provider but another unit, an outsider at
another provider, patients with and without a care relationship."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings

from tests import factories as f
from vardmiljo.actor import Actor
from vardmiljo.models import AccessLog, CareProvider, CareUnit, Patient, Staff

# Issue 13 item 15: on a loaded machine (CI, 2 cores shared) generating examples can be slow;
# that is not a defect of the code under test, so neither a deadline nor `too_slow` may fail the build.
# HYPOTHESIS_PROFILE=dev keeps Hypothesis's own defaults for someone tuning a strategy.
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@dataclass
class World:
    region: CareProvider
    private: CareProvider
    vc: CareUnit
    med: CareUnit
    priv: CareUnit
    physician: Actor  # Vårdcentral Centrum
    nurse: Actor  # Vårdcentral Centrum
    colleague: Actor  # Medicinkliniken, same provider, no relationship
    outsider: Actor  # Privatläkarna, another provider
    patient: Patient  # care relationship at Vårdcentral Centrum


@pytest.fixture
def world(db: None) -> World:
    region = f.make_provider("Region Väst")
    private = f.make_provider("Privatläkarna Väst AB", CareProvider.Kind.PRIVATE)
    vc = f.make_unit(region, "Vårdcentral Centrum")
    med = f.make_unit(region, "Medicinkliniken")
    priv = f.make_unit(private, "Privatläkarna Väst")
    return World(
        region=region,
        private=private,
        vc=vc,
        med=med,
        priv=priv,
        physician=f.make_actor(vc, prescriber_code="1234567"),
        nurse=f.make_actor(vc, profession=Staff.Profession.NURSE),
        colleague=f.make_actor(med, prescriber_code="2345678"),
        outsider=f.make_actor(priv, prescriber_code="3456789"),
        patient=f.make_patient(unit=vc, given_name="Karin", family_name="Karlsson"),
    )


def log_rows(**filters: object) -> list[AccessLog]:
    return list(AccessLog.objects.filter(**filters).order_by("id"))


@pytest.fixture
def audit_rows():
    return log_rows


def login(client, actor: Actor) -> None:  # type: ignore[no-untyped-def]
    """Log a Django test client in as the actor, with the actor's assignment chosen."""
    client.force_login(actor.staff)
    session = client.session
    session["assignment_id"] = actor.assignment.pk
    session.save()


# Browser fixtures (`browser`, `page`) for every folder of the suite.
from tests.browser_support import browser, page  # noqa: E402,F401


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Worklist counters are cached briefly per assignment; each test starts clean."""
    from django.core.cache import cache

    cache.clear()
