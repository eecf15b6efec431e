"""Issue 19, browser: a resident logs in through the demo provider (the real OpenID Connect
flow), reads the record and the log extract, books a time, sends a message and gives
consent — on a narrow screen, and every resident page with zero axe-core violations."""

from __future__ import annotations

import json
import os
import re

import pytest

from invanare.idp import demo_identity_for
from tests.conftest import World
from tests.invanare.conftest import Residents
from tests.invanare.test_oidc import idp  # noqa: F401  (the live provider fixture)
from tests.tidbok.helpers import make_resource, make_slot
from vardmiljo.models import Consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = os.path.join(os.path.dirname(__file__), "..", "vendor", "axe-core", "axe.min.js")


def axe(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every axe-core violation on the page (WCAG 2.1 A and AA rules), as readable lines."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        with open(AXE_JS, encoding="utf-8") as fh:
            page.evaluate(fh.read())
    result = page.evaluate(
        "async () => JSON.stringify((await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations)"
    )
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in json.loads(result)]


def test_19_5_resident_in_the_browser(page, idp, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ident = demo_identity_for(patient=residents.adult, label="Karin Karlsson")
    r = make_resource(world.vc, "Dr Webb")
    r.web_booking = True
    r.save()
    make_slot(r, in_minutes=3000)
    from vardmiljo.access import patient_access

    patient_access(world.physician, residents.adult.pk, action="journal.overview")  # someone who read it
    page.set_default_timeout(30000)  # a shared, busy machine
    page.set_viewport_size({"width": 360, "height": 740})  # a phone
    page.goto(f"{idp}/invanare/logga-in/")
    assert axe(page) == []
    page.get_by_role("link", name="Logga in med e-legitimation").click()
    page.get_by_role("button", name="Karin Karlsson").click()
    page.wait_for_url(f"{idp}/invanare/")
    assert page.get_by_role("heading", name="Hej Karin").is_visible()
    assert axe(page) == []
    # The record, and its log extract.
    page.get_by_role("link", name="Läs din journal").click()
    assert page.get_by_role("heading", name="Din journal").is_visible()
    assert axe(page) == []
    page.get_by_role("link", name="Vem har läst journalen").click()
    assert page.get_by_role("heading", name="Vem har läst min journal").is_visible()
    assert page.locator("table.log").is_visible() and "Läkare" in page.locator("table.log").inner_text()
    assert axe(page) == []
    # Book a time.
    page.goto(f"{idp}/invanare/")
    page.get_by_role("link", name="Boka, av- och omboka tider").click()
    assert axe(page) == []
    page.get_by_role("button", name="Boka").first.click()
    assert page.get_by_role("status").filter(has_text="Tiden är bokad").is_visible()
    assert axe(page) == []
    # A message to the unit, from the keyboard.
    page.goto(f"{idp}/invanare/journal/{residents.adult.pk}/meddelanden/")
    assert axe(page) == []
    page.get_by_label("Ämne").fill("Fråga om provsvar")
    page.get_by_label("Meddelande").fill("Hej! Har mina prover kommit?")
    page.get_by_label("Meddelande").press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/invanare/meddelanden/\d+/$"))
    assert page.get_by_role("heading", name="Fråga om provsvar").is_visible()
    assert axe(page) == []
    # Consent.
    page.goto(f"{idp}/invanare/mina-val/")
    assert axe(page) == []
    page.get_by_label("Ge samtycke till vårdgivare").select_option(label=world.private.name)
    page.get_by_role("button", name="Ge samtycke").click()
    assert page.get_by_role("status").filter(has_text="Samtycket gäller").is_visible()
    assert Consent.objects.filter(patient=residents.adult, provider=world.private, by_resident=True).exists()
    assert axe(page) == []
    assert ident.user_id


def test_19_5_record_reads_without_javascript(browser, idp, world: World, residents: Residents) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ident = demo_identity_for(patient=residents.adult, label="Karin Karlsson")
    ctx = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = ctx.new_page()
    page.set_default_timeout(30000)
    page.goto(f"{idp}/invanare/logga-in/")
    page.get_by_role("link", name="Logga in med e-legitimation").click()
    page.get_by_role("button", name="Karin Karlsson").click()
    page.goto(f"{idp}/invanare/journal/{residents.adult.pk}/vem-har-last/")
    assert page.get_by_role("heading", name="Vem har läst min journal").is_visible()
    assert ident.user_id
    ctx.close()
