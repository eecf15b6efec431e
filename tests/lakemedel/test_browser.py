"""Browser: renewing is at most two interactions (select + Förnya), found by label and role."""

from __future__ import annotations

import pytest

from lakemedel import catalogue
from lakemedel.models import Prescription
from tests.browser.conftest import browser_login
from tests.conftest import World
from tests.lakemedel.conftest import order, prescribe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setup(world: World) -> tuple[Prescription, Prescription]:
    catalogue.ensure_sample()
    a = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1, indication="hypotyreos")
    b = order(world.physician, world.patient.pk, "Seloken ZOC", "50 mg", times=1, indication="hypertoni")
    return prescribe(world.physician, world.patient.pk, a), prescribe(world.physician, world.patient.pk, b)


def test_renew_two_prescriptions_in_two_interactions(page, world: World) -> None:  # type: ignore[no-untyped-def]
    rx1, rx2 = _setup(world)
    browser_login(page, world.physician.staff.username)
    page.goto(f"/lakemedel/patient/{world.patient.pk}/")
    # Interaction 1: select (both rows; a single click each on the row's checkbox).
    page.get_by_label("Välj Levaxin 50 mikrog Tablett").check()
    # Interaction 2: the button.
    page.get_by_role("button", name="Förnya markerade").click()
    assert "1 recept förnyat" in page.get_by_role("status").inner_text()
    assert Prescription.objects.filter(renewed_from=rx1).count() == 1
    assert Prescription.objects.filter(renewed_from=rx2).count() == 0


def test_renew_by_keyboard_and_double_click_renews_once(page, world: World) -> None:  # type: ignore[no-untyped-def]
    rx1, rx2 = _setup(world)
    browser_login(page, world.physician.staff.username)
    page.goto(f"/lakemedel/patient/{world.patient.pk}/")
    page.get_by_label("Välj Seloken ZOC 50 mg Depottablett").check()
    page.keyboard.press("Alt+f")
    page.get_by_role("status").wait_for()
    assert Prescription.objects.filter(renewed_from=rx2).count() == 1
    # The new prescription is listed; a double click on "Förnya markerade" renews it once.
    page.get_by_label("Välj Levaxin 50 mikrog Tablett").check()
    page.get_by_role("button", name="Förnya markerade").dblclick()
    page.get_by_role("status").wait_for()
    page.wait_for_load_state("load")
    assert Prescription.objects.filter(renewed_from=rx1).count() == 1


def test_order_with_search_as_you_type_and_inline_warning(page, world: World) -> None:  # type: ignore[no-untyped-def]
    catalogue.ensure_sample()
    order(world.physician, world.patient.pk, "Waran", times=1, indication="förmaksflimmer")
    browser_login(page, world.physician.staff.username)
    page.goto(f"/lakemedel/patient/{world.patient.pk}/ny/")
    page.get_by_label("Sök läkemedel (namn, substans eller ATC-kod)").press_sequentially("ipre", delay=40)
    page.get_by_label("Ipren 400 mg tablett").check()
    alert = page.get_by_role("alert").filter(has_text="Interaktion D")
    alert.wait_for()
    assert page.get_by_label("Enhet").input_value() == "tablett"  # the product's unit is offered
    page.get_by_label("Dos").fill("1")
    page.get_by_role("radio", name="Vid behov").check()
    page.get_by_label("Högst antal per dygn (vid behov)").fill("3")
    page.get_by_label("Indikation").fill("ryggsmärta")
    page.get_by_role("button", name="Ordinera").click()
    page.get_by_role("alert").filter(has_text="Ange skäl för att ordinera ändå").wait_for()
    page.get_by_label("Skäl att ordinera trots allvarlig varning").fill("kort kur, PK-INR kontrolleras")
    page.get_by_role("button", name="Ordinera").click()
    assert "Ordinationen är insatt" in page.get_by_role("status").inner_text()
    assert "1 tablett vid behov, högst 3 per dygn" in page.content()
