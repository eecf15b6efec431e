"""Pages and REST API of the ward's nursing documentation (issue 14): vital signs with
NEWS2 (entry form, SVG chart, list), risk assessments and the care plan. The outsider
personas are refused on each, every read is logged, and bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from journal import services
from journal.models import CarePlanItem, RiskAssessment, VitalSigns
from tests.conftest import World, log_rows, login

pytestmark = pytest.mark.django_db


def _api(actor) -> APIClient:  # type: ignore[no-untyped-def]
    c = APIClient()
    c.force_authenticate(actor.staff)
    c.credentials(HTTP_X_ASSIGNMENT=str(actor.assignment.pk))
    return c


def _form_row(i: int, **kw: str) -> dict[str, str]:
    base = {
        "respiratory_rate": "16",
        "spo2": "97",
        "spo2_scale": "1",
        "on_oxygen": "air",
        "systolic": "125",
        "diastolic": "80",
        "pulse": "72",
        "consciousness": "A",
        "temperature": "36,8",
        "observed_at": "",
    }
    base.update(kw)
    return {f"r{i}-{k}": v for k, v in base.items()}


def _local(minutes_ago: int) -> str:
    return f"{timezone.localtime() - dt.timedelta(minutes=minutes_ago):%Y-%m-%dT%H:%M}"


def test_14_vitals_form_records_several_rows_and_shows_the_escalation(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.nurse)
    base = f"/journal/patient/{world.patient.pk}/vitalparametrar/"
    r = client.get(base + "ny/")
    html = r.content.decode()
    assert r.status_code == 200
    # every input has its own label
    for name in re.findall(r'<(?:input|select)[^>]* id="(r\d-[a-z_0-9]+)"', html):
        assert f'<label class="visually-hidden" for="{name}">' in html
    assert log_rows(action="journal.vitals.new", patient_id=world.patient.pk)
    data = {
        "submission": "s1",
        "rader": "3",
        **_form_row(1, observed_at=_local(90)),
        **_form_row(2, observed_at=_local(10), respiratory_rate="26", on_oxygen="oxygen", spo2="93", pulse="115"),
        **{f"r3-{k}": "" for k in ("respiratory_rate", "spo2", "systolic", "diastolic", "pulse", "temperature")},
    }
    r = client.post(base + "ny/", data)
    assert r.status_code == 302 and r["Location"] == base
    assert VitalSigns.objects.count() == 2
    r = client.post(base + "ny/", data)  # double click: the same form again
    assert VitalSigns.objects.count() == 2
    page = client.get(base).content.decode()
    assert "Eskalera" in page and "NEWS2 9" in page
    assert 'role="img"' in page and '<title id="ch-news2-title">NEWS2-poäng</title>' in page and "<desc" in page
    assert '<table class="list vitals-table">' in page  # the text alternative
    assert log_rows(action="journal.vitals", patient_id=world.patient.pk)
    overview = client.get(f"/patient/{world.patient.pk}/").content.decode()
    assert "NEWS2 9" in overview and 'class="signal news2"' in overview and "eskalera" in overview


def test_14_vitals_form_bad_value_shows_error_keeps_input_and_stores_nothing(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.nurse)
    url = f"/journal/patient/{world.patient.pk}/vitalparametrar/ny/"
    r = client.post(url, {"submission": "s2", "rader": "2", **_form_row(1), **_form_row(2, pulse="720")})
    html = r.content.decode()
    assert r.status_code == 400 and "Rad 2: Puls 720 slag/min är inte rimligt" in html and "Ingenting har sparats" in html
    assert 'value="720"' in html
    assert not VitalSigns.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "colleague"])
def test_14_pages_refuse_the_outsiders(client, world: World, who: str) -> None:  # type: ignore[no-untyped-def]
    login(client, getattr(world, who))
    pid = world.patient.pk
    for url in (
        f"/journal/patient/{pid}/vitalparametrar/",
        f"/journal/patient/{pid}/vitalparametrar/ny/",
        f"/journal/patient/{pid}/riskbedomning/",
        f"/journal/patient/{pid}/riskbedomning/norton/ny/",
        f"/journal/patient/{pid}/vardplan/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/journal/patient/{pid}/vitalparametrar/ny/", {"rader": "1", **_form_row(1)}).status_code == 404
    assert (
        client.post(
            f"/journal/patient/{pid}/vardplan/", {"keyword": "Nutrition", "diagnosis": "a", "goal": "b", "interventions": "c"}
        ).status_code
        == 404
    )
    assert not VitalSigns.objects.exists() and not CarePlanItem.objects.exists()
    assert log_rows(action="journal.vitals.denied", patient_id=pid)
    assert log_rows(action="journal.vitals.record.denied", patient_id=pid)


def test_14_risk_assessment_and_care_plan_pages(client, world: World) -> None:  # type: ignore[no-untyped-def]
    login(client, world.nurse)
    pid = world.patient.pk
    r = client.get(f"/journal/patient/{pid}/riskbedomning/downton/ny/")
    assert r.status_code == 200 and "<legend>Gångförmåga" in r.content.decode()
    assert client.get(f"/journal/patient/{pid}/riskbedomning/braden/ny/").status_code == 404
    r = client.post(f"/journal/patient/{pid}/riskbedomning/downton/ny/", {"previous_falls": "yes", "medication": ["none"]})
    assert r.status_code == 400 and "Besvara Sensoriska" in r.content.decode() and not RiskAssessment.objects.exists()
    r = client.post(
        f"/journal/patient/{pid}/riskbedomning/downton/ny/",
        {
            "previous_falls": "yes",
            "medication": ["sedatives", "diuretics"],
            "sensory": ["none"],
            "mental": "oriented",
            "gait": "unsafe",
            "submission": "r1",
        },
    )
    assert r.status_code == 302
    page = client.get(f"/journal/patient/{pid}/riskbedomning/").content.decode()
    assert "Hög fallrisk" in page and "4" in page
    assert log_rows(action="journal.risk", patient_id=pid)
    r = client.post(
        f"/journal/patient/{pid}/vardplan/",
        {"keyword": "Nutrition", "diagnosis": "Nedsatt aptit", "goal": "", "interventions": "Energirik kost"},
    )
    assert r.status_code == 400 and "Ange mål" in r.content.decode() and not CarePlanItem.objects.exists()
    r = client.post(
        f"/journal/patient/{pid}/vardplan/",
        {
            "keyword": "Nutrition",
            "diagnosis": "Nedsatt aptit",
            "goal": "Äter 75 % av portionerna",
            "interventions": "Energirik kost",
        },
    )
    assert r.status_code == 302
    item = CarePlanItem.objects.get()
    r = client.post(f"/journal/patient/{pid}/vardplan/{item.pk}/avsluta/", {"evaluation": "Målet nått."})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == "closed"
    assert "Målet nått." in client.get(f"/journal/patient/{pid}/vardplan/").content.decode()


def _vitals_payload(**kw: Any) -> dict[str, Any]:
    s = {
        "respiratory_rate": "18",
        "spo2": "95",
        "spo2_scale": "1",
        "on_oxygen": "air",
        "systolic": "118",
        "pulse": "88",
        "consciousness": "A",
        "temperature": "37.2",
    }
    s.update(kw)
    return {"sets": [s]}


def test_14_api_vitals_risk_and_care_plan(world: World) -> None:
    c = _api(world.nurse)
    pid = world.patient.pk
    r = c.post(f"/api/v1/journal/patients/{pid}/vital-signs/", _vitals_payload(spo2="101"), format="json")
    assert r.status_code == 400 and "Syremättnad 101" in r.json()["detail"] and not VitalSigns.objects.exists()
    r = c.post(f"/api/v1/journal/patients/{pid}/vital-signs/", _vitals_payload(on_oxygen=[1]), format="json")
    assert r.status_code == 400 and "luft eller syrgas" in r.json()["detail"]
    r = c.post(f"/api/v1/journal/patients/{pid}/vital-signs/", _vitals_payload(), format="json")
    assert r.status_code == 201, r.content
    assert r.json()[0]["news2_score"] == 1 and r.json()[0]["news2_risk"] == "low"
    r = c.post(f"/api/v1/journal/patients/{pid}/vital-signs/", _vitals_payload(on_oxygen=True, temperature=38.4), format="json")
    assert r.status_code == 201 and r.json()[0]["on_oxygen"] is True and r.json()[0]["news2_score"] == 4
    assert len(c.get(f"/api/v1/journal/patients/{pid}/vital-signs/").json()) == 2
    assert log_rows(action="api.journal.vitals", patient_id=pid)
    r = c.post(
        f"/api/v1/journal/patients/{pid}/risk-assessments/",
        {
            "kind": "norton",
            "answers": {k: "3" for k in ("mental", "activity", "mobility", "food", "fluid", "incontinence", "general")},
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["score"] == 21 and r.json()["at_risk"] is False
    assert len(c.get(f"/api/v1/journal/patients/{pid}/risk-assessments/").json()) == 1
    r = c.post(
        f"/api/v1/journal/patients/{pid}/care-plan/",
        {"keyword": "Sömn", "diagnosis": "Sömnsvårigheter", "goal": "Sover 6 h", "interventions": "Kvällsrutin"},
        format="json",
    )
    assert r.status_code == 201
    r = c.post(f"/api/v1/journal/care-plan/{r.json()['id']}/close/", {"evaluation": "Sover bättre."}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    schema = c.get("/api/v1/schema/").content
    for path in (b"/vital-signs/", b"/risk-assessments/", b"/care-plan/", b"/care-plan/{item_id}/close/"):
        assert path in schema


@pytest.mark.parametrize("who", ["outsider", "colleague"])
def test_14_api_refuses_the_outsiders(world: World, who: str) -> None:
    c = _api(getattr(world, who))
    pid = world.patient.pk
    item = services.care_plan_item_add(
        actor=world.nurse, patient_id=pid, keyword="Sömn", diagnosis="a", goal="b", interventions="c"
    )
    for url in ("vital-signs", "risk-assessments", "care-plan"):
        assert c.get(f"/api/v1/journal/patients/{pid}/{url}/").status_code == 404
    assert c.post(f"/api/v1/journal/patients/{pid}/vital-signs/", _vitals_payload(), format="json").status_code == 404
    assert c.post(f"/api/v1/journal/care-plan/{item.pk}/close/", {"evaluation": "x"}, format="json").status_code == 404
    assert not VitalSigns.objects.exists()
    item.refresh_from_db()
    assert item.status == "active"
