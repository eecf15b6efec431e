"""Pages: wiring, access, htmx partials, flat query counts, handout."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from lakemedel.models import MedicationOrder, Prescription
from tests.conftest import World, login
from tests.lakemedel.conftest import order, prescribe, product
from vardmiljo.models import AccessLog

pytestmark = pytest.mark.django_db


def test_overview_panel_and_nav_link(client, world: World, drugs: None) -> None:  # type: ignore[no-untyped-def]
    order(world.physician, world.patient.pk, "Alvedon", "500 mg", frequency="prn", times=None, prn_max_per_day=4)
    login(client, world.physician)
    html = client.get(reverse("patient_overview", args=[world.patient.pk])).content.decode()
    assert "1 tablett vid behov, högst 4 per dygn" in html
    assert 'data-shortcut="alt+l"' in html and reverse("lakemedel:list", args=[world.patient.pk]) in html


def test_panel_query_count_is_flat(client, world: World, drugs: None, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    url = reverse("patient_overview", args=[world.patient.pk])
    order(world.physician, world.patient.pk, "Alvedon", "500 mg")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    p = product("Metformin Teva", "500 mg")
    MedicationOrder.objects.bulk_create(
        [
            MedicationOrder(
                patient=world.patient,
                unit=world.vc,
                product=p,
                substance=p.substance,
                atc_code=p.atc_code,
                dose=1,
                dose_unit="tablett",
                route="oral",
                frequency="regular",
                times=1,
                period="day",
                start_date="2026-01-01",
                prescriber=world.physician.staff,
            )
            for _ in range(40)
        ]
    )
    with django_assert_max_num_queries(len(few)):
        client.get(url)
    list_url = reverse("lakemedel:list", args=[world.patient.pk])
    with CaptureQueriesContext(connection) as many:
        client.get(list_url)
    MedicationOrder.objects.bulk_create(
        [
            MedicationOrder(
                patient=world.patient,
                unit=world.vc,
                product=p,
                substance=p.substance,
                atc_code=p.atc_code,
                dose=1,
                dose_unit="tablett",
                route="oral",
                frequency="regular",
                times=1,
                period="day",
                start_date="2026-01-01",
                prescriber=world.physician.staff,
            )
            for _ in range(40)
        ]
    )
    with django_assert_max_num_queries(len(many)):
        client.get(list_url)


@pytest.mark.parametrize("who", ["outsider", "colleague"])
def test_pages_refuse_outsider_and_colleague(client, world: World, drugs: None, who: str) -> None:  # type: ignore[no-untyped-def]
    o = order(world.physician, world.patient.pk, "Alvedon", "500 mg")
    login(client, getattr(world, who))
    pid = world.patient.pk
    for url in [
        reverse("lakemedel:list", args=[pid]),
        reverse("lakemedel:order_new", args=[pid]),
        reverse("lakemedel:order_history", args=[pid, o.pk]),
        reverse("lakemedel:prescribe", args=[pid, o.pk]),
        reverse("lakemedel:print", args=[pid]),
        reverse("lakemedel:print_pdf", args=[pid]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("lakemedel:renew", args=[pid]), {"rx": ["1"]}).status_code == 404
    assert AccessLog.objects.filter(staff_id=getattr(world, who).staff.pk, ground="denied").count() >= 6


def test_order_form_creates_and_bad_input_shows_swedish_error(client, world: World, drugs: None) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    url = reverse("lakemedel:order_new", args=[world.patient.pk])
    assert client.get(url).status_code == 200
    p = product("Alvedon", "500 mg")
    base = {
        "product": p.pk,
        "dose": "1",
        "dose_unit": "tablett",
        "frequency": "regular",
        "times": "2",
        "period": "day",
        "start_date": "2026-03-01",
    }
    r = client.post(url, {**base, "dose_unit": ""})
    assert r.status_code == 400 and "Dosen saknar enhet" in r.content.decode()
    r = client.post(url, {**base, "planned_end_date": "2026-02-01"})
    assert "före startdatum" in r.content.decode()
    r = client.post(url, {**base, "product": "99999"})
    assert "Okänt läkemedel" in r.content.decode()
    assert MedicationOrder.objects.count() == 0
    r = client.post(url, base)
    assert r.status_code == 302 and MedicationOrder.objects.get().dosage_text == "1 tablett 2 gånger dagligen"


def test_search_as_you_type_and_inline_checks(client, world: World, drugs: None) -> None:  # type: ignore[no-untyped-def]
    login(client, world.physician)
    s = reverse("lakemedel:product_search")
    assert "Alvedon" in client.get(s, {"q": "alv"}).content.decode()
    assert "Alvedon" in client.get(s, {"q": "paracet"}).content.decode()
    assert "Alvedon" in client.get(s, {"q": "N02BE"}).content.decode()
    assert "Inga träffar" in client.get(s, {"q": "xyzzy"}).content.decode()
    order(world.physician, world.patient.pk, "Waran", indication="förmaksflimmer")
    r = client.post(
        reverse("lakemedel:order_check", args=[world.patient.pk]),
        {"product": product("Ipren", "400 mg").pk},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert "Allvarlig" in html and "Interaktion D" in html
    assert 'hx-swap-oob="true"' in html and '<option value="tablett" selected>' in html


def test_renew_page_in_one_post_and_double_post_renews_once(client, world: World, drugs: None) -> None:  # type: ignore[no-untyped-def]
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    rx = prescribe(world.physician, world.patient.pk, o)
    login(client, world.physician)
    html = client.get(reverse("lakemedel:list", args=[world.patient.pk])).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]
    assert f'value="{rx.pk}"' in html and "Förnya markerade" in html
    for _ in range(2):
        r = client.post(reverse("lakemedel:renew", args=[world.patient.pk]), {"rx": [rx.pk], "idempotency_key": key})
        assert r.status_code == 302
    assert Prescription.objects.filter(renewed_from=rx).count() == 1


def test_prescribe_page_and_worklist(client, world: World, drugs: None) -> None:  # type: ignore[no-untyped-def]
    o = order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1)
    login(client, world.physician)
    url = reverse("lakemedel:prescribe", args=[world.patient.pk, o.pk])
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "packages": "1",
            "package_size": "100",
            "dispensings": "1",
            "valid_until": "2000-01-01",
            "idempotency_key": "k-12345678",
        },
    )
    assert r.status_code == 400 and "Giltighetstiden" in r.content.decode()
    r = client.post(
        url,
        {
            "packages": "1",
            "package_size": "100",
            "dispensings": "1",
            "valid_until": (
                __import__("datetime").date.today().replace(day=1) + __import__("datetime").timedelta(days=200)
            ).isoformat(),
            "idempotency_key": "k-12345678",
        },
    )
    assert r.status_code == 302 and Prescription.objects.count() == 1
    assert client.get(reverse("lakemedel:failed")).status_code == 200


def test_print_and_pdf_are_logged_as_print(client, world: World, drugs: None) -> None:  # type: ignore[no-untyped-def]
    order(world.physician, world.patient.pk, "Alvedon", "500 mg", indication="värk i knä")
    login(client, world.physician)
    html = client.get(reverse("lakemedel:print", args=[world.patient.pk])).content.decode()
    assert "Min läkemedelslista" in html and "värk i knä" in html
    r = client.get(reverse("lakemedel:print_pdf", args=[world.patient.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(action="lakemedel.print", patient_id=world.patient.pk).count() == 2


def test_pdf_builder_with_and_without_unicode_font(world: World, drugs: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from lakemedel import handout, queries

    order(world.physician, world.patient.pk, "Kåvepenin", "1 g", times=3, indication="halsfluss – ÅÄÖ")
    ml = queries.handout(world.physician, world.patient.pk)
    pdf = handout.medication_list_pdf(ml, printed_by="Anna Läkare", unit="Vårdcentral")
    assert pdf.startswith(b"%PDF") and b"DejaVu" in pdf
    monkeypatch.setattr(handout, "REGULAR", "/nonexistent.ttf")
    pdf = handout.medication_list_pdf(ml, printed_by="Anna Läkare", unit="Vårdcentral")
    assert pdf.startswith(b"%PDF") and b"DejaVu" not in pdf


def test_simulated_endpoint_deduplicates(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO = True
    url = reverse("lakemedel:sim_erecept")
    a = client.post(url, {"x": 1}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="erecept:k1")
    b = client.post(url, {"x": 1}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="erecept:k1")
    assert a.status_code == 201 and b.status_code == 200 and a.json()["receipt_id"] == b.json()["receipt_id"]
    assert client.post(url, {}, content_type="application/json").status_code == 400
    settings.DEMO = False
    assert client.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="x").status_code == 404


def test_renew_all_shown_in_one_click(client, world: World, drugs: None) -> None:  # type: ignore[no-untyped-def]
    a = prescribe(world.physician, world.patient.pk, order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1))
    b = prescribe(world.physician, world.patient.pk, order(world.physician, world.patient.pk, "Furix", "40 mg", times=1))
    login(client, world.physician)
    html = client.get(reverse("lakemedel:list", args=[world.patient.pk])).content.decode()
    ids = re.findall(r'name="all_rx" value="(\d+)"', html)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]
    assert sorted(ids) == sorted([str(a.pk), str(b.pk)])
    r = client.post(reverse("lakemedel:renew", args=[world.patient.pk]), {"all": "1", "all_rx": ids, "idempotency_key": key})
    assert r.status_code == 302 and Prescription.objects.filter(renewed_from__in=[a, b]).count() == 2


def test_history_shows_versions_and_overrides(client, world: World, drugs: None) -> None:  # type: ignore[no-untyped-def]
    order(world.physician, world.patient.pk, "Waran", times=1, indication="förmaksflimmer")
    o = order(world.physician, world.patient.pk, "Ipren", "400 mg", override="kort kur med PK-INR")
    login(client, world.physician)
    html = client.get(reverse("lakemedel:order_history", args=[world.patient.pk, o.pk])).content.decode()
    assert "Insatt" in html and "kort kur med PK-INR" in html and "Interaktion D" in html


def test_panel_shows_latest_review(client, world: World, drugs: None) -> None:  # type: ignore[no-untyped-def]
    from lakemedel import services

    login(client, world.physician)
    url = reverse("patient_overview", args=[world.patient.pk])
    assert "Ingen läkemedelsgenomgång" in client.get(url).content.decode()
    services.medication_review_record(actor=world.physician, patient_id=world.patient.pk)
    assert str(world.physician.staff) in client.get(url).content.decode()  # no orders: separate query
    order(world.physician, world.patient.pk, "Alvedon", "500 mg")
    html = client.get(url).content.decode()
    assert "Läkemedelsgenomgång 20" in html and str(world.physician.staff) in html


def test_panel_context_one_narrow_query(world: World, drugs: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from lakemedel import queries, services
    from vardmiljo.access import patient_access

    o = order(world.physician, world.patient.pk, "Alvedon", "500 mg", frequency="prn", times=None, prn_max_per_day=4)
    services.order_pause(actor=world.physician, patient_id=world.patient.pk, order_id=o.pk, reason="uppehåll")
    for _ in range(12):
        order(world.physician, world.patient.pk, "Levaxin", "50 mikrog", times=1, override="test")
    services.medication_review_record(actor=world.physician, patient_id=world.patient.pk)
    pa = patient_access(world.physician, world.patient.pk, action="test")
    with django_assert_num_queries(1):
        ctx = queries.panel_context(pa)
    assert len(ctx["orders"]) == 12 and ctx["more"] is True
    assert ctx["orders"][0] == {"label": "Alvedon 500 mg", "dosage": "1 tablett vid behov, högst 4 per dygn", "paused": True}
    assert ctx["review"]["reviewed_by"] == str(world.physician.staff)
    assert ctx["list_url"] == reverse("lakemedel:list", args=[world.patient.pk])
