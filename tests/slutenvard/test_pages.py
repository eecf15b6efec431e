"""Pages and REST API of slutenvård: wiring, access (outsiders refused on every page
and endpoint), the list reads in the access log, and a worklist whose query count
does not depend on the number of patients."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journal import services as journal_services
from journal.models import Allergy
from slutenvard import queries, services
from slutenvard.models import Stay
from tests import factories as f
from tests.conftest import World, login
from tests.slutenvard.helpers import Wards
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def _admit(wards: Wards, bed_index: int | None = 0, **kw: object) -> Stay:
    p = f.make_patient(given_name="Vera", family_name=f"Vårdad{bed_index}")
    return services.stay_admit(
        actor=wards.nurse,
        patient_id=p.pk,
        ward_id=wards.med.pk,
        bed_id=wards.med_beds[bed_index].pk if bed_index is not None else None,
        reason="Hjärtsvikt",
        pal_id=wards.physician.staff.pk,
        pas_id=wards.nurse.staff.pk,
        plan="Diuretika, vikt dagligen",
        expected_discharge=timezone.localdate(),
        **kw,  # type: ignore[arg-type]
    )


def test_worklist_page_lists_ward_patients_in_bed_order_and_logs_them(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    s2 = _admit(wards, 2)
    s0 = _admit(wards, 0)
    waiting = _admit(wards, None)
    login(client, wards.nurse)
    r = client.get(reverse("slutenvard:worklist"))
    assert r.status_code == 200
    text = r.content.decode()
    assert text.index("Vårdad0") < text.index("Vårdad2") < text.index("Vårdadnone".replace("none", "None"))
    assert "Diuretika, vikt dagligen" in text and "väntar på säng" in text and "@media print" not in text
    row = AccessLog.objects.filter(action="slutenvard.worklist.list").last()
    assert row is not None and sorted(row.patient_ids) == sorted([s0.patient_id, s2.patient_id, waiting.patient_id])


def test_worklist_shows_signals_and_unacknowledged_results(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    s = _admit(wards, 0)
    journal_services.allergy_record(actor=wards.physician, patient_id=s.patient_id, substance="Penicillin", severity="severe")
    journal_services.acknowledgement_request(actor=wards.physician, patient_id=s.patient_id, summary="CRP 180")
    wl = queries.worklist_for(wards.nurse)
    assert wl.rows[0].signals and "Penicillin" in wl.rows[0].signals[0]
    assert wl.rows[0].unacknowledged == 1
    assert Allergy.objects.filter(patient_id=s.patient_id).exists()


def _vitals(wards: Wards, stay: Stay, *sets: dict[str, str]) -> None:
    base = {"respiratory_rate": "16", "spo2": "97", "spo2_scale": "1", "on_oxygen": "air", "systolic": "125"}
    base |= {"diastolic": "80", "pulse": "72", "consciousness": "A", "temperature": "36,8"}
    rows = [{**base, **s, "observed_at": timezone.now() - dt.timedelta(minutes=60 - 10 * i)} for i, s in enumerate(sets)]
    journal_services.vital_signs_record(actor=wards.nurse, patient_id=stay.patient_id, sets=rows)


def test_worklist_shows_news2_with_trend_escalation_and_due(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    s = _admit(wards, 0)
    calm = _admit(wards, 1)
    _vitals(wards, s, {}, {"respiratory_rate": "26", "on_oxygen": "oxygen", "spo2": "93"})
    _vitals(wards, calm, {})
    rows = {r.stay.pk: r for r in queries.worklist_for(wards.nurse).rows}
    assert rows[s.pk].news2.score == 7 and rows[s.pk].news2.trend == "up" and rows[s.pk].news2.escalate
    assert rows[calm.pk].news2.score == 0 and not rows[calm.pk].news2.escalate and not rows[calm.pk].observations_due
    login(client, wards.nurse)
    text = client.get(reverse("slutenvard:worklist")).content.decode()
    assert "ESKALERA" in text and "stigande" in text
    api = client.get("/api/v1/slutenvard/worklist/").json()
    assert {r["stay"]["id"]: r["news2"]["score"] for r in api["rows"]} == {s.pk: 7, calm.pk: 0}


def test_14_worklist_query_count_is_independent_of_patients(world: World, wards: Wards, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    _vitals(wards, _admit(wards, 0), {})
    queries.worklist_for(wards.nurse)
    with CaptureQueriesContext(connection) as few:
        queries.worklist_for(wards.nurse)
    for i in range(1, 6):
        _vitals(wards, _admit(wards, i), {}, {"pulse": "95"})
        journal_services.allergy_record(actor=wards.physician, patient_id=Stay.objects.latest("pk").patient_id, substance="Latex")
    _admit(wards, None)
    with django_assert_num_queries(len(few.captured_queries)):
        wl = queries.worklist_for(wards.nurse)
    assert len(wl.rows) == 7


def test_worklist_page_prints_twelve_patients_per_page(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    for _ in range(13):
        _admit(wards, None)
    login(client, wards.nurse)
    r = client.get(reverse("slutenvard:worklist"))
    assert r.content.decode().count('class="ward-page"') == 2


def test_bed_board_counts_per_ward_and_names_only_own_ward(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    s = _admit(wards, 0)
    _admit(wards, None)
    services.stay_move_bed(actor=wards.nurse, stay_id=s.pk, bed_id=wards.kir_beds[0].pk, outlying=True)
    board = queries.bed_board(wards.nurse)
    med = next(x for x in board.wards if x.ward == wards.med)
    kir = next(x for x in board.wards if x.ward == wards.kir)
    assert (med.beds, med.free, med.patients, med.waiting, med.outlying, med.expected_discharges) == (
        6,
        5,
        2,
        1,
        1,
        2,
    )  # the bed it left is to be cleaned
    assert (kir.occupied, kir.free, kir.patients) == (1, 3, 0)
    assert [w.patient_id for w in board.waiting_patients] and len(board.discharges_today) == 2
    row = AccessLog.objects.filter(action="slutenvard.bed_board.list").last()
    assert row is not None and sorted(row.patient_ids) == sorted(st.patient_id for st in Stay.objects.filter(ward=wards.med))
    login(client, wards.kir_nurse)
    r = client.get(reverse("slutenvard:bed_board"))
    assert r.status_code == 200 and b"Medicinavdelning 3" in r.content and b"Vera" not in r.content


def test_bed_board_command_prints_and_records_the_days_figures(world: World, wards: Wards) -> None:
    from io import StringIO

    from django.core.management import call_command

    from slutenvard.models import WardDayFigures

    _admit(wards, 0)
    out = StringIO()
    call_command("bed_board", "--record", stdout=out)
    text = out.getvalue()
    assert "Medicinavdelning 3" in text and "Södra sjukhuset" in text
    assert WardDayFigures.objects.get(ward=wards.med, day=timezone.localdate()).occupied == 1
    call_command("bed_board", "--record", stdout=StringIO())  # again the same day: updated, not doubled
    assert WardDayFigures.objects.filter(ward=wards.med).count() == 1


def test_stay_page_actions_admit_transfer_discharge(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    p = f.make_patient(given_name="Sten", family_name="Sjuk")
    login(client, wards.nurse)
    assert client.get(reverse("slutenvard:admit")).status_code == 200
    r = client.post(
        reverse("slutenvard:admit"),
        {
            "identifier": p.display_identifier,
            "ward": wards.med.pk,
            "bed": wards.med_beds[0].pk,
            "source": "emergency",
            "reason": "Bröstsmärta",
            "admitted_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    stay = Stay.objects.get(patient=p)
    assert r.status_code == 302 and r["Location"] == reverse("slutenvard:stay", args=[stay.pk])
    assert client.get(r["Location"]).status_code == 200
    r = client.post(reverse("slutenvard:stay_action", args=[stay.pk, "transfer"]), {"ward": wards.kir.pk, "bed": ""}, follow=True)
    assert "överflyttad" in r.content.decode()
    login(client, wards.kir_nurse)
    client.post(reverse("slutenvard:stay_action", args=[stay.pk, "place"]), {"bed": wards.kir_beds[1].pk})
    r = client.post(reverse("slutenvard:stay_action", args=[stay.pk, "discharge"]), {"destination": "home"}, follow=True)
    stay.refresh_from_db()
    assert stay.status == "discharged" and stay.bed_id == wards.kir_beds[1].pk
    # A second click shows a Swedish error and changes nothing.
    r = client.post(reverse("slutenvard:stay_action", args=[stay.pk, "discharge"]), {"destination": "home"}, follow=True)
    assert "redan utskriven" in r.content.decode()


def test_admit_form_shows_the_occupied_bed_error(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    _admit(wards, 0)
    p = f.make_patient()
    login(client, wards.nurse)
    r = client.post(
        reverse("slutenvard:admit"),
        {
            "identifier": p.display_identifier,
            "ward": wards.med.pk,
            "bed": wards.med_beds[0].pk,
            "source": "emergency",
            "reason": "x",
        },
    )
    # The occupied bed is no longer offered: the form refuses the choice itself.
    assert r.status_code == 200 and not Stay.objects.filter(patient=p).exists()


def test_handover_page_writes_a_signed_note(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    s = _admit(wards, 0)
    login(client, wards.nurse)
    url = reverse("slutenvard:handover", args=[s.pk])
    assert client.get(url).status_code == 200
    r = client.post(
        url, {"situation": "Dyspné", "background": "Hjärtsvikt", "assessment": "Bättre", "recommendation": "Vikt i morgon"}
    )
    assert r.status_code == 302
    assert AccessLog.objects.filter(action="journal.note.sign", patient_id=s.patient_id).exists()


def test_outsider_is_refused_on_every_page_and_endpoint(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    s = _admit(wards, 0)
    login(client, world.outsider)
    for url in (
        reverse("slutenvard:stay", args=[s.pk]),
        reverse("slutenvard:handover", args=[s.pk]),
        reverse("slutenvard:summary_pdf", args=[s.pk]),
        reverse("slutenvard:bed_board"),
        reverse("slutenvard:admit"),
        f"/api/v1/slutenvard/stays/{s.pk}/",
        "/api/v1/slutenvard/bed-board/",
    ):
        assert client.get(url).status_code == 404, url
    # Not a ward: the worklist sends the outsider on to the bed board, which has nothing for it.
    assert client.get(reverse("slutenvard:worklist")).status_code == 302
    for url in ("/api/v1/slutenvard/worklist/", "/api/v1/slutenvard/beds/"):
        assert client.get(url).status_code == 403, url
    for action in ("discharge", "transfer", "cancel_admit", "summary"):
        client.post(
            reverse("slutenvard:stay_action", args=[s.pk, action]), {"destination": "home", "ward": wards.kir.pk, "reason": "x"}
        )
    for url, body in (
        (f"/api/v1/slutenvard/stays/{s.pk}/discharge/", {"destination": "home"}),
        (f"/api/v1/slutenvard/stays/{s.pk}/transfer/", {"to_ward_id": wards.kir.pk}),
        (f"/api/v1/slutenvard/beds/{wards.med_beds[1].pk}/state/", {"state": "closed"}),
    ):
        assert client.post(url, body, content_type="application/json").status_code == 404, url
    s.refresh_from_db()
    assert s.status == "admitted" and s.ward == wards.med
    # The colleague at another unit of the same provider reads no stay without a ground either.
    login(client, world.colleague)
    assert client.get(reverse("slutenvard:stay", args=[s.pk])).status_code == 404
    assert client.get(f"/api/v1/slutenvard/stays/{s.pk}/").status_code == 404


def test_api_admit_transfer_discharge_and_lists(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    p = f.make_patient()
    login(client, wards.nurse)
    r = client.post(
        "/api/v1/slutenvard/stays/",
        {"patient_id": p.pk, "ward_id": wards.med.pk, "bed_id": wards.med_beds[0].pk, "reason": "Fall"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    stay_id = r.json()["id"]
    r = client.post(
        "/api/v1/slutenvard/stays/",
        {"patient_id": p.pk, "ward_id": wards.med.pk, "bed_id": wards.med_beds[1].pk, "reason": "Fall"},
        content_type="application/json",
    )
    assert r.status_code in (400, 409) and "redan inskriven" in r.content.decode()
    assert client.get("/api/v1/slutenvard/worklist/").json()["rows"][0]["stay"]["id"] == stay_id
    assert client.get("/api/v1/slutenvard/beds/").json()[0]["state"] == "occupied"
    assert client.get("/api/v1/slutenvard/bed-board/").json()["wards"][0]["occupied"] == 1
    r = client.post(
        f"/api/v1/slutenvard/stays/{stay_id}/transfer/", {"to_ward_id": wards.kir.pk}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["ward_id"] == wards.kir.pk
    r = client.post(
        f"/api/v1/slutenvard/stays/{stay_id}/cancel/", {"what": "transfer", "reason": "Fel"}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["ward_id"] == wards.med.pk
    r = client.post(
        f"/api/v1/slutenvard/stays/{stay_id}/discharge/",
        {"destination": "home", "at": (timezone.now() - dt.timedelta(days=2)).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and "före inskrivningen" in r.content.decode()
    r = client.post(f"/api/v1/slutenvard/stays/{stay_id}/discharge/", {"destination": "home"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "discharged"


def test_openapi_schema_has_the_slutenvard_endpoints(client, world: World) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    login(client, world.physician)
    schema = client.get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/slutenvard/stays/",
        "/api/v1/slutenvard/bed-board/",
        "/api/v1/slutenvard/worklist/",
        "/api/v1/slutenvard/beds/",
    ):
        assert path in schema


def test_summary_pdf_after_signing(client, world: World, wards: Wards) -> None:  # type: ignore[no-untyped-def]
    s = _admit(wards, 0)
    note = services.summary_draft(actor=wards.physician, stay_id=s.pk)
    login(client, wards.physician)
    assert client.get(reverse("slutenvard:summary_pdf", args=[s.pk])).status_code == 404  # not signed yet
    headings = [{**h, "text": h["text"] or "Återbesök om en månad"} for h in note.headings]
    journal_services.note_sign(actor=wards.physician, note_id=note.pk, revision=note.revision, headings=headings)
    r = client.get(reverse("slutenvard:summary_pdf", args=[s.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(action="slutenvard.summary.print", patient_id=s.patient_id).exists()


def test_worklist_signals_honour_blocks_and_other_providers(world: World, wards: Wards) -> None:
    s = _admit(wards, 0)
    f.relate(s.patient, world.vc)
    f.relate(s.patient, world.priv)
    journal_services.allergy_record(actor=world.physician, patient_id=s.patient_id, substance="Jordnötter")
    journal_services.allergy_record(actor=world.outsider, patient_id=s.patient_id, substance="Sulfa")
    journal_services.allergy_record(actor=wards.physician, patient_id=s.patient_id, substance="Latex")
    signals = queries.worklist_for(wards.nurse).rows[0].signals
    # Another provider's signal needs consent; the health centre's is the same provider's.
    assert any("Jordnötter" in x for x in signals) and any("Latex" in x for x in signals)
    assert not any("Sulfa" in x for x in signals)
    f.block(s.patient, world.vc, world.physician.staff)
    signals = queries.worklist_for(wards.nurse).rows[0].signals
    assert not any("Jordnötter" in x for x in signals) and any("Latex" in x for x in signals)
    f.consent(s.patient, world.region, world.physician.staff)
    signals = queries.worklist_for(wards.nurse).rows[0].signals
    assert any("Sulfa" in x for x in signals) and not any("Jordnötter" in x for x in signals)


def test_top_bar_counts_ward_patients_and_costs_nothing_elsewhere(world: World, wards: Wards, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    _admit(wards, 0)
    _admit(wards, None)
    assert queries.ward_patient_count(wards.nurse) == 2
    with django_assert_num_queries(0):
        assert queries.ward_patient_count(world.nurse) == 0


def test_18_ward_downtime_bundle_lists_patients_in_bed_order(world: World, wards: Wards, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 18: a ward's downtime bundle starts with its patients in bed, with bed, PAL/PAS,
    NEWS2 and plan; one access-log row names them; another ward's bundle does not."""
    from cryptography.fernet import Fernet

    from driftstopp import services as downtime
    from driftstopp.models import UnitDowntime
    from driftstopp.open import open_bundle

    settings.DOWNTIME_DIR = str(tmp_path)
    s2, s0 = _admit(wards, 2), _admit(wards, 0)
    written = downtime.bundle_write(unit=wards.med.unit)
    assert written.path is not None and written.patients == 2
    key = UnitDowntime.objects.get(unit=wards.med.unit).key
    _manifest, files = open_bundle(written.path, Fernet(key.encode()))  # type: ignore[arg-type]
    text = files["sammanfattning.txt"].decode()
    assert "Inneliggande patienter (2)" in text and "Diuretika, vikt dagligen" in text
    assert text.index(s0.patient.family_name) < text.index(s2.patient.family_name)  # bed order
    row = AccessLog.objects.get(action="downtime.bundle", object_id=str(wards.med.unit.pk))
    assert sorted(row.patient_ids or []) == sorted([s0.patient_id, s2.patient_id])
    other = downtime.bundle_write(unit=wards.kir.unit)
    assert other.patients == 0
