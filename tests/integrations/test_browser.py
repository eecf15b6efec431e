"""The quality-registry page in a real browser: from the patient's nav bar,
record the patient's objection by label and role."""

from __future__ import annotations

import pytest

from tests.browser_support import browser_login
from tests.conftest import World
from vardmiljo.models import AccessLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_and_withdraw_the_objection(page, world: World) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, world.physician.staff.username)
    page.goto(f"/patient/{world.patient.pk}/")
    page.get_by_role("link", name="Kvalitetsregister").click()
    page.get_by_role("heading", name="Kvalitetsregister").wait_for()
    assert "Patienten har inte motsatt sig registrering." in page.get_by_role("status").inner_text()
    # Without the patient's statement: a Swedish error, nothing changes.
    page.get_by_role("button", name="Registrera att patienten motsätter sig registrering").click()
    world.patient.refresh_from_db()
    assert not world.patient.registry_objection
    page.get_by_label("Patientens besked").fill("Meddelade muntligt vid besöket")
    page.get_by_role("button", name="Registrera att patienten motsätter sig registrering").click()
    page.get_by_text("Patienten motsätter sig registrering i kvalitetsregister.").wait_for()
    world.patient.refresh_from_db()
    assert world.patient.registry_objection
    assert AccessLog.objects.filter(action="registry.objection.set", patient_id=world.patient.pk).exists()
    page.get_by_label("Patientens besked").fill("Ändrade sig")
    page.get_by_role("button", name="Återkalla invändningen").click()
    page.get_by_text("Patienten har inte motsatt sig registrering.").wait_for()
