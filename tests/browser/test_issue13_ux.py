"""Issue 13 items 10, 11 and 13 in a real browser: shortcuts where the page's own action
wins, a dirty form is not left without asking, the first field is focused on a full page
load, no CSP error, no axe-core violation, the icon, the safety check while typing."""

from __future__ import annotations

import pytest

from journal import services as journal
from lakemedel import catalogue
from tests.browser_support import axe_violations, browser_login
from tests.conftest import World
from tests.journal.helpers import VISIT, draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


def test_13_10_13_11_new_referral_alt_m_is_the_receiver_and_a_dirty_form_asks(page, world: World) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, world.physician.staff.username)
    url = f"/remisser/ny/{world.patient.pk}/"
    page.goto(url)
    receiver = page.get_by_label("Mottagande enhet")
    expect(receiver).to_be_focused()  # 11: on a full page load, not only after an htmx swap
    page.get_by_label("Frågeställning").fill("Anemi, utredning?")
    page.keyboard.press("Alt+m")
    expect(receiver).to_be_focused()  # the page's "mottagare", not Mätvärden
    assert page.url.endswith(url)
    asked: list[str] = []

    def dismiss(dialog):  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.keyboard.press("Alt+o")  # the patient header's Översikt: leaving a dirty form asks
    page.wait_for_timeout(300)
    assert asked and "inte är sparade" in asked[0]
    assert page.url.endswith(url) and page.get_by_label("Frågeställning").input_value() == "Anemi, utredning?"
    page.once("dialog", lambda d: d.accept())
    page.keyboard.press("Alt+o")
    page.get_by_role("heading", name="Senaste anteckningar").wait_for()


def test_13_10_alt_r_on_a_signed_note_is_the_correction(page, world: World) -> None:  # type: ignore[no-untyped-def]
    from journal.codes import ensure_defaults
    from journal.queries import clear_template_cache

    ensure_defaults()  # a transactional test before this one may have flushed the templates
    clear_template_cache()
    n = draft(world)
    journal.note_sign(actor=world.physician, note_id=n.pk, revision=n.revision, headings=VISIT)
    browser_login(page, world.physician.staff.username)
    page.goto(f"/journal/anteckning/{n.pk}/")
    page.wait_for_load_state("load")
    page.keyboard.press("Alt+r")
    page.wait_for_url(f"**/journal/anteckning/{n.pk}/rattelse/")


def test_13_11_13_13_new_order_focus_and_safety_check_while_typing(page, world: World) -> None:  # type: ignore[no-untyped-def]
    catalogue.ensure_sample()
    browser_login(page, world.physician.staff.username)
    page.goto(f"/lakemedel/patient/{world.patient.pk}/ny/")
    search = page.get_by_label("Sök läkemedel (namn, substans eller ATC-kod)")
    expect(search).to_be_focused()
    search.press_sequentially("tramadol", delay=30)
    page.get_by_label("Tramadol Actavis 50 mg kapsel").check()
    checks = page.locator("#safety-checks")
    expect(checks).to_contain_text("Indikation saknas")
    page.get_by_label("Indikation").press_sequentially("smärta", delay=30)
    # No leaving the field: the check runs again while typing (debounced).
    expect(checks).not_to_contain_text("Indikation saknas", timeout=5000)
    expect(page.get_by_label("Indikation")).to_be_focused()


def test_13_13_no_csp_error_no_axe_violation_and_an_icon(page, world: World, live_server) -> None:  # type: ignore[no-untyped-def]
    from journal.services import allergy_record

    catalogue.ensure_sample()
    allergy_record(actor=world.physician, patient_id=world.patient.pk, substance="Penicillin", severity="severe", atc_code="J01C")
    from tests.lakemedel.conftest import order

    order(world.physician, world.patient.pk, "Waran", times=1, indication="förmaksflimmer")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_login(page, world.physician.staff.username)
    page.goto(f"/patient/{world.patient.pk}/")
    page.wait_for_load_state("load")
    assert axe_violations(page) == []
    page.goto(f"/lakemedel/patient/{world.patient.pk}/ny/")
    page.get_by_label("Sök läkemedel (namn, substans eller ATC-kod)").press_sequentially("ipre", delay=30)
    page.get_by_label("Ipren 400 mg tablett").check()
    page.get_by_role("alert").filter(has_text="Interaktion").wait_for()
    assert axe_violations(page) == []
    assert not [e for e in errors if "Content Security Policy" in e or "404" in e], errors
    icon = page.request.get(f"{live_server.url}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon" and icon.body()[:4] == b"\x00\x00\x01\x00"
