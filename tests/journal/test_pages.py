"""Pages: wiring, status codes, the overview's flat query count, print."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journal import services
from journal.models import Note, Observation
from tests.conftest import World, login
from tests.journal.helpers import VISIT, draft, signed
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def _bulk_notes(world: World, n: int) -> None:
    now = timezone.now()
    Note.objects.bulk_create(
        [
            Note(
                patient=world.patient,
                unit=world.vc,
                note_type="Läkaranteckning",
                status=Note.Status.SIGNED,
                headings=[{"heading": "Aktuellt", "text": f"Anteckning {i}"}],
                text=f"Aktuellt: Anteckning {i}",
                author=world.physician.staff,
                author_name="Test",
                event_at=now - dt.timedelta(hours=i),
                signed_at=now,
            )
            for i in range(n)
        ]
    )
    Observation.objects.bulk_create(
        [
            Observation(patient=world.patient, unit=world.vc, kind=k, value=70 + i % 5, observed_at=now - dt.timedelta(hours=i))
            for i in range(n)
            for k in ("pulse", "weight")
        ]
    )


def _overview_queries(client, world: World) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/patient/{world.patient.pk}/")
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_overview_query_count_is_flat_with_5_and_200_notes(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    services.allergy_record(actor=world.physician, patient_id=world.patient.pk, substance="Penicillin", atc_code="J01C")
    _bulk_notes(world, 5)
    client.get(f"/patient/{world.patient.pk}/")  # warm the template cache
    few = _overview_queries(client, world)
    _bulk_notes(world, 195)
    many = _overview_queries(client, world)
    assert few == many
    r = client.get(f"/patient/{world.patient.pk}/")
    html = r.content.decode()
    assert "Penicillin" in html and "Senaste anteckningar" in html and "Anteckning 0" in html
    assert "Anteckning 199" not in html  # bounded: latest N only
    assert "Läkaranteckning" in html and "Alt+N" in html
    draft(world)  # own drafts come first in the panel, counted without another query
    assert _overview_queries(client, world) == many
    assert "1 osignerad anteckning av dig" in client.get(f"/patient/{world.patient.pk}/").content.decode()


def test_new_note_editor_autosave_and_sign(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    from journal.queries import template_choices

    tpl = next(pk for pk, _n, d in template_choices(world.physician) if d)
    r = client.post(f"/journal/patient/{world.patient.pk}/anteckning/ny/", {"template": tpl})
    assert r.status_code == 302
    note = Note.objects.get()
    r = client.get(r["Location"])
    assert r.status_code == 200 and 'name="h-text"' in r.content.decode()
    data = {
        "revision": note.revision,
        "edit_session": "t1",
        "h-title": [h["heading"] for h in VISIT],
        "h-text": [h["text"] for h in VISIT],
    }
    r = client.post(f"/journal/anteckning/{note.pk}/autospara/", data, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Utkastet sparat" in r.content.decode()
    note.refresh_from_db()
    assert "Hosta" in note.headings[0]["text"] and note.revision == 2
    # A stale tab (other session, old revision) is refused and told why.
    r = client.post(f"/journal/anteckning/{note.pk}/autospara/", {**data, "edit_session": "t2"}, HTTP_HX_REQUEST="true")
    assert "ändrats sedan du öppnade" in r.content.decode()
    r = client.post(f"/journal/anteckning/{note.pk}/kod/", {"q": "J069"}, HTTP_HX_REQUEST="true")
    assert "J06.9" in r.content.decode()
    r = client.post(f"/journal/anteckning/{note.pk}/kod/", {"q": "X99.9"}, HTTP_HX_REQUEST="true")
    assert "Okänd diagnoskod" in r.content.decode()
    r = client.post(f"/journal/anteckning/{note.pk}/signera/", data)
    assert r.status_code == 302 and r["Location"] == f"/patient/{world.patient.pk}/"
    note.refresh_from_db()
    assert note.status == Note.Status.SIGNED


def test_sign_of_empty_note_shows_the_error_on_the_editor(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    n = draft(world)
    r = client.post(f"/journal/anteckning/{n.pk}/signera/", {"revision": n.revision, "h-title": "Aktuellt", "h-text": ""})
    assert r.status_code == 400 and "Anteckningen är tom" in r.content.decode()


def test_code_search_suggestions(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    r = client.get("/journal/koder/", {"q": "diabetes", "system": "icd10"})
    assert "E11.9" in r.content.decode()


def test_timeline_filters_and_search(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    signed(world)
    r = client.get(f"/journal/patient/{world.patient.pk}/journal/", {"q": "veckor", "yrke": "physician"})
    assert r.status_code == 200 and "Hosta sedan en vecka" in r.content.decode()
    r = client.get(f"/journal/patient/{world.patient.pk}/journal/", {"q": "fotledsstukning"})
    assert "Inga anteckningar matchar" in r.content.decode()


def test_print_pdf_is_logged_as_print(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    signed(world)
    r = client.get(f"/journal/patient/{world.patient.pk}/utskrift/")
    assert r.status_code == 200
    r = client.post(f"/journal/patient/{world.patient.pk}/utskrift/", {"med_koder": "1"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(
        action="journal.print", patient_id=world.patient.pk, staff_id=world.physician.staff.pk
    ).exists()


def test_measurement_page_refuses_pulse_900_with_range(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.nurse)
    r = client.post(f"/journal/patient/{world.patient.pk}/matvarden/", {"kind": "pulse", "value": "900"})
    assert r.status_code == 400 and "Tillåtet intervall: 20–250 slag/min" in r.content.decode()
    assert not Observation.objects.exists()


def test_correction_and_error_pages(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    n = signed(world)
    r = client.get(f"/journal/anteckning/{n.pk}/rattelse/")
    assert r.status_code == 200
    titles = [h["heading"] for h in n.headings]
    texts = [h["text"] for h in n.headings]
    texts[0] = "Hosta sedan två veckor."
    r = client.post(
        f"/journal/anteckning/{n.pk}/rattelse/",
        {"revision": n.revision, "h-title": titles, "h-text": texts, "reason": "Fel duration"},
    )
    assert r.status_code == 302
    r = client.get(f"/journal/anteckning/{n.pk}/")
    html = r.content.decode()
    assert "Versionshistorik" in html and "Hosta sedan en vecka" in html and "två veckor" in html
    n.refresh_from_db()
    r = client.post(f"/journal/anteckning/{n.pk}/felregistrerad/", {"revision": n.revision, "reason": ""})
    n.refresh_from_db()
    assert not n.entered_in_error


def test_worklists(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    draft(world)
    r = client.get("/journal/osignerade/")
    assert r.status_code == 200 and "Läkaranteckning" in r.content.decode()
    services.acknowledgement_request(actor=world.nurse, patient_id=world.patient.pk, summary="Krea 140")
    r = client.get("/journal/vidimering/")
    assert "Krea 140" in r.content.decode()


def test_timeline_shows_measurements_and_diagnoses_between_notes(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    signed(world)
    services.observation_record(actor=world.nurse, patient_id=world.patient.pk, kind="pulse", value="72")
    services.diagnosis_add(actor=world.physician, patient_id=world.patient.pk, code="I10.9")
    html = client.get(f"/journal/patient/{world.patient.pk}/journal/").content.decode()
    assert "Puls: 72 slag/min" in html and "I10.9" in html and "Hosta sedan en vecka" in html
    html = client.get(f"/journal/patient/{world.patient.pk}/journal/", {"typ": "Läkaranteckning"}).content.decode()
    assert "Puls: 72" not in html


def test_top_bar_counts_unsigned_and_acknowledgements(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    draft(world)
    services.acknowledgement_request(actor=world.nurse, patient_id=world.patient.pk, summary="Hb 98")
    from journal.queries import worklist_counts

    assert worklist_counts(world.physician) == (1, 1)
    html = client.get("/").content.decode()
    assert 'Osignerade <span class="badge">1</span>' in html and 'Vidimering <span class="badge">1</span>' in html
