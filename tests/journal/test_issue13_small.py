"""Issue 13 item 13, the smaller things, on the pages (the browser checks are in
tests/browser/test_issue13_ux.py)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from journal import services
from tests.conftest import World, login
from tests.journal.helpers import VISIT, draft

pytestmark = pytest.mark.django_db


def test_13_13_timeline_author_profession_in_swedish(client, world: World) -> None:  # type: ignore[no-untyped-def]
    n = draft(world)
    services.note_sign(actor=world.physician, note_id=n.pk, revision=n.revision, headings=VISIT)
    login(client, world.physician)
    body = client.get(reverse("journal:timeline", args=[world.patient.pk])).content.decode()
    assert "(Läkare)" in body and "(physician)" not in body


def test_13_13_current_diagnoses_list_a_code_once(client, world: World) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):  # a chronic diagnosis, coded on every visit note
        n = draft(world)
        services.diagnosis_add(actor=world.physician, patient_id=world.patient.pk, code="E11.9", note_id=n.pk)
        services.diagnosis_add(actor=world.physician, patient_id=world.patient.pk, code="J06.9", note_id=n.pk)
    login(client, world.physician)
    body = client.get(reverse("patient_overview", args=[world.patient.pk])).content.decode()
    panel = body[body.index("Aktuella diagnoser") :]
    panel = panel[: panel.index("Visa alla diagnoser")]
    assert panel.count("<strong>E11.9</strong>") == 1 and panel.count("<strong>J06.9</strong>") == 1


def test_13_13_favicon_is_served(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/x-icon" and r.content[:4] == b"\x00\x00\x01\x00"


def test_13_13_htmx_does_not_inject_a_style_and_no_aria_label_on_a_plain_div(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    body = client.get(reverse("patient_overview", args=[world.patient.pk])).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", body)
    assert meta and json.loads(meta.group(1))["includeIndicatorStyles"] is False
    assert not re.search(r"<div(?![^>]*\brole=)[^>]*\baria-label=", body)
