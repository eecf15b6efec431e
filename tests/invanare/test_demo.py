"""Issue 19, demo: three demo residents (README) after seed_demo, logged in through the
resident session, and the demo provider's login clients."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from invanare.models import DemoIdentity
from tests.invanare.conftest import resident_login
from vardmiljo.models import AccessLog, Guardianship, Patient

pytestmark = pytest.mark.django_db


def test_19_4_seed_demo_makes_three_demo_residents(client) -> None:  # type: ignore[no-untyped-def]
    from oauth2_provider.models import Application

    call_command("seed_demo", "--patients", "30")
    call_command("seed_demo", "--patients", "30")  # idempotent
    ingrid = Patient.objects.get(given_name="Ingrid", family_name="Invånare")
    gustav = Patient.objects.get(given_name="Gustav", family_name="Förälder")
    assert Guardianship.objects.filter(guardian=gustav, child__given_name="Klara").exists()
    assert DemoIdentity.objects.filter(patient__in=[ingrid, gustav]).count() == 2
    assert DemoIdentity.objects.filter(patient__protection=Patient.Protection.PROTECTED_REGISTRATION).exists()
    assert (
        Application.objects.filter(client_id="invanare-demo").exists()
        and Application.objects.filter(client_id="siths-demo").exists()
    )
    resident_login(client, ingrid)
    rec = client.get(f"/invanare/journal/{ingrid.pk}/").context["rec"]
    assert len(rec.notes) == 2 and rec.medications.current and rec.bookings  # the 3-day-old note is not published yet
    log = client.get(f"/invanare/journal/{ingrid.pk}/vem-har-last/").context["page"]
    assert any(line.emergency for line in log.lines)
    assert AccessLog.objects.filter(patient_id=ingrid.pk, ground="emergency").exists()
    client.cookies.clear()
    resident_login(client, gustav)
    klara = Patient.objects.get(given_name="Klara")
    assert client.get(f"/invanare/journal/{klara.pk}/").status_code == 200
