"""A ward physician admits a patient from the emergency department, records a set of
vital signs that escalates (NEWS2) and sees it on the ward's worklist, and transfers
the patient; the receiving ward's physician writes and signs the discharge summary,
discharges the patient home and sends the summary to the health centre, by label
and role. (The nursing assessment is the vital-signs branch's own browser test.)"""

from __future__ import annotations

import pytest

from journal.models import Note
from slutenvard.models import Stay
from tests import factories as f
from tests.browser_support import browser_login
from tests.conftest import World
from tests.slutenvard.helpers import Wards
from vardmiljo.models import Outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admit_transfer_and_discharge_with_a_signed_summary(page, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    kir_physician = f.make_actor(wards.kir.unit)
    patient = f.make_patient(unit=world.vc, given_name="Harald", family_name="Hjärtsson")

    browser_login(page, wards.physician.staff.username)
    page.goto("/slutenvard/")
    page.keyboard.press("Alt+i")  # Skriv in patient
    page.get_by_label("Patientens personnummer").fill(patient.display_identifier)
    page.get_by_label("Säng").select_option(label="MED: 3 (sal 2)")
    page.get_by_label("Orsak till inskrivning").fill("Hjärtsvikt, försämring")
    page.get_by_label("Patientansvarig läkare (PAL)").select_option(label=wards.physician.staff.get_full_name())
    page.get_by_label("Listad vårdcentral").select_option(label=world.vc.name)
    page.get_by_role("button", name="Skriv in", exact=True).click()
    page.get_by_role("status").filter(has_text="Patienten är inskriven").wait_for()
    assert "3 (sal 2)" in page.locator("#stay-bed").inner_text()

    # Vital signs with an escalation, then the worklist shows it.
    page.goto(f"/journal/patient/{patient.pk}/vitalparametrar/ny/")
    for label, value in (
        ("Andningsfrekvens per minut, rad 1", "26"),
        ("Syremättnad i procent, rad 1", "91"),
        ("Systoliskt blodtryck, rad 1", "98"),
        ("Puls per minut, rad 1", "118"),
        ("Temperatur i grader Celsius, rad 1", "38,6"),
    ):
        page.get_by_label(label).fill(value)
    page.get_by_label("Luft eller syrgas, rad 1").select_option(label="Syrgas")
    page.get_by_role("button", name="Spara och räkna NEWS2").click()
    page.get_by_role("heading", name="Vitalparametrar och NEWS2").wait_for()
    page.goto("/slutenvard/")
    row = page.get_by_role("row").filter(has_text="Harald Hjärtsson")
    assert "ESKALERA" in row.inner_text()
    row.get_by_role("link", name="Harald Hjärtsson").click()

    page.get_by_label("Till avdelning").select_option(label=wards.kir.unit.name)
    page.get_by_role("button", name="Överflytta", exact=True).click()
    page.get_by_role("status").filter(has_text="Patienten är överflyttad").wait_for()

    page.get_by_role("button", name="Logga ut").click()
    browser_login(page, kir_physician.staff.username)
    page.goto("/slutenvard/")
    page.get_by_role("link", name="Harald Hjärtsson").click()
    assert wards.kir.unit.name in page.locator("#stay-ward").inner_text()
    page.get_by_role("button", name="Skapa epikris från vårdtillfället").click()
    page.get_by_label("Förlopp").fill("Diuretika iv med god effekt, viktnedgång 3 kg.")
    page.get_by_label("Uppföljning").fill("Återbesök på vårdcentralen om två veckor.")
    page.get_by_role("button", name="Signera").click()
    page.goto(f"/slutenvard/vardtillfalle/{Stay.objects.get(patient=patient).pk}/")
    page.get_by_label("Utskriven till").select_option(label="Hemmet")
    page.get_by_role("button", name="Skriv ut patienten").click()
    page.get_by_role("status").filter(has_text="Patienten är utskriven").wait_for()
    page.get_by_role("button", name="Skicka epikrisen till vårdcentralen").click()
    page.get_by_role("status").filter(has_text="Epikrisen är skickad").wait_for()
    assert page.get_by_role("link", name="Epikris för patienten (PDF)").is_visible()

    stay = Stay.objects.get(patient=patient)
    assert stay.status == Stay.Status.DISCHARGED and stay.ward == wards.kir and stay.destination == "home"
    summary = Note.objects.get(pk=stay.summary_note_id)
    assert summary.status == Note.Status.SIGNED and "viktnedgång" in summary.text
    assert list(stay.events.values_list("kind", flat=True)) == ["admit", "transfer", "discharge"]
    assert Outbox.objects.filter(channel="slutenvard.epikris", object_id=str(stay.pk)).exists()
