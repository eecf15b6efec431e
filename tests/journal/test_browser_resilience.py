"""Issue 13 items 6 and 8 in a real browser: a failed save is shown, the note being
written is kept in the browser while the database is down, and saved when it is back."""

from __future__ import annotations

import pytest

from journal.models import Note
from tests.browser_support import browser_login
from tests.conftest import World
from tests.db_faults import database_down
from tests.journal.helpers import draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


def _open(page, world: World) -> Note:  # type: ignore[no-untyped-def]
    n = draft(world)
    browser_login(page, world.physician.staff.username)
    page.goto(f"/journal/anteckning/{n.pk}/skriv/")
    page.wait_for_load_state("load")
    page.get_by_label("Aktuellt").fill("Före avbrottet.")
    expect(page.locator("#save-status")).to_contain_text("Utkastet sparat")
    return n


def test_13_6_13_8_failed_save_is_shown_and_saved_when_the_server_answers(page, world: World) -> None:  # type: ignore[no-untyped-def]
    n = _open(page, world)
    with database_down():
        page.get_by_label("Aktuellt").fill("Före avbrottet. Skrivet under avbrottet.")
        expect(page.locator("#save-status [role=alert]")).to_contain_text("Kunde inte spara")
        kept = page.evaluate(f"localStorage.getItem('vardmiljo.note.{n.pk}')")
        assert "Skrivet under avbrottet." in kept
        # Meanwhile another page is a Swedish 503 that says the note is kept.
        other = page.context.new_page()
        other.goto("/")
        expect(other.locator("main")).to_contain_text("Databasen svarar inte just nu")
        expect(other.locator("main")).to_contain_text("finns kvar i webbläsaren")
        other.close()
    expect(page.locator("#save-status")).to_contain_text("Utkastet sparat", timeout=20000)
    n.refresh_from_db()
    assert n.headings[0]["text"] == "Före avbrottet. Skrivet under avbrottet."
    assert page.evaluate(f"localStorage.getItem('vardmiljo.note.{n.pk}')") is None


def test_13_6_text_kept_in_the_browser_is_put_back_and_saved(page, world: World) -> None:  # type: ignore[no-untyped-def]
    n = _open(page, world)
    with database_down():
        page.get_by_label("Aktuellt").fill("Bara i webbläsaren.")
        expect(page.locator("#save-status [role=alert]")).to_contain_text("Kunde inte spara")
        page.goto("/")  # the tab goes elsewhere while the server is down: the 503 page
        expect(page.locator("main")).to_contain_text("Databasen svarar inte just nu")
    page.goto(f"/journal/anteckning/{n.pk}/skriv/")
    expect(page.get_by_label("Aktuellt")).to_have_value("Bara i webbläsaren.")
    expect(page.locator("#save-status")).to_contain_text("Utkastet sparat", timeout=20000)
    n.refresh_from_db()
    assert n.headings[0]["text"] == "Bara i webbläsaren."
