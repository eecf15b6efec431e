"""Vital signs and NEWS2 (issue 14): the service (validation, nothing stored on bad
input, double-click safe, audit row), news2_latest_for (one query for any number of
patients) and the overview's signal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from journal import queries, services
from journal.models import VitalSigns
from tests import factories as f
from tests.conftest import World, log_rows
from vardmiljo import audit
from vardmiljo.errors import DomainError, NotFound


def row(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "respiratory_rate": "16",
        "spo2": "97",
        "spo2_scale": "1",
        "on_oxygen": "air",
        "systolic": "125",
        "diastolic": "80",
        "pulse": "72",
        "consciousness": "A",
        "temperature": "36,8",
    }
    base.update(kw)
    return base


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def test_14_vitals_several_sets_scored_with_news2_and_audited(world: World) -> None:
    sets = services.vital_signs_record(
        actor=world.nurse,
        patient_id=world.patient.pk,
        sets=[row(observed_at=ago(60)), row(observed_at=ago(5), respiratory_rate="26", on_oxygen="oxygen", spo2="93")],
    )
    assert [v.news2_score for v in sets] == [0, 7]
    first, second = sets
    assert first.temperature == Decimal("36.8") and first.next_due_at == first.observed_at + dt.timedelta(hours=12)
    assert second.news2_escalate and second.news2_risk == "high"
    assert second.next_due_at == second.observed_at + dt.timedelta(minutes=15)
    assert second.news2_parts["respiratory_rate"] == 3
    rows = log_rows(action="journal.vitals.record", patient_id=world.patient.pk)
    assert len(rows) == 2  # the access decision and the write's own row
    assert rows[-1].detail["sets"] == [first.pk, second.pk] and rows[-1].detail["escalate"] is True


BAD = [
    (row(pulse="720"), "Puls 720 slag/min är inte rimligt"),
    (row(respiratory_rate=""), "Andningsfrekvens saknas"),
    (row(spo2="101"), "Syremättnad 101 %"),
    (row(temperature="3,7"), "Temperatur 3,7 °C"),
    (row(systolic="120", diastolic="130"), "diastoliskt tryck måste vara lägre"),
    (row(consciousness="X"), "medvetandegrad"),
    (row(on_oxygen="maybe"), "luft eller syrgas"),
    (row(spo2_scale="3"), "SpO2-skala"),
    (row(pulse="72.5"), "heltal"),
    (row(pulse="sju"), "ange ett tal"),
    (row(observed_at=timezone.now() + dt.timedelta(hours=1)), "framtiden"),
    (row(observed_at=timezone.now() - dt.timedelta(days=30)), "dygn gammal"),
]


@pytest.mark.parametrize(("bad", "message"), BAD)
def test_14_vitals_bad_input_gives_swedish_error_and_stores_nothing(world: World, bad: dict[str, Any], message: str) -> None:
    before = len(log_rows())
    with pytest.raises(DomainError) as exc:
        # The first row is fine: one bad row refuses the whole form.
        services.vital_signs_record(actor=world.nurse, patient_id=world.patient.pk, sets=[row(observed_at=ago(30)), bad])
    assert message in exc.value.message
    assert "Rad 2" in exc.value.message or "Två rader" in exc.value.message
    assert VitalSigns.objects.count() == 0
    assert len(log_rows()) == before


def test_14_vitals_empty_form_and_same_time_twice_are_refused(world: World) -> None:
    with pytest.raises(DomainError, match="minst en rad"):
        services.vital_signs_record(actor=world.nurse, patient_id=world.patient.pk, sets=[])
    t = ago(10)
    with pytest.raises(DomainError, match="samma tidpunkt"):
        services.vital_signs_record(actor=world.nurse, patient_id=world.patient.pk, sets=[row(observed_at=t), row(observed_at=t)])
    assert VitalSigns.objects.count() == 0


def test_14_vitals_double_click_records_once(world: World) -> None:
    kw: dict[str, Any] = {"actor": world.nurse, "patient_id": world.patient.pk, "sets": [row()], "submission": "tok-1"}
    a = services.vital_signs_record(**kw)
    b = services.vital_signs_record(**kw)
    assert [v.pk for v in a] == [v.pk for v in b]
    assert VitalSigns.objects.count() == 1


@pytest.mark.parametrize("who", ["outsider", "colleague"])
def test_14_vitals_outsider_refused(world: World, who: str) -> None:
    with pytest.raises(NotFound):
        services.vital_signs_record(actor=getattr(world, who), patient_id=world.patient.pk, sets=[row()])
    assert VitalSigns.objects.count() == 0
    audit.keep_refusals()  # as the request middleware does after the write's rollback
    assert log_rows(action="journal.vitals.record.denied", patient_id=world.patient.pk)


def test_14_vitals_mark_error_keeps_the_row_and_drops_it_from_news2(world: World) -> None:
    old, new = services.vital_signs_record(
        actor=world.nurse,
        patient_id=world.patient.pk,
        sets=[row(observed_at=ago(60)), row(observed_at=ago(5), consciousness="C")],
    )
    assert queries.news2_latest_for([world.patient.pk])[world.patient.pk].score == 3
    with pytest.raises(DomainError):
        services.vital_signs_mark_error(actor=world.nurse, vital_signs_id=new.pk, reason=" ")
    services.vital_signs_mark_error(actor=world.nurse, vital_signs_id=new.pk, reason="Fel patient")
    assert VitalSigns.objects.filter(pk=new.pk, entered_in_error=True).exists()
    latest = queries.news2_latest_for([world.patient.pk])[world.patient.pk]
    assert latest.score == 0 and latest.trend == ""


def test_14_news2_latest_for_is_one_query_with_trend(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    patients = [world.patient] + [f.make_patient(unit=world.vc) for _ in range(5)]
    scores = {}
    for i, p in enumerate(patients):
        # older set normal; newer one with i points from the pulse/temperature
        newer = row(observed_at=ago(5))
        if i == 1:
            newer["pulse"] = "95"  # 1: up
        if i == 2:
            newer["consciousness"] = "C"  # 3 in one parameter: escalate
        services.vital_signs_record(actor=world.nurse, patient_id=p.pk, sets=[row(observed_at=ago(120), pulse="115"), newer])
        scores[p.pk] = i
    with django_assert_num_queries(1):
        few = queries.news2_latest_for([patients[0].pk, patients[1].pk])
    with django_assert_num_queries(1):
        many = queries.news2_latest_for([p.pk for p in patients] + [999_999])
    assert set(few) == {patients[0].pk, patients[1].pk}
    assert set(many) == {p.pk for p in patients}
    s0, s1, s2 = (many[p.pk] for p in patients[:3])
    assert (s0.score, s0.trend, s0.escalate, s0.risk) == (0, "down", False, "low")
    assert (s1.score, s1.trend) == (1, "down")
    assert (s2.score, s2.trend, s2.escalate, s2.risk) == (3, "up", True, "low_medium")
    assert s2.next_due_at - s2.taken_at == dt.timedelta(hours=1)
    assert queries.news2_latest_for([]) == {}


def test_14_nurse_signs_notes_as_physicians_do(world: World) -> None:
    from journal.models import NoteTemplate

    tpl = NoteTemplate.objects.get(name="Inskrivningsbedömning omvårdnad (VIPS)")
    titles = [h.title for h in tpl.headings.all()]
    for keyword in (
        "Kommunikation",
        "Andning/Cirkulation",
        "Nutrition",
        "Elimination",
        "Hud/vävnad",
        "Aktivitet",
        "Sömn",
        "Smärta/Sensorisk",
        "Psykosocialt",
    ):
        assert keyword in titles
    note = services.note_create(actor=world.nurse, patient_id=world.patient.pk, template_id=tpl.pk)
    note = services.note_sign(
        actor=world.nurse,
        note_id=note.pk,
        revision=note.revision,
        headings=[{"heading": "Nutrition", "text": "Äter halva portioner."}],
    )
    assert note.status == "signed" and note.signed_by == world.nurse.staff
    assert {t.name for t in NoteTemplate.objects.filter(profession="nurse")} >= {
        "Daglig omvårdnadsanteckning (VIPS)",
        "Omvårdnadsepikris",
    }


@pytest.mark.django_db
def test_14_demo_seed_has_vital_series_with_one_escalation() -> None:
    from journal import demo as journal_demo
    from journal.models import CarePlanItem, RiskAssessment
    from vardmiljo import demo

    ctx = demo.seed_core(40, progress=lambda m: None)
    journal_demo.seed(ctx)
    patients = ctx.patient_ids[4:7]
    latest = queries.news2_latest_for(patients)
    assert set(latest) == set(patients)
    escalated = [p for p, s in latest.items() if s.escalate]
    assert escalated == [patients[0]] and latest[patients[0]].trend == "up"
    assert RiskAssessment.objects.filter(patient_id=patients[0]).count() == 3
    assert CarePlanItem.objects.filter(patient_id=patients[0]).count() == 2
    count = VitalSigns.objects.count()
    journal_demo.seed(ctx)  # idempotent
    assert VitalSigns.objects.count() == count


@pytest.mark.parametrize("offset_minutes", [-30, 120])
def test_14_vitals_clock_time_alone_is_the_latest_such_time_not_ahead(world: World, offset_minutes: int) -> None:
    now = timezone.localtime()
    clock = now + dt.timedelta(minutes=offset_minutes)
    (vs,) = services.vital_signs_record(actor=world.nurse, patient_id=world.patient.pk, sets=[row(observed_at=f"{clock:%H:%M}")])
    expected = clock.replace(second=0, microsecond=0)
    if offset_minutes > 0:
        expected -= dt.timedelta(days=1)
    assert vs.observed_at == expected
    with pytest.raises(DomainError, match="TT:MM"):
        services.vital_signs_record(actor=world.nurse, patient_id=world.patient.pk, sets=[row(observed_at="25:00")])


@pytest.mark.django_db(transaction=True)
def test_14_vitals_two_identical_requests_at_once_record_once(world: World) -> None:
    """A double click whose second request arrives while the first is still in its
    transaction: the time is blank (= now, different for each), the token is the same."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(2)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            barrier.wait()
            sets = services.vital_signs_record(
                actor=world.nurse, patient_id=world.patient.pk, sets=[row(), row(observed_at=ago(30))], submission="dbl"
            )
            results.append([v.pk for v in sets])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert VitalSigns.objects.count() == 2
    assert results[0] == results[1]
    written = log_rows(action="journal.vitals.record", patient_id=world.patient.pk, detail__has_key="sets")
    assert len(written) == 1


def test_14_overview_news2_panel_and_header_signal_cost_one_query(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from journal import panels
    from vardmiljo.access import patient_access

    services.vital_signs_record(
        actor=world.nurse, patient_id=world.patient.pk, sets=[row(observed_at=ago(60)), row(consciousness="V")]
    )
    pa = patient_access(world.nurse, world.patient.pk, action="test")
    with django_assert_num_queries(1):
        ctx = panels.news2_panel(pa)
        signal = panels.news2_signal(pa)
    assert ctx["latest"].score == 3 and ctx["latest"].escalate and ctx["latest"].trend == "up"
    assert signal and signal[0]["kind"] == "news2" and "eskalera" in signal[0]["text"]
    # A patient whose latest set is calm has no signal.
    other = f.make_patient(unit=world.vc)
    services.vital_signs_record(actor=world.nurse, patient_id=other.pk, sets=[row()])
    assert panels.news2_signal(patient_access(world.nurse, other.pk, action="test")) == []


def test_14_news2_latest_sql_and_orm_give_the_same_rows(world: World) -> None:
    """journal/sql.py's LATERAL read against the ORM window it replaces, on a table of cases."""
    from journal.models import VitalSigns as VS
    from journal.queries import _latest_news2

    t = ago(90)
    cases: list[list[dict[str, Any]]] = [
        [row(observed_at=ago(60))],  # one set: no trend
        [row(observed_at=ago(120)), row(observed_at=ago(60), pulse="95")],  # up
        [row(observed_at=ago(120), pulse="95"), row(observed_at=ago(60))],  # down
        [row(observed_at=ago(120)), row(observed_at=ago(60))],  # same
        [row(observed_at=ago(180), consciousness="C"), row(observed_at=ago(120)), row(observed_at=ago(60), pulse="140")],
    ]
    ids = []
    for sets in cases:
        p = f.make_patient(unit=world.vc)
        services.vital_signs_record(actor=world.nurse, patient_id=p.pk, sets=sets)
        ids.append(p.pk)
    # two sets at the same time (two forms): the later id is the newer, in both forms
    tie = f.make_patient(unit=world.vc)
    services.vital_signs_record(actor=world.nurse, patient_id=tie.pk, sets=[row(observed_at=t)])
    services.vital_signs_record(actor=world.nurse, patient_id=tie.pk, sets=[row(observed_at=t, pulse="95")])
    # the newest set entered in error: the one before it is the latest
    err = f.make_patient(unit=world.vc)
    _old, new = services.vital_signs_record(
        actor=world.nurse, patient_id=err.pk, sets=[row(observed_at=ago(120)), row(observed_at=ago(60), consciousness="U")]
    )
    services.vital_signs_mark_error(actor=world.nurse, vital_signs_id=new.pk, reason="fel")
    nobody = f.make_patient(unit=world.vc)
    ids += [tie.pk, err.pk, nobody.pk]
    via_sql = queries.news2_latest_for(ids)
    via_orm = _latest_news2(VS.objects.filter(patient_id__in=ids))
    assert via_sql == via_orm
    assert [via_sql[i].trend for i in ids[:5]] == ["", "up", "down", "same", "up"]
    assert via_sql[tie.pk].score == 1 and via_sql[tie.pk].trend == "up"
    assert via_sql[err.pk].score == 0 and nobody.pk not in via_sql
