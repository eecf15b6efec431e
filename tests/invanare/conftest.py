"""Residents for the e-services' tests: an adult with a record, a second adult, a guardian
with a child of 8, another child with its guardian, a 14-year-old with a guardian, and a
protected identity. Sessions are made in the resident's own store, as login does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from tests import factories as f
from tests.conftest import World
from vardmiljo.models import Guardianship, Patient


def years_ago(years: int, days: int = 30) -> dt.date:
    today = dt.date.today()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


@dataclass
class Residents:
    adult: Patient  # world.patient, care relationship at Vårdcentral Centrum
    other: Patient
    guardian: Patient
    child: Patient
    other_guardian: Patient
    other_child: Patient
    teen_guardian: Patient
    teen: Patient
    protected: Patient


@pytest.fixture
def residents(world: World) -> Residents:
    vc = world.vc
    r = Residents(
        adult=world.patient,
        other=f.make_patient(unit=vc, given_name="Olle", family_name="Annan"),
        guardian=f.make_patient(unit=vc, given_name="Gun", family_name="Förälder"),
        child=f.make_patient(unit=vc, given_name="Kim", family_name="Förälder", birth=years_ago(8)),
        other_guardian=f.make_patient(unit=vc, given_name="Hans", family_name="Annanförälder"),
        other_child=f.make_patient(unit=vc, given_name="Lo", family_name="Annanförälder", birth=years_ago(8, 60)),
        teen_guardian=f.make_patient(unit=vc, given_name="Tor", family_name="Tonårsförälder"),
        teen=f.make_patient(unit=vc, given_name="Tea", family_name="Tonårsförälder", birth=years_ago(14)),
        protected=f.make_patient(
            unit=vc,
            given_name="Sam",
            family_name="Skyddad",
            protection=Patient.Protection.PROTECTED_REGISTRATION,
            address="Hemlig väg 1",
        ),
    )
    Guardianship.objects.create(guardian=r.guardian, child=r.child)
    Guardianship.objects.create(guardian=r.other_guardian, child=r.other_child)
    Guardianship.objects.create(guardian=r.teen_guardian, child=r.teen)
    return r


def resident_login(client: Any, patient: Patient) -> None:
    """Log the test client in as a resident: a session in the resident's own store."""
    from invanare.sessions import ResidentSessionStore

    s = ResidentSessionStore()
    s["resident_id"] = patient.pk
    s.save()
    client.cookies[settings.INVANARE_SESSION_COOKIE_NAME] = s.session_key
