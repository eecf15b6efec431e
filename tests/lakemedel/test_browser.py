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
