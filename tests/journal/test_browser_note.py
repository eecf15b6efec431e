"""The standard visit note, keyboard only, in at most three page loads:
open the patient → choose a template → write four headings → add a diagnosis → sign."""

from __future__ import annotations

import re

import pytest

from journal.models import Diagnosis, Note
from tests.browser_support import browser_login
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


def test_visit_note_in_three_page_loads_without_the_mouse(page, world: World) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, world.physician.staff.username)
    page.wait_for_load_state("load")
    loads: list[str] = []
    page.on("framenavigated", lambda frame: loads.append(frame.url) if frame == page.main_frame else None)

    # 1. Open the patient: Alt+S, personnummer, Enter.
    page.keyboard.press("Alt+s")
    page.keyboard.type(world.patient.display_identifier)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Senaste anteckningar").wait_for()
    page.wait_for_load_state("load")
    expect(page.get_by_role("button", name=re.compile("Läkaranteckning"))).to_be_visible()

    # 2. Choose the template: Alt+N is the profession's default (shown as <kbd>Alt+N</kbd>).
    page.keyboard.press("Alt+n")
    page.get_by_role("heading", name=re.compile("Läkaranteckning")).wait_for()
    page.wait_for_load_state("load")
    expect(page.get_by_label("Aktuellt")).to_be_focused()

    # 3. Four headings, Tab between them.
    texts = [
        "Hosta och snuva i fem dagar.",
        "Tidigare frisk, inga mediciner.",
        "Allmäntillstånd gott. Lungor: vesikulärt andningsljud.",
        "Viral övre luftvägsinfektion.",
    ]
    for i, text in enumerate(texts):
        page.keyboard.type(text)
        if i < len(texts) - 1:
            page.keyboard.press("Tab")
    assert page.get_by_label("Bedömning").input_value() == texts[3]
    page.get_by_text("Utkastet sparat").wait_for()  # autosave, no page load

    # 4. Diagnosis: Alt+D, code, Enter (htmx, no page load).
    page.keyboard.press("Alt+d")
    expect(page.get_by_label(re.compile("Diagnos \\(kod eller text\\)"))).to_be_focused()
    page.keyboard.type("J06.9")
    page.keyboard.press("Enter")
    page.get_by_role("list", name="Diagnoser och åtgärder i anteckningen").get_by_text("J06.9").wait_for()

    # 5. Sign: Alt+G → back to the overview.
    page.keyboard.press("Alt+g")
    page.get_by_text("Anteckningen är signerad.").wait_for()
    page.wait_for_load_state("load")

    assert len(loads) <= 3, loads
    note = Note.objects.get()
    assert note.status == Note.Status.SIGNED
    assert [h["text"] for h in note.headings[:4]] == texts
    assert Diagnosis.objects.get().note_id == note.pk
    expect(page.get_by_role("region", name="Senaste anteckningar")).to_contain_text("Hosta och snuva")


def test_draft_survives_and_stale_tab_is_told(page, world: World) -> None:  # type: ignore[no-untyped-def]
    from journal import services
    from tests.journal.helpers import draft

    n = draft(world)
    browser_login(page, world.physician.staff.username)
    page.goto(f"/journal/anteckning/{n.pk}/skriv/")
    page.wait_for_load_state("load")
    page.get_by_label("Aktuellt").fill("Första versionen")
    page.get_by_text("Utkastet sparat").wait_for()
    n.refresh_from_db()
    assert n.headings[0]["text"] == "Första versionen"
    # Someone (another tab) saves meanwhile: this tab's next save is refused with an explanation.
    services.note_save_draft(
        actor=world.physician,
        note_id=n.pk,
        revision=n.revision,
        headings=[{"heading": "Aktuellt", "text": "Från annan flik"}],
        edit_session="other",
    )
    page.get_by_label("Anamnes").fill("Mer text")
    page.get_by_role("alert").filter(has_text="ändrats sedan du öppnade").wait_for()
    n.refresh_from_db()
    assert n.headings[0]["text"] == "Från annan flik"
