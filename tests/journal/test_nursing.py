"""Nursing risk assessments (issue 14, VIPS): Modified Norton, Downton and MNA-SF scoring
table by table, the service (bad input changes nothing, double click, audit, outsider)
and the care plan."""

from __future__ import annotations

from typing import Any

import pytest

from journal import nursing, services
from journal.models import CarePlanItem, RiskAssessment
from tests.conftest import World, log_rows
from vardmiljo.errors import DomainError, NotFound

NORTON_ALL = {"mental": "4", "activity": "4", "mobility": "4", "food": "4", "fluid": "4", "incontinence": "4", "general": "4"}

NORTON = [
    (NORTON_ALL, 28, False),
    (
        {
            **NORTON_ALL,
            "mental": "3",
            "activity": "3",
            "mobility": "3",
            "food": "3",
            "fluid": "3",
            "incontinence": "3",
            "general": "4",
        },
        22,
        False,
    ),
    (
        {
            **NORTON_ALL,
            "mental": "3",
            "activity": "3",
            "mobility": "3",
            "food": "3",
            "fluid": "3",
            "incontinence": "4",
            "general": "2",
        },
        21,
        False,
    ),
    (
        {
            **NORTON_ALL,
            "mental": "3",
            "activity": "3",
            "mobility": "3",
            "food": "3",
            "fluid": "3",
            "incontinence": "3",
            "general": "2",
        },
        20,
        True,
    ),  # 20 or less: risk of pressure ulcer
    ({k: "1" for k in NORTON_ALL}, 7, True),
    ({**NORTON_ALL, "mental": "2", "activity": "1"}, 23, False),
]


@pytest.mark.parametrize(("answers", "score", "at_risk"), NORTON)
def test_14_norton_scoring(answers: dict[str, str], score: int, at_risk: bool) -> None:
    r = nursing.assess("norton", answers)
    assert (r.score, r.at_risk) == (score, at_risk)


DOWNTON_NONE = {"previous_falls": "no", "medication": ["none"], "sensory": ["none"], "mental": "oriented", "gait": "normal"}
DOWNTON = [
    (DOWNTON_NONE, 0, False),
    ({**DOWNTON_NONE, "previous_falls": "yes"}, 1, False),
    ({**DOWNTON_NONE, "medication": ["sedatives", "diuretics"]}, 2, False),
    ({**DOWNTON_NONE, "medication": ["sedatives", "diuretics"], "gait": "unsafe"}, 3, True),  # 3 or more: high risk
    ({**DOWNTON_NONE, "medication": ["other"], "gait": "safe_aid"}, 0, False),
    ({**DOWNTON_NONE, "gait": "unable", "mental": "confused", "sensory": ["vision", "hearing", "limb"]}, 4, True),
    (
        {
            "previous_falls": "yes",
            "medication": ["sedatives", "diuretics", "antihypertensives", "antiparkinson", "antidepressants", "other"],
            "sensory": ["vision", "hearing", "limb"],
            "mental": "confused",
            "gait": "unsafe",
        },
        11,
        True,
    ),
]


@pytest.mark.parametrize(("answers", "score", "at_risk"), DOWNTON)
def test_14_downton_scoring(answers: dict[str, Any], score: int, at_risk: bool) -> None:
    r = nursing.assess("downton", answers)
    assert (r.score, r.at_risk) == (score, at_risk)


MNA_BEST = {"a_food_intake": "2", "b_weight_loss": "3", "c_mobility": "2", "d_stress": "2", "e_neuropsych": "2", "f1_bmi": "3"}
MNA = [
    (MNA_BEST, 14, False, "Normalt nutritionsstatus"),
    ({**MNA_BEST, "f1_bmi": "1"}, 12, False, "Normalt nutritionsstatus"),
    ({**MNA_BEST, "f1_bmi": "0"}, 11, True, "Risk för undernäring"),
    ({**MNA_BEST, "f1_bmi": "0", "b_weight_loss": "0"}, 8, True, "Risk för undernäring"),
    ({**MNA_BEST, "f1_bmi": "0", "b_weight_loss": "0", "a_food_intake": "1"}, 7, True, "Undernäring"),
    (
        {"a_food_intake": "0", "b_weight_loss": "0", "c_mobility": "0", "d_stress": "0", "e_neuropsych": "0", "f1_bmi": "0"},
        0,
        True,
        "Undernäring",
    ),
    ({**{k: v for k, v in MNA_BEST.items() if k != "f1_bmi"}, "f2_calf": "3"}, 14, False, "Normalt nutritionsstatus"),
    ({**{k: v for k, v in MNA_BEST.items() if k != "f1_bmi"}, "f2_calf": "0"}, 11, True, "Risk för undernäring"),
    ({**MNA_BEST, "b_weight_loss": "1", "e_neuropsych": "1"}, 11, True, "Risk för undernäring"),
]


@pytest.mark.parametrize(("answers", "score", "at_risk", "level"), MNA)
def test_14_mna_sf_scoring(answers: dict[str, str], score: int, at_risk: bool, level: str) -> None:
    r = nursing.assess("mna_sf", answers)
    assert (r.score, r.at_risk, str(r.level)) == (score, at_risk, level)


@pytest.mark.parametrize(
    ("kind", "answers", "message"),
    [
        ("norton", {**NORTON_ALL, "food": ""}, "Besvara Födointag"),
        ("norton", {**NORTON_ALL, "food": "5"}, "Okänt svar"),
        ("downton", {**DOWNTON_NONE, "medication": ["none", "diuretics"]}, "kan inte kombineras"),
        ("downton", {**DOWNTON_NONE, "gait": ["normal", "unsafe"]}, "Välj ett svar"),
        ("mna_sf", {**MNA_BEST, "f2_calf": "3"}, "inte båda"),
        ("mna_sf", {k: v for k, v in MNA_BEST.items() if k != "f1_bmi"}, "inte båda"),
        ("braden", {}, "Okänd riskbedömning"),
    ],
)
def test_14_bad_assessment_answers_are_refused_and_store_nothing(
    world: World, kind: str, answers: dict[str, Any], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        services.risk_assessment_record(actor=world.nurse, patient_id=world.patient.pk, kind=kind, answers=answers)
    assert RiskAssessment.objects.count() == 0
    assert not log_rows(action="journal.risk.record")


def test_14_risk_assessment_recorded_once_and_audited(world: World) -> None:
    kw: dict[str, Any] = {"actor": world.nurse, "patient_id": world.patient.pk, "kind": "downton", "submission": "x1"}
    a = services.risk_assessment_record(
        answers={**DOWNTON_NONE, "gait": "unsafe", "previous_falls": "yes", "mental": "confused"}, **kw
    )
    b = services.risk_assessment_record(answers=DOWNTON_NONE, **kw)
    assert a.pk == b.pk and a.score == 3 and a.at_risk and a.level == "Hög fallrisk"
    assert RiskAssessment.objects.count() == 1
    assert a.answers["medication"] == ["none"]
    written = log_rows(action="journal.risk.record", patient_id=world.patient.pk, detail__has_key="score")
    assert [r.detail for r in written] == [{"kind": "downton", "score": 3}]


def test_14_risk_assessment_outsider_refused(world: World) -> None:
    with pytest.raises(NotFound):
        services.risk_assessment_record(actor=world.outsider, patient_id=world.patient.pk, kind="norton", answers=NORTON_ALL)
    assert RiskAssessment.objects.count() == 0


def test_14_care_plan_add_and_close(world: World) -> None:
    with pytest.raises(DomainError, match="VIPS"):
        services.care_plan_item_add(
            actor=world.nurse, patient_id=world.patient.pk, keyword="Humör", diagnosis="x", goal="y", interventions="z"
        )
    with pytest.raises(DomainError, match="mål"):
        services.care_plan_item_add(
            actor=world.nurse, patient_id=world.patient.pk, keyword="Nutrition", diagnosis="x", goal=" ", interventions="z"
        )
    assert CarePlanItem.objects.count() == 0
    item = services.care_plan_item_add(
        actor=world.nurse,
        patient_id=world.patient.pk,
        keyword="Hud/vävnad",
        diagnosis="Risk för trycksår relaterat till immobilisering",
        goal="Intakt hud vid utskrivning",
        interventions="Lägesändring var 2:a timme, tryckavlastande madrass",
    )
    with pytest.raises(DomainError, match="finns redan"):
        services.care_plan_item_add(
            actor=world.nurse,
            patient_id=world.patient.pk,
            keyword="Hud/vävnad",
            diagnosis="Risk för trycksår relaterat till immobilisering",
            goal="a",
            interventions="b",
        )
    with pytest.raises(DomainError, match="utvärdering"):
        services.care_plan_item_close(actor=world.nurse, item_id=item.pk, evaluation="")
    closed = services.care_plan_item_close(actor=world.nurse, item_id=item.pk, evaluation="Huden intakt.")
    assert closed.status == "closed" and closed.closed_by == world.nurse.staff
    with pytest.raises(DomainError, match="redan avslutad"):
        services.care_plan_item_close(actor=world.nurse, item_id=item.pk, evaluation="igen")
    assert [r.action for r in log_rows(patient_id=world.patient.pk, action__startswith="journal.careplan")][-2:] == [
        "journal.careplan.close",
        "journal.careplan.close",
    ]
    with pytest.raises(NotFound):
        services.care_plan_item_close(actor=world.outsider, item_id=item.pk, evaluation="x")


def test_14_risk_assessment_marked_in_error_stays_readable(world: World) -> None:
    ra = services.risk_assessment_record(actor=world.nurse, patient_id=world.patient.pk, kind="norton", answers=NORTON_ALL)
    with pytest.raises(DomainError, match="skälet"):
        services.risk_assessment_mark_error(actor=world.nurse, risk_assessment_id=ra.pk, reason="")
    with pytest.raises(NotFound):
        services.risk_assessment_mark_error(actor=world.outsider, risk_assessment_id=ra.pk, reason="fel")
    services.risk_assessment_mark_error(actor=world.nurse, risk_assessment_id=ra.pk, reason="Fel patient")
    ra.refresh_from_db()
    assert ra.entered_in_error and ra.error_reason == "Fel patient" and ra.score == 28
    assert log_rows(action="journal.risk.entered_in_error", patient_id=world.patient.pk)


def test_14_nursing_discharge_summary_starts_from_the_record_and_the_nurse_signs_it(world: World) -> None:
    from journal.models import NoteTemplate
    from tests.journal.test_vitals import row

    services.risk_assessment_record(actor=world.nurse, patient_id=world.patient.pk, kind="downton", answers=DOWNTON_NONE)
    services.care_plan_item_add(
        actor=world.nurse,
        patient_id=world.patient.pk,
        keyword="Nutrition",
        diagnosis="Nedsatt aptit.",
        goal="Äter.",
        interventions="Mellanmål.",
    )
    services.vital_signs_record(actor=world.nurse, patient_id=world.patient.pk, sets=[row(on_oxygen="oxygen")])
    tpl = NoteTemplate.objects.get(name="Omvårdnadsepikris")
    note = services.note_create(actor=world.nurse, patient_id=world.patient.pk, template_id=tpl.pk)
    text = {h["heading"]: h["text"] for h in note.headings}
    assert "Downton fall risk index (fall): 0 p – Ingen förhöjd fallrisk" in text["Riskbedömningar"]
    assert text["Kvarstående omvårdnadsbehov"].startswith("Nutrition: Nedsatt aptit. Mål: Äter.")
    assert (
        "SpO2 97 % (syrgas)" in text["Omvårdnadsstatus vid utskrivning"] and "NEWS2 2" in text["Omvårdnadsstatus vid utskrivning"]
    )
    assert text["Uppföljning"] == ""
    signed = services.note_sign(actor=world.nurse, note_id=note.pk, revision=note.revision)
    assert signed.status == "signed" and signed.note_type == "Omvårdnadsepikris"
