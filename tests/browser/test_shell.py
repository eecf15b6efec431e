from __future__ import annotations

import pytest

from tests.browser_support import browser_login
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_search_by_personnummer_and_open_patient(page, world: World) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, world.physician.staff.username)
    pnr = world.patient.display_identifier
    page.wait_for_load_state("load")
    page.keyboard.press("Alt+s")
    page.keyboard.type(pnr[2:])  # without century
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Karin Karlsson").wait_for()
    assert "Karin Karlsson" in page.locator(".patient-header").inner_text()


def test_wrong_password_is_a_swedish_error_that_does_not_say_which(page, world: World) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, world.physician.staff.username, "fel")
    text = page.get_by_role("alert").inner_text()
    assert "användarnamn" in text.lower() and "lösenord" in text.lower()


def test_invalid_personnummer_explains_why(page, world: World) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, world.physician.staff.username)
    page.get_by_label("Sök patient").fill("19121212-1213")
    page.keyboard.press("Enter")
    assert "Kontrollsiffran" in page.get_by_role("alert").first.inner_text()
