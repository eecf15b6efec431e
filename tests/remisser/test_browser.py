"""Sending and triaging a referral in a real browser, by label and role."""

from __future__ import annotations

import re

import pytest

from remisser.models import Referral
from tests.browser_support import browser_login
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(p) -> None:  # type: ignore[no-untyped-def]
    p.get_by_role("button", name="Logga ut").click()
    p.wait_for_url(re.compile(r"/login/"))


def test_send_then_triage_by_keyboard_and_reject_needs_reason(page, world: World) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, world.physician.staff.username)
    page.goto(f"/patient/{world.patient.pk}/")
    page.get_by_role("link", name="Ny remiss").click()
    page.get_by_role("button", name="Skicka remiss").click()  # empty form: every missing field is named
    for msg in ("Välj mottagande enhet.", "Välj prioritet.", "Skriv frågeställningen."):
        assert page.get_by_role("alert").filter(has_text=msg).count() == 1
    page.get_by_label("Mottagande enhet").select_option(label=world.med.name)
    page.get_by_label("Akut").check()
    page.get_by_label("Frågeställning").fill("Bröstsmärta i vila sedan i morse. Bedömning idag?")
    page.get_by_role("button", name="Skicka remiss").dblclick()
    page.get_by_role("heading", name=re.compile(r"Remiss \d+: Mottagen")).wait_for()
    assert Referral.objects.count() == 1
    ref = Referral.objects.get()
    page.get_by_role("link", name=re.compile("Utkorg")).click()
    row = page.get_by_role("row").filter(has_text="Karin Karlsson")
    assert world.med.name in row.inner_text()
    _logout(page)

    browser_login(page, world.colleague.staff.username)
    page.goto("/remisser/")
    page.get_by_role("link", name=re.compile("Karin Karlsson")).click()
    page.get_by_role("button", name="Avvisa").click()
    assert "Ange skäl" in page.get_by_role("alert").first.inner_text()
    page.get_by_label("Kommentar eller skäl").fill("Tar emot, kallas i dag.")
    page.get_by_label("Sätt patienten på enhetens väntelista").check()
    page.wait_for_load_state("load")  # app.js (deferred) binds the shortcuts
    page.keyboard.press("Alt+a")
    page.get_by_role("heading", name=re.compile(r"Remiss \d+: Accepterad")).wait_for()
    trail = page.get_by_role("table", name="Händelser").inner_text()
    assert "Mottagen → Accepterad" in trail and "Tar emot, kallas i dag." in trail
    ref.refresh_from_db()
    assert ref.status == Referral.Status.ACCEPTED
    from tidbok.models import WaitlistEntry

    assert WaitlistEntry.objects.filter(referral_id=ref.pk, unit=world.med).count() == 1
