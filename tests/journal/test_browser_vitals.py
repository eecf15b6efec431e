"""Issue 14: a nurse enters two sets of vital signs with the keyboard only; the second
triggers a NEWS2 escalation, which shows on the chart page and on the patient's
overview (header signal and panel)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from journal.models import VitalSigns
from tests.browser_support import browser_login
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


def test_14_vitals_with_escalation_by_keyboard(page, world: World) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, world.nurse.staff.username)
    page.goto(f"/journal/patient/{world.patient.pk}/vitalparametrar/ny/")
    page.wait_for_load_state("load")
    first = page.get_by_label("Andningsfrekvens per minut, rad 1")
    expect(first).to_be_focused()

    def row(rr: str, spo2: str, oxygen: bool, sys: str, dia: str, pulse: str, acvpu: str, temp: str) -> None:
        page.keyboard.type(rr)
        page.keyboard.press("Tab")
        page.keyboard.type(spo2)
        page.keyboard.press("Tab")  # SpO2 scale: keep 1
        page.keyboard.press("Tab")
        if oxygen:
            page.keyboard.press("ArrowDown")  # Luft → Syrgas
        page.keyboard.press("Tab")
        page.keyboard.type(sys)
        page.keyboard.press("Tab")
        page.keyboard.type(dia)
        page.keyboard.press("Tab")
        page.keyboard.type(pulse)
        page.keyboard.press("Tab")
        if acvpu == "C":
            page.keyboard.press("ArrowDown")  # A → C (new confusion)
        page.keyboard.press("Tab")
        page.keyboard.type(temp)

    # Row 1 an hour ago (a clock time alone), row 2 now (time left blank).
    page.keyboard.press("Shift+Tab")
    page.keyboard.type(f"{timezone.localtime() - dt.timedelta(hours=1):%H:%M}")
    page.keyboard.press("Tab")
    row("16", "97", False, "126", "78", "76", "A", "36,9")
    page.keyboard.press("Tab")  # row 2's time: blank = now
    page.keyboard.press("Tab")
    row("24", "93", True, "98", "60", "118", "C", "38,6")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Vitalparametrar och NEWS2").wait_for()
    status = page.locator("#news2-status")
    expect(status).to_contain_text("Eskalera")
    expect(status).to_contain_text("klinisk risk hög")
    expect(page.get_by_role("img", name=re.compile("NEWS2-poäng"))).to_be_visible()
    sets = list(VitalSigns.objects.order_by("news2_score"))
    assert len(sets) == 2 and sets[1].news2_escalate and sets[1].news2_score >= 7
    assert not sets[0].news2_escalate

    # The overview: Alt+O, escalation in the header signal and in the NEWS2 panel.
    page.keyboard.press("Alt+o")
    page.get_by_role("heading", name="NEWS2").wait_for()
    expect(page.get_by_role("list", name="Uppmärksamhetssignal")).to_contain_text("eskalera")
    expect(page.get_by_role("region", name="NEWS2")).to_contain_text(f"NEWS2 {sets[1].news2_score}")
